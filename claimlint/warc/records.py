"""Reading WARC and WET records with warcio, each with its evidence pointer (file, offset,
length, WARC-Record-ID, payload digest, capture date, target URI). A damaged record or a
truncated gzip member is reported as a ``Damage`` and reading resumes at the next record."""

from __future__ import annotations

import hashlib
import io
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

GZIP_MAGIC = b"\x1f\x8b\x08"
WARC_MAGIC = b"WARC/1."
SCAN_CHUNK = 1 << 20
HTTP_TIMEOUT = 60.0
HTTP_RETRIES = 4  # 429 / 5xx / connection errors: Common Crawl's server answers 503 when busy
HTTP_BACKOFF = 1.0  # seconds before the first retry; doubles
RANGE_SLACK = 1 << 20  # a gzipped record is at most its payload plus headers
# what a damaged stream can raise inside warcio / zlib / gzip
READ_ERRORS = (ArchiveLoadFailed, zlib.error, EOFError, OSError, ValueError, IndexError, KeyError,
               AttributeError, TypeError,
               UnicodeDecodeError)


@dataclass
class Capture:
    """One WARC record and where it is: enough for anyone to fetch the same bytes again."""

    warc_file: str
    offset: int
    length: int
    record_id: str | None
    record_type: str
    target_uri: str | None
    date: str | None
    payload_digest: str | None
    status: int | None = None
    http_headers: list[tuple[str, str]] = field(default_factory=list)
    content_type: str | None = None
    body: bytes = b""
    too_large: bool = False

    @property
    def body_sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()


@dataclass
class Damage:
    """Bytes that could not be read as a record: reported, skipped, never fatal."""

    warc_file: str
    offset: int
    problem: str
    skipped_bytes: int | None = None


@dataclass(frozen=True)
class Range:
    """A record's place in an archive, as Common Crawl's index gives it."""

    location: str  # a local path or an http(s) URL
    offset: int
    length: int


def read_records(path: str | Path, *, max_body: int = 10_000_000, label: str | None = None
                 ) -> Iterator[Capture | Damage]:
    """Every record of a local WARC/WET file (gzipped per record, or plain), in order."""
    label = label or str(path)
    with open(path, "rb") as fh:
        yield from _read_stream(fh, label, max_body)


def _read_stream(fh: BinaryIO, label: str, max_body: int) -> Iterator[Capture | Damage]:
    pos, damage = fh.tell(), None
    while True:
        fh.seek(pos)
        end, problem = pos, None
        try:
            it = ArchiveIterator(fh, ensure_http_headers=False)
            for record in it:
                capture = _capture(it, record, label, max_body)
                if damage is not None:
                    damage.skipped_bytes = capture.offset - damage.offset
                    yield damage
                    damage = None
                end = capture.offset + capture.length
                yield capture
        except READ_ERRORS as exc:
            problem = _describe(exc)
        if problem is None:
            size = fh.seek(0, io.SEEK_END)
            if damage is None and _leftover(fh, end, size):
                damage = Damage(label, end, "truncated file: the last record is incomplete")
            if damage is not None:
                damage.skipped_bytes = size - damage.offset
                yield damage
            return
        if damage is None:
            damage = Damage(label, end, problem)
        resume = _next_record_start(fh, max(end, pos) + 1)
        if resume is None:
            fh.seek(0, io.SEEK_END)
            damage.skipped_bytes = fh.tell() - damage.offset
            yield damage
            return
        pos = resume


def _describe(exc: Exception) -> str:
    text = "".join(c if c.isascii() and c.isprintable() else "?" for c in str(exc).strip())
    return f"damaged record ({type(exc).__name__}: {text[:120] or 'unreadable'})"


def _leftover(fh: BinaryIO, end: int, size: int) -> bool:
    """Bytes after the last record that are more than blank lines (a record cut short)."""
    if size <= end:
        return False
    fh.seek(end)
    return bool(fh.read(min(size - end, 1 << 16)).strip(b"\r\n"))


def _next_record_start(fh: BinaryIO, start: int) -> int | None:
    """The offset of the next gzip member or ``WARC/1.`` line at or after ``start``."""
    fh.seek(start)
    base, tail = start, b""
    while True:
        chunk = fh.read(SCAN_CHUNK)
        if not chunk:
            return None
        data = tail + chunk
        hits = [i for i in (data.find(GZIP_MAGIC), _line_start(data, WARC_MAGIC)) if i >= 0]
        if hits:
            return base - len(tail) + min(hits)
        tail = data[-8:]
        base += len(chunk)


def _line_start(data: bytes, magic: bytes) -> int:
    i = data.find(b"\n" + magic)
    return i + 1 if i >= 0 else (0 if data.startswith(magic) else -1)


