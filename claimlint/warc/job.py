"""A ``claimlint warc`` run as partitions: each partition (some files, or some byte ranges)
is read, filtered and linted with ``lint_records`` and written to its own SQLite shard, which
appears under its final name only when complete. Re-running a job skips finished shards, so the
same partitions run in one process or as Dask tasks, and ``claimlint merge`` joins the shards."""

from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from claimlint import __version__
from claimlint.config import Config
from claimlint.warc.records import Capture, Damage, Range, read_range, read_records

LINTED_TYPES = ("response", "resource", "conversion")
BATCH = 32  # records linted (and held in memory) at once
BATCH_BYTES = 32_000_000  # ... or fewer, when they are large


@dataclass(frozen=True)
class Filters:
    """Select before you lint: registered domains or hosts, and a URL regular expression."""

    domains: frozenset[str] = frozenset()
    url_pattern: str | None = None

    def accepts(self, url: str) -> bool:
        from claimlint.crawl.urls import host_of

        if self.domains:
            host = host_of(url).lower().rstrip(".")
            parts = host.split(".")
            if not any(".".join(parts[i:]) in self.domains for i in range(len(parts))):
                return False
        return not self.url_pattern or re.search(self.url_pattern, url) is not None

    def describe(self) -> dict:
        return {"domains": sorted(self.domains), "url_pattern": self.url_pattern}


def read_domains(path: str | Path) -> frozenset[str]:
    """A domains file: one domain, host or URL per line; ``#`` comments and blank lines ignored."""
    from claimlint.crawl.urls import host_of

    out = set()
    for line in Path(path).read_text(encoding="utf-8-sig").splitlines():
        entry = line.split("#", 1)[0].strip().lower()
        if entry:
            out.add((host_of(entry) if "://" in entry else entry.split("/")[0]).rstrip("."))
    return frozenset(out)


@dataclass(frozen=True)
class Unit:
    """A whole file (``length`` None) or one byte range of it."""

    location: str
    offset: int = 0
    length: int | None = None


@dataclass(frozen=True)
class Partition:
    index: int
    units: tuple[Unit, ...]

    def key(self, salt: str) -> str:
        raw = json.dumps([salt, [asdict(u) for u in self.units]])
        return hashlib.sha256(raw.encode()).hexdigest()[:16]


@dataclass
class Job:
    """Everything a partition task needs; pickled to Dask workers."""

    shard_dir: str
    config: Config | None = None
    filters: Filters = field(default_factory=Filters)

    def salt(self) -> str:
        """What makes a shard reusable: claimlint version, config and filters."""
        config = asdict(self.config) if self.config else None
        return json.dumps([__version__, config, self.filters.describe()], sort_keys=True, default=str)

    def shard_path(self, part: Partition) -> Path:
        return Path(self.shard_dir) / f"part-{part.index:05d}-{part.key(self.salt())}.db"


