"""Linting many files: the content-hash cache first, then the misses in batches, in this
process or in a pool of worker processes (``--jobs``), results always in input order.

Serial and parallel runs call the same ``lint_units`` on the same batches, so their output
is identical. Where processes fork (Linux), the parent builds the rule engine, spaCy and
its matchers once, just before the pool starts, and every worker inherits them (shared
copy-on-write pages, no second build); elsewhere each worker builds them on first use.
"""

from __future__ import annotations

import os
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from claimlint.cache import Cache
from claimlint.config import Config
from claimlint.findings import Finding

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

    from claimlint.document import Document
    from claimlint.lint import Linter

BATCH = 64          # documents per spaCy batch in a serial run
BATCH_BYTES = 1_000_000  # ... or fewer, once their bytes reach this
POOL_BATCH = 16     # documents per task sent to a worker
POOL_BATCH_BYTES = 250_000  # ... or fewer: small tasks keep every worker busy to the end
MIN_PARALLEL = 32   # below this many files to lint, worker start-up costs more than it saves
MAX_PENDING = 2     # batches per worker sent and not yet collected (bounds memory)


@dataclass
class Unit:
    """One file to check: its place in the run, name, reader kind and bytes. A unit with
    an ``error`` (unreadable) or a ``note`` (empty) is only reported, in its place."""

    index: int
    path: str
    kind: str = "text"
    data: bytes = b""
    key: str | None = None  # cache key, when caching
    error: str | None = None
    note: str | None = None
    stream: bool = False  # a big plain-text file: read from ``path`` in parts, not held


@dataclass
class FileResult:
    """What checking one file produced: findings, or the input error that stopped it."""

    index: int
    path: str
    findings: list[Finding] = field(default_factory=list)
    excerpts: dict[str, list] = field(default_factory=dict)  # "line:column" -> excerpt()
    note: str | None = None  # how the bytes were decoded, when not plain UTF-8
    error: str | None = None
    view: dict | None = None  # document text and highlights, for the HTML report
    cached: bool = False


class RulePackError(Exception):
    """The rule pack failed to compile in a worker (a plain exception, so it pickles)."""


