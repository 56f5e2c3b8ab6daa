"""The Dask engine for ``claimlint warc --dask``: one ``dask.bag`` partition per job partition,
each task calling ``lint_partition`` (which writes its own shard). A ``LocalCluster`` of worker
processes by default, or any scheduler address (dask-jobqueue on Slurm/PBS, Kubernetes, ...).
A task whose worker dies is run again elsewhere by the scheduler; its shard appears only when
complete, so nothing is lost or counted twice."""

from __future__ import annotations

import logging
import os

from claimlint.warc.job import Job, Partition, lint_partition

RETRIES = 2  # a task that raised is tried again this many times (a dead worker is rescheduled anyway)


def run_dask(parts: list[Partition], job: Job, *, scheduler: str | None = None,
             workers: int | None = None, progress=None) -> list[dict]:  # noqa: ANN001
    """Lint ``parts`` on a Dask cluster; their counts in partition order. ``progress(part,
    counts)`` is called as each partition finishes."""
    import dask.bag as db
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler:
        client = Client(scheduler, set_as_default=False)
    else:
        cluster = LocalCluster(n_workers=workers or max(1, os.cpu_count() or 1), threads_per_worker=1,
                               processes=True, host="127.0.0.1", dashboard_address="127.0.0.1:0",
                               silence_logs=logging.ERROR)
        client = Client(cluster, set_as_default=False)
    try:
        bag = db.from_sequence(parts, npartitions=len(parts)).map(lint_partition, job)
        results: list[dict | None] = [None] * len(parts)
        with client.as_current():
            futures = client.compute(bag.to_delayed(), retries=RETRIES)  # one task per partition
            index = {f.key: i for i, f in enumerate(futures)}
            for future in as_completed(futures):
                i = index[future.key]
                results[i] = future.result()[0]
                if progress:
                    progress(parts[i], results[i])
        return results
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