def plan(paths: Iterable[str], ranges: Iterable[Range] = (), partitions: int | None = None
         ) -> list[Partition]:
    """Partitions over whole files (largest first, balanced by size) and byte ranges (grouped by
    file, in offset order). Default: one partition per file, ranges in groups of 1000."""
    files = sorted(set(paths), key=lambda p: (-_size(p), p))
    by_file: dict[str, list[Range]] = {}
    for r in ranges:
        by_file.setdefault(r.location, []).append(r)
    range_units = [Unit(r.location, r.offset, r.length)
                   for loc in sorted(by_file) for r in sorted(set(by_file[loc]), key=lambda r: r.offset)]
    n = partitions or (len(files) + -(-len(range_units) // 1000))
    n = max(1, min(n, len(files) + len(range_units)))
    groups: list[list[Unit]] = [[] for _ in range(n)]
    load = [0] * n
    for path in files:  # greedy: the next largest file to the lightest partition
        i = load.index(min(load))
        groups[i].append(Unit(path))
        load[i] += max(1, _size(path))
    if range_units:
        per = -(-len(range_units) // n)
        for i in range(n):
            groups[i].extend(range_units[i * per:(i + 1) * per])
    return [Partition(i, tuple(g)) for i, g in enumerate(g for g in groups if g)]


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def collect_paths(inputs: Iterable[str]) -> list[str]:
    """Files named, and the WARC/WET/ARC files inside directories named (recursively), as
    absolute paths: evidence pointers and Dask workers must not depend on a working directory."""
    out = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            out += sorted(os.path.abspath(f) for f in p.rglob("*") if f.is_file() and re.search(
                r"\.(warc|wet|arc)(\.gz)?$", f.name, re.I))
        else:
            out.append(os.path.abspath(item))
    return out


def read_ranges(path: str, prefix: str = "") -> list[Range]:
    """A ranges file: ``file offset length`` per line (tabs, spaces or commas), as the
    columnar-index recipe writes; ``prefix`` is put before relative file names (a URL base)."""
    out = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        fields = re.split(r"[\t ,]+", line)
        if len(fields) != 3 or not fields[1].isdigit() or not fields[2].isdigit():
            raise ValueError(f"{path}:{n}: expected 'file offset length', got {line!r}")
        out.append(Range(with_prefix(fields[0], prefix), int(fields[1]), int(fields[2])))
    return out


def with_prefix(location: str, prefix: str) -> str:
    """``prefix/location`` for a relative name; local paths made absolute, URLs kept."""
    if prefix and "://" not in location and not location.startswith("/"):
        location = prefix.rstrip("/") + "/" + location
    return location if "://" in location else os.path.abspath(location)


# one partition ----------------------------------------------------------------------------

def lint_partition(part: Partition, job: Job) -> dict:
    """Lint one partition into its shard (skipped when the shard exists); returns its counts."""
    target = job.shard_path(part)
    if target.exists():
        return _shard_counts(target) | {"reused": True}
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.stem}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        counts = _write_shard(tmp, part, job)
        os.replace(tmp, target)
    finally:
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            leftover.unlink(missing_ok=True)
    return counts | {"reused": False}


def _shard_counts(path: Path) -> dict:
    from claimlint.crawl.store import Store

    store = Store(path, readonly=True)
    try:
        return json.loads(store.scan()["options"])["counts"]
    finally:
        store.close()


def _items(part: Partition, max_body: int) -> Iterator[Capture | Damage]:
    import requests

    session = requests.Session()
    try:
        for unit in part.units:
            if unit.length is None:
                try:
                    yield from read_records(unit.location, max_body=max_body)
                except OSError as exc:
                    yield Damage(unit.location, 0, f"cannot open: {exc.strerror or exc}")
            else:
                yield from read_range(Range(unit.location, unit.offset, unit.length), session=session,
                                      max_body=max_body)
    finally:
        session.close()


def _write_shard(path: Path, part: Partition, job: Job) -> dict:
    from claimlint.crawl.fetch import utc_now
    from claimlint.crawl.store import Store, dumps

    max_body = (job.config or Config()).max_file_size
    store = Store(path)
    counts: Counter = Counter()
    writer = _ShardWriter(store)
    try:
        with store.transaction():
            writer.scan_id = store.db.execute(
                "INSERT INTO scans (key, status, started_at, version, command, options) "
                "VALUES (?,'running',?,?,?,?)",
                (part.key(job.salt()), utc_now(), __version__, "claimlint warc (partition)", "{}")).lastrowid
            batch: list[Capture] = []
            held = 0
            for item in _items(part, max_body):
                if isinstance(item, Damage):
                    counts["damaged"] += 1
                    writer.problem(item)
                    continue
                counts["records"] += 1
                why = skip_reason(item, job.filters)
                if why:
                    counts[f"skipped: {why}"] += 1
                    continue
                batch.append(item)
                held += len(item.body)
                if len(batch) >= BATCH or held >= BATCH_BYTES:
                    writer.lint(batch, job.config, counts)
                    batch, held = [], 0
            writer.lint(batch, job.config, counts)
            options = {"partition": part.index, "units": [asdict(u) for u in part.units],
                       "filters": job.filters.describe(), "counts": dict(counts)}
            store.db.execute("UPDATE scans SET status='finished', finished_at=?, options=? WHERE id=?",
                             (utc_now(), dumps(options), writer.scan_id))
        store.db.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal/-shm beside it
    finally:
        store.close()
    return dict(counts)


def skip_reason(c: Capture, filters: Filters) -> str | None:
    """Why a record is not linted (counted under this reason), or None to lint it: only HTML
    responses and WET text conversions are checked."""
    from claimlint.record import TEXT_TYPES, media_type

    if c.record_type not in LINTED_TYPES:
        return f"{c.record_type} record"
    if c.record_type != "conversion" and media_type(c.content_type) in TEXT_TYPES:
        return "not HTML or text"  # robots.txt and other plain files, unlike WET text
    if not c.target_uri:
        return "no WARC-Target-URI"
    if not filters.accepts(c.target_uri):
        return "not selected by --domains/--url-pattern"
    if c.record_type == "response" and (c.status is None or not 200 <= c.status < 300):
        return f"HTTP status {c.status if c.status is not None else 'missing'}"
    if c.too_large:
        return "record too large (raise max-file-size)"
    return None


class _ShardWriter:
    """Rows for linted records: site per registered domain, fetch + archive pointer + page +
    findings per record, the same tables a crawl writes, so report and diff read both."""

    def __init__(self, store) -> None:  # noqa: ANN001
        self.store, self.scan_id = store, 0
        self.sites: dict[str, int] = {}
        self.keys: set[str] = set()

    def problem(self, d: Damage) -> None:
        self.store.db.execute("INSERT INTO archive_problems (scan_id, warc_file, warc_offset, skipped_bytes, "
                              "problem) VALUES (?,?,?,?,?)",
                              (self.scan_id, d.warc_file, d.offset, d.skipped_bytes, d.problem))

    def lint(self, batch: list[Capture], config: Config | None, counts: Counter) -> None:
        from claimlint.record import lint_records

        if not batch:
            return
        headers = [c.http_headers or [("Content-Type", c.content_type or "")] for c in batch]
        results = lint_records([(c.body, c.target_uri, h) for c, h in zip(batch, headers)], config=config)
        for capture, h, result in zip(batch, headers, results):
            if result.state == "skipped":
                counts[f"skipped: {result.reason.split(' (')[0]}"] += 1
                continue
            counts[f"linted ({result.state})"] += 1
            counts["findings"] += len(result.findings)
            self._store(capture, h, result)

    def _site(self, domain: str) -> int:
        if domain not in self.sites:
            self.sites[domain] = self.store.db.execute(
                "INSERT INTO sites (scan_id, domain, seeds, state) VALUES (?,?,'[]','done')",
                (self.scan_id, domain)).lastrowid
        return self.sites[domain]

    def _store(self, c: Capture, headers: list, result) -> None:  # noqa: ANN001
        from claimlint.crawl.crawler import finding_fingerprint
        from claimlint.crawl.store import dumps
        from claimlint.crawl.urls import BadURL, host_of, normalize, registered_domain

        db = self.store.db
        domain = registered_domain(host_of(c.target_uri)) or "(no host)"
        site_id = self._site(domain)
        try:  # the crawler's page key, so an archive scan and a crawl diff page by page
            url = normalize(c.target_uri)
        except BadURL:
            url = c.target_uri
        key = url if url not in self.keys else f"{url}#{c.record_id}"
        self.keys.add(key)
        fetch_id = db.execute(
            "INSERT INTO fetches (scan_id, site_id, kind, url, fetched_at, status, headers, body, body_size, "
            "body_sha256) VALUES (?,?,'archive',?,?,?,?,NULL,?,?)",
            (self.scan_id, site_id, c.target_uri, c.date, c.status, dumps(headers), len(c.body),
             c.body_sha256)).lastrowid
        db.execute("INSERT INTO archive_records (fetch_id, scan_id, warc_file, warc_offset, warc_length, "
                   "record_id, record_type, payload_digest, capture_date, target_uri) "
                   "VALUES (?,?,?,?,?,?,?,?,?,?)",
                   (fetch_id, self.scan_id, c.warc_file, c.offset, c.length, c.record_id, c.record_type,
                    c.payload_digest, c.date, c.target_uri))
        page_id = db.execute(
            "INSERT INTO pages (scan_id, site_id, queue_id, key, url, requested_url, depth, fetch_id, "
            "redirect_chain, status, content_type, encoding, encoding_note, state, reason, lint_state, "
            "findings) VALUES (?,?,0,?,?,?,0,?,'[]',?,?,?,?,?,?,?,?)",
            (self.scan_id, site_id, key, c.target_uri, c.target_uri, fetch_id, c.status, c.content_type,
             result.encoding, result.encoding_note, result.state, result.reason,
             "done" if result.state == "ok" else ("error" if result.state == "error" else "none"),
             len(result.findings))).lastrowid
        db.execute("UPDATE sites SET pages=pages+? WHERE id=?", (int(result.state == "ok"), site_id))
        for f in result.findings:
            db.execute(
                "INSERT INTO findings (scan_id, site_id, page_id, fetch_id, rule, category, severity, "
                "message, why, suggestion, text, sentence, line, col, end_line, end_col, start_offset, "
                "end_offset, region, fingerprint) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (self.scan_id, site_id, page_id, fetch_id, f.rule, f.category, f.severity, f.message, f.why,
                 f.suggestion, f.text, f.sentence, f.line, f.column, f.end_line, f.end_column, f.start,
                 f.end, f.region, finding_fingerprint(domain, url, f.rule, f.sentence or f.text)))


def run_local(parts: list[Partition], job: Job, progress=None) -> list[dict]:  # noqa: ANN001
    """All partitions in this process, in order."""
    out = []
    for part in parts:
        out.append(lint_partition(part, job))
        if progress:
            progress(part, out[-1])
    return out
