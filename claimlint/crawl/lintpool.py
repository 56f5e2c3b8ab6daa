"""Linting in worker processes, so fetching never waits on spaCy: each worker builds the
same Linter as ``claimlint check`` once (in the pool initializer) and lints batches of pages."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

from claimlint.config import Config

_linter = None


def init_worker(config: Config | None, parent: int | None = None) -> None:
    """Pool initializer: build the rule engine once per process; exit when ``parent`` (the
    crawl's process) is gone."""
    global _linter
    from claimlint.lint import Linter
    from claimlint.shutdown import watch_parent

    watch_parent(parent)
    _linter = Linter(config)


def warm_up() -> bool:
    """A no-op task that makes a lazily started worker load the engine now."""
    return _linter is not None


def lint_pages(items: list[tuple[int, str, str]]) -> list[tuple[int, list[dict] | None, str | None]]:
    """Lint ``(page_id, url, html_text)`` items; per page its findings or an error."""
    from claimlint.lint import read_document

    assert _linter is not None, "init_worker was not run"
    docs, ids, out = [], [], []
    for page_id, url, text in items:
        try:
            docs.append(read_document(text, "html", url))
            ids.append(page_id)
        except Exception as exc:  # noqa: BLE001 - a page the reader cannot read is recorded
            out.append((page_id, None, f"unreadable HTML: {type(exc).__name__}: {exc}"))
    if docs:
        try:
            results = _linter.lint_documents(docs)
        except Exception as exc:  # noqa: BLE001 - one bad batch must not stop the scan
            return out + [(pid, None, f"lint failed: {type(exc).__name__}: {exc}") for pid in ids]
        for pid, found in zip(ids, results):
            out.append((pid, [f.to_dict() for f in found], None))
    return out


def make_pool(config: Config | None, workers: int) -> ProcessPoolExecutor:
    """A process pool of ``workers`` linters, started with spawn (safe next to threads)."""
    ctx = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(max_workers=max(1, workers), mp_context=ctx,
                               initializer=init_worker, initargs=(config, os.getpid()))
