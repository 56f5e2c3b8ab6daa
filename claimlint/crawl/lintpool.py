"""Linting in worker processes, so fetching never waits on spaCy: each worker builds the
same Linter as ``claimlint check`` once (in the pool initializer) and lints batches of pages."""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor

from claimlint.config import Config

_linter = None


def init_worker(config: Config | None, parent: int | None = None) -> None:
    """Pool initializer: build the rule engine once per process; exit when ``parent`` (the
    crawl's process) is gone (a crawl killed with SIGKILL cannot shut its pool down)."""
    global _linter
    from claimlint.lint import Linter
    from claimlint.shutdown import watch_parent

    watch_parent(parent)
    _linter = Linter(config)


def warm_up() -> bool:
    """A no-op task that makes a lazily started worker load the engine now."""
    return _linter is not None


FIELDS = ("rule", "category", "severity", "message", "why", "suggestion", "text", "sentence", "line",
          "column", "end_line", "end_column", "start", "end", "region")  # what the scan store keeps


def lint_pages(items: list[tuple[int, str, bytes, list]]
               ) -> tuple[list[tuple[int, list[tuple] | None, str | None]], float]:
    """Lint ``(page_id, url, body, http_headers)`` items with ``lint_record`` (the function the
    WARC and Dask paths call too): per page its findings (tuples of FIELDS) or an error, and
    the CPU seconds the batch took."""
    from claimlint.record import lint_records

    assert _linter is not None, "init_worker was not run"
    started = time.thread_time()
    results = lint_records([(body, url, headers) for _, url, body, headers in items], linter=_linter)
    out = []
    for (page_id, *_), result in zip(items, results):
        if result.state == "ok":
            out.append((page_id, [tuple(getattr(f, name) for name in FIELDS) for f in result.findings], None))
        else:
            out.append((page_id, None, result.reason))
    return out, time.thread_time() - started


def make_pool(config: Config | None, workers: int) -> ProcessPoolExecutor:
    """A process pool of ``workers`` linters, started with spawn (safe next to threads).

    The workers build their engines while the crawl already fetches (``warm_up``). Forking
    them from a parent that has built the engine was measured on the crawl benchmark: two
    workers used 0.82x the CPU, but the build then comes before the first request and the
    crawl took 1.05x (one worker) to 1.18x (two) the wall time."""
    ctx = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(max_workers=max(1, workers), mp_context=ctx,
                               initializer=init_worker, initargs=(config, os.getpid()))