def _capture(it: ArchiveIterator, record, label: str, max_body: int) -> Capture:  # noqa: ANN001
    h = record.rec_headers
    if record.format != "warc" and "://" not in (h.get_header("uri") or ""):
        raise ArchiveLoadFailed("not a WARC record (no WARC/1.x header line)")
    status, http_headers, content_type = None, [], h.get_header("Content-Type")
    if record.http_headers is not None and record.rec_type in ("response", "revisit"):
        http_headers = [(k, v) for k, v in record.http_headers.headers]
        content_type = record.http_headers.get_header("Content-Type")
        try:
            status = int(record.http_headers.get_statuscode())
        except (TypeError, ValueError):
            status = None
    body, too_large = b"", False
    if record.rec_type in ("response", "resource", "conversion"):
        body = record.content_stream().read(max_body + 1)
        declared = h.get_header("Content-Length")
        if len(body) > max_body:
            body, too_large = b"", True
        elif declared and declared.isdigit() and record.http_headers is None and len(body) < int(declared):
            raise EOFError(f"record truncated: {len(body)} of {declared} bytes")
    it.read_to_end(record)  # before get_record_offset, which would skip the unread body
    offset = it.get_record_offset()
    if record.rec_type in ("response", "resource", "conversion") and not too_large:
        _check_complete(record)
    return Capture(warc_file=label, offset=offset, length=it.get_record_length(),
                   record_id=h.get_header("WARC-Record-ID"), record_type=record.rec_type,
                   target_uri=h.get_header("WARC-Target-URI"), date=h.get_header("WARC-Date"),
                   payload_digest=h.get_header("WARC-Payload-Digest") or h.get_header("WARC-Block-Digest"),
                   status=status, http_headers=http_headers, content_type=content_type, body=body,
                   too_large=too_large)


def _check_complete(record) -> None:  # noqa: ANN001
    """A record whose block ended before its Content-Length: a truncated file or member."""
    raw = record.raw_stream
    limit = getattr(raw, "limit", None)
    if limit:
        raise EOFError(f"record truncated: {limit} bytes of its block missing")


# ranges ---------------------------------------------------------------------------------

def read_range(rng: Range, *, session=None, max_body: int = 10_000_000) -> Iterator[Capture | Damage]:  # noqa: ANN001
    """The record(s) in one byte range, read from a local file or with an HTTP Range request."""
    if rng.length <= 0 or rng.length > max_body + RANGE_SLACK:
        yield Damage(rng.location, rng.offset, f"range of {rng.length} bytes not read: empty, or larger "
                                               f"than the record size limit ({max_body} bytes)")
        return
    try:
        data = fetch_range(rng, session=session)
    except RangeUnavailable:
        raise  # not damage: the partition fails and is done again on the next run
    except (OSError, ValueError) as exc:
        yield Damage(rng.location, rng.offset, f"cannot read range: {exc}")
        return
    if len(data) != rng.length:
        yield Damage(rng.location, rng.offset, f"range cut short: {len(data)} of {rng.length} bytes")
        return
    fh = _OffsetBytes(data, rng.offset)
    yield from _read_stream(fh, rng.location, max_body)


class RangeUnavailable(OSError):
    """A range the server would not give now (429, 5xx, connection errors) even after retries:
    the partition fails, and running the job again reads it, instead of losing the record."""


def fetch_range(rng: Range, *, session=None) -> bytes:  # noqa: ANN001
    """``length`` bytes at ``offset``: a seek for a local path, a ``Range`` request for a URL
    (retried with backoff on 429, 5xx and connection errors; other refusals raise ValueError)."""
    if not rng.location.startswith(("http://", "https://")):
        with open(rng.location, "rb") as fh:
            fh.seek(rng.offset)
            return fh.read(rng.length)
    import requests

    get = (session or requests).get
    headers = {"Range": f"bytes={rng.offset}-{rng.offset + rng.length - 1}"}
    problem = ""
    for attempt in range(HTTP_RETRIES + 1):
        if attempt:
            time.sleep(HTTP_BACKOFF * 2 ** (attempt - 1))
        try:
            resp = get(rng.location, headers=headers, timeout=HTTP_TIMEOUT, stream=True)
        except requests.RequestException as exc:
            problem = f"{type(exc).__name__}: {exc}"
            continue
        try:
            if resp.status_code == 206:
                return resp.raw.read(rng.length + 1, decode_content=False)
            problem = f"HTTP {resp.status_code} for a range request (206 expected)"
            if resp.status_code != 429 and resp.status_code < 500:
                raise ValueError(problem)
        except (requests.RequestException, OSError) as exc:  # the body broke off
            problem = f"{type(exc).__name__}: {exc}"
        finally:
            resp.close()
    raise RangeUnavailable(f"{rng.location} bytes {rng.offset}+{rng.length}: {problem} "
                           f"({HTTP_RETRIES + 1} attempts)")


class _OffsetBytes(io.BytesIO):
    """Bytes cut from a file, with ``tell``/``seek`` in the file's own offsets."""

    def __init__(self, data: bytes, base: int) -> None:
        super().__init__(data)
        self.base = base

    def tell(self) -> int:
        return super().tell() + self.base

    def seek(self, pos: int, whence: int = 0) -> int:
        if whence == io.SEEK_SET:
            return super().seek(max(0, pos - self.base)) + self.base
        return super().seek(pos, whence) + self.base
