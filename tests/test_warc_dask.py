"""``claimlint warc --dask`` on a real Dask ``LocalCluster`` (2 worker processes, 127.0.0.1):
the same findings as one process, and a worker killed in the middle of a task still gives a
complete job with no record lost or counted twice. The cluster is started once for the module."""

from __future__ import annotations

import logging
import os
import signal
import threading
from pathlib import Path

import pytest

pytest.importorskip("distributed")

from dask.distributed import Client, LocalCluster  # noqa: E402

from claimlint.crawl.store import Store  # noqa: E402
from claimlint.warc.job import plan, read_ranges  # noqa: E402
from claimlint.warc.records import Capture, read_records  # noqa: E402
from tests.archiveworld import RangeServer, capture_archive, write_wet  # noqa: E402
from tests.test_warc import _damaged_copy, cli, findings_of  # noqa: E402


@pytest.fixture(scope="module")
def cluster():
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR)
    yield cluster
    cluster.close()


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("dask-archive")
    warc = root / "capture.warc.gz"
    capture_archive(warc)
    write_wet(warc, root / "capture.warc.wet.gz")
    _damaged_copy(warc, root / "damaged.warc.gz")
    return {"root": root, "files": sorted(str(p) for p in root.glob("*.gz"))}


def problems_of(db: Path) -> list[tuple]:
    store = Store(db, readonly=True)
    try:
        return sorted((Path(p["warc_file"]).name, p["warc_offset"], p["problem"])
                      for p in store.archive_problems(store.scan()["id"]))
    finally:
        store.close()


def test_dask_gives_the_same_findings_as_one_process(cluster, archive, tmp_path):
    one, many = tmp_path / "one.db", tmp_path / "dask.db"
    code, out = cli("warc", *archive["files"], "--db", str(one))
    assert code == 0, out
    code, out = cli("warc", *archive["files"], "--db", str(many), "--dask",
                    "--scheduler", cluster.scheduler_address, "--partitions", "3")
    assert code == 0, out
    assert findings_of(many) == findings_of(one) != []
    assert problems_of(many) == problems_of(one) and len(problems_of(one)) == 2


def test_a_killed_worker_loses_no_record_and_counts_none_twice(cluster, archive, tmp_path):
    warc = Path(archive["root"]) / "capture.warc.gz"
    responses = [r for r in read_records(warc) if isinstance(r, Capture) and r.record_type == "response"
                 and r.status == 200 and "html" in (r.content_type or "")]
    ranges = tmp_path / "ranges.tsv"
    ranges.write_text("".join(f"{warc.name}\t{r.offset}\t{r.length}\n" for r in responses))
    server = RangeServer(Path(archive["root"]))
    parts = plan([], read_ranges(str(ranges), server.url), 4)
    held = parts[2].units[0]
    server.hold(held.offset)  # partition 2 waits on its first range until we have killed its worker
    db = tmp_path / "scan.db"
    outcome: dict = {}

    def run() -> None:
        outcome["result"] = cli("warc", "--ranges", str(ranges), "--prefix", server.url, "--db", str(db),
                                "--dask", "--scheduler", cluster.scheduler_address, "--partitions", "4")

    job = threading.Thread(target=run)
    client = Client(cluster.scheduler_address, set_as_default=False)
    try:
        job.start()
        assert server.arrived.wait(120), "the held range was never requested"
        executing = client.run(lambda dask_worker: [str(ts.key) for ts in dask_worker.state.executing])
        victim = [w for w, keys in executing.items() if any(k.endswith(", 2)") for k in keys)]
        assert len(victim) == 1, executing
        pid = client.run(os.getpid, workers=victim)[victim[0]]
        os.kill(pid, signal.SIGKILL)
        server.release()
        job.join(300)
        assert not job.is_alive()
    finally:
        server.release()
        client.close()
        server.stop()
    code, out = outcome["result"]
    assert code == 0, out
    asked = [r for p, r in server.requests if r == f"bytes={held.offset}-{held.offset + held.length - 1}"]
    assert len(asked) == 2  # the killed task's range was read again by the rerun
    store = Store(db, readonly=True)
    rows = store.db.execute("SELECT warc_offset FROM archive_records").fetchall()
    store.close()
    assert sorted(r[0] for r in rows) == sorted(r.offset for r in responses)  # each record exactly once
    local = tmp_path / "local.db"
    assert cli("warc", "--ranges", str(ranges), "--prefix", str(archive["root"]), "--db", str(local))[0] == 0
    assert findings_of(db) == findings_of(local) != []
    assert not Path(f"{db}.shards").exists()  # shards merged, the killed task's partial file removed


def test_the_default_local_cluster_runs_and_leaves_no_process(archive, tmp_path):
    import multiprocessing

    before = {p.pid for p in multiprocessing.active_children()}
    one, many = tmp_path / "one.db", tmp_path / "dask.db"
    assert cli("warc", *archive["files"], "--db", str(one))[0] == 0
    code, out = cli("warc", *archive["files"], "--db", str(many), "--dask", "--workers", "1")
    assert code == 0, out
    assert out.count(" done (") == len(archive["files"])  # progress per partition
    assert findings_of(many) == findings_of(one) != []
    assert {p.pid for p in multiprocessing.active_children()} <= before  # the LocalCluster is gone