def default_jobs() -> int:
    """Worker processes by default: the CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


class LintJob:
    """The settings a worker needs to lint; builds its Linter on first use."""

    def __init__(self, config: Config, select: list[str], ignore: list[str],
                 want_view: bool = False) -> None:
        self.config, self.select, self.ignore, self.want_view = config, select, ignore, want_view
        self._linter = None

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_linter": None}

    @property
    def linter(self) -> Linter:
        if self._linter is None:
            from claimlint.lint import Linter

            self._linter = Linter(self.config, select=self.select, ignore=self.ignore, lazy=True)
        return self._linter

    def load(self, unit: Unit) -> Document | FileResult:
        """Read a unit into a Document, or a FileResult carrying its input error."""
        from claimlint.lint import InputError

        try:
            return self.linter.load(unit.data, unit.path, unit.kind)
        except InputError as exc:
            return FileResult(unit.index, unit.path, error=exc.problem)

    def lint_stream(self, unit: Unit) -> FileResult:
        """Lint a big plain-text file part by part (``claimlint.bigtext``)."""
        from claimlint import bigtext
        from claimlint.decoding import DecodeError
        from claimlint.lint import read_document
        from claimlint.report.text import excerpts
        from claimlint.rulepack import RuleFileError
        from claimlint.safeio import Unreadable

        result = FileResult(unit.index, unit.path)
        page_level: list[list[Finding]] = []
        page = {r.id for r in self.linter.engine.rules if r.scope == "document"}
        try:
            total = os.path.getsize(unit.path)
            result.note = bigtext.encoding_note(unit.path, self.config.encoding)
            for part in bigtext.iter_parts(unit.path, encoding=self.config.encoding,
                                           progress=bigtext.terminal_progress(unit.path, total)):
                doc = read_document(part.text, "text", unit.path)
                found = self.linter.lint_document(doc)
                result.excerpts.update(bigtext.shift_excerpts(excerpts(doc, found), part))
                page_level.append([bigtext.place(f, part) for f in found if f.rule in page])
                found = [f for f in found if f.rule not in page]
                result.findings.extend(bigtext.place(f, part) for f in found)
        except (OSError, Unreadable, DecodeError) as exc:
            return FileResult(unit.index, unit.path, error=getattr(exc, "problem", None) or str(exc))
        except RuleFileError as exc:  # an unusable model file, as for whole files (lint_units)
            raise RulePackError(str(exc)) from None
        # a page-level rule answers for the whole file: only when every part lacks what it needs
        first = page_level[0] if page_level else []
        for f in first:
            if all(any(g.rule == f.rule for g in other) for other in page_level[1:]):
                result.findings.append(f)
        result.findings.sort(key=lambda f: (f.line, f.column, f.rule))
        return result

    def lint_units(self, units: list[Unit]) -> list[FileResult]:
        """Read and lint a batch of files (spaCy batched across them)."""
        results: dict[int, FileResult] = {}
        docs, doc_units = [], []
        for unit in units:
            if unit.stream:
                results[unit.index] = self.lint_stream(unit)
                continue
            loaded = self.load(unit)
            if isinstance(loaded, FileResult):
                results[unit.index] = loaded
                continue
            docs.append(loaded)
            doc_units.append(unit)
        from claimlint.report.text import excerpts
        from claimlint.rulepack import RuleFileError

        try:
            found_all = self.linter.lint_documents(docs) if docs else []
        except RuleFileError as exc:
            raise RulePackError(str(exc)) from None
        for unit, doc, found in zip(doc_units, docs, found_all):
            result = FileResult(unit.index, unit.path, found)
            result.excerpts = excerpts(doc, found)
            result.note = doc.encoding_note
            if self.want_view:
                from claimlint.report.html import document_view

                result.view = document_view(doc, found)
            results[unit.index] = result
        return [results[u.index] for u in units]


def to_entry(result: FileResult) -> dict:
    """A cache entry: findings without their path, the source lines they need."""
    found = []
    for f in result.findings:
        data = asdict(f)
        data.pop("path")
        found.append(data)
    return {"findings": found, "excerpts": result.excerpts, "note": result.note}


def from_entry(entry: dict, unit: Unit) -> FileResult:
    """A FileResult rebuilt from a cache entry for this file."""
    result = FileResult(unit.index, unit.path, cached=True)
    result.findings = [Finding(path=unit.path, **f) for f in entry["findings"]]
    result.excerpts = entry.get("excerpts", {})
    result.note = entry.get("note")
    return result


_JOB: LintJob | None = None


def _init_worker(job: LintJob, parent: int | None = None) -> None:
    from claimlint.shutdown import watch_parent

    global _JOB
    _JOB = job
    watch_parent(parent)


def _run_batch(units: list[Unit]) -> list[FileResult]:
    assert _JOB is not None
    return _JOB.lint_units(units)


def _pool(jobs: int, job: LintJob) -> ProcessPoolExecutor:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork is cheapest and safe here: the parent has started no thread of its own yet.
    method = "fork" if sys.platform.startswith("linux") else None
    ctx = multiprocessing.get_context(method)
    if ctx.get_start_method() == "fork":
        _prepare(job)
    return ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker,
                               initargs=(job, os.getpid()))


def _prepare(job: LintJob) -> None:
    """Build the engine, spaCy and the matchers in this process, for forked workers to
    inherit. A rule pack that fails to compile is left for the workers to report."""
    from contextlib import suppress

    from claimlint.rulepack import RuleFileError

    with suppress(RuleFileError):
        job.linter.engine.prepare()


def check_units(units: Iterable[Unit], job: LintJob, *, jobs: int,
                cache: Cache | None) -> Iterator[FileResult]:
    """FileResults for ``units`` in input order, streamed: cache hits are served directly;
    misses are linted in batches in this process, or, once at least MIN_PARALLEL of them
    have been seen and ``jobs > 1``, in a pool of ``jobs`` worker processes."""
    ready: dict[int, FileResult] = {}
    order: deque[int] = deque()
    misses: list[Unit] = []
    pending: deque[tuple[list[Unit], Future]] = deque()
    pool = None

    def collect(block: bool) -> None:
        while pending and (block or pending[0][1].done()):
            batch, future = pending.popleft()
            _store(batch, future.result(), ready, cache)

    def flush(batch: list[Unit]) -> None:
        if pool is not None:
            while len(pending) >= MAX_PENDING * jobs:  # bounded: the input is never all read
                batch_done, future = pending.popleft()
                _store(batch_done, future.result(), ready, cache)
            pending.append((batch, pool.submit(_run_batch, batch)))
        else:
            _store(batch, job.lint_units(batch), ready, cache)

    try:
        for unit in units:
            order.append(unit.index)
            if unit.error or unit.note:
                ready[unit.index] = FileResult(unit.index, unit.path, error=unit.error,
                                               note=unit.note)
                yield from _in_order(order, ready)
                continue
            if cache is not None:
                from claimlint.safeio import Unreadable

                try:
                    unit.key = cache.key(unit.kind, unit.data, _digest(unit))
                except Unreadable as exc:
                    ready[unit.index] = FileResult(unit.index, unit.path, error=exc.problem)
                    yield from _in_order(order, ready)
                    continue
                entry = cache.get(unit.key)
                if entry is not None:
                    result = from_entry(entry, unit)
                    if job.want_view:
                        result.view = _view_for_hit(job, unit, result)
                    ready[unit.index] = result
                    yield from _in_order(order, ready)
                    continue
            misses.append(unit)
            if pool is None and jobs > 1 and len(misses) >= MIN_PARALLEL:
                pool = _pool(jobs, job)
            size, limit = (POOL_BATCH, POOL_BATCH_BYTES) if pool is not None else (BATCH, BATCH_BYTES)
            if (pool is not None or jobs <= 1) and _full(misses, size, limit):
                while _full(misses, size, limit):
                    cut = _cut(misses, size, limit)
                    flush(misses[:cut])
                    misses = misses[cut:]
                collect(block=False)
                yield from _in_order(order, ready)
        while misses:
            cut = (_cut(misses, POOL_BATCH, POOL_BATCH_BYTES) if pool is not None
                   else _cut(misses, BATCH, BATCH_BYTES))
            flush(misses[:cut])
            misses = misses[cut:]
        collect(block=True)
        yield from _in_order(order, ready)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _cut(units: list[Unit], size: int, limit: int = BATCH_BYTES) -> int:
    """How many of ``units`` make the next batch: ``size`` files, or fewer when their bytes
    reach ``limit`` (memory follows the batch: its text and spaCy's work on it)."""
    total = 0
    for i, unit in enumerate(units[:size]):
        total += len(unit.data)
        if total >= limit:
            return i + 1
    return min(size, len(units))


def _full(units: list[Unit], size: int, limit: int = BATCH_BYTES) -> bool:
    return len(units) >= size or sum(len(u.data) for u in units) >= limit


def _digest(unit: Unit) -> str | None:
    """SHA-256 of a streamed file's bytes, read a block at a time (None: hash ``data``).
    Raises Unreadable."""
    if not unit.stream:
        return None
    from claimlint.bigtext import file_digest

    return file_digest(unit.path)


def _in_order(order: deque[int], ready: dict[int, FileResult]) -> Iterator[FileResult]:
    """Yield the results that are next in input order and ready."""
    while order and order[0] in ready:
        yield ready.pop(order.popleft())


def _store(batch: list[Unit], results: list[FileResult], ready: dict[int, FileResult],
           cache: Cache | None) -> None:
    for unit, result in zip(batch, results):
        ready[unit.index] = result
        if cache is not None and unit.key and result.error is None:
            cache.put(unit.key, to_entry(result))


def _view_for_hit(job: LintJob, unit: Unit, result: FileResult) -> dict | None:
    """The HTML report's view of a cached file: read it again (no spaCy needed)."""
    from claimlint.report.html import document_view

    if unit.stream:
        return None  # a file too big to hold is not rendered as a page
    loaded = job.load(unit)
    if isinstance(loaded, FileResult):
        return None
    return document_view(loaded, result.findings)
