"""``lint_record``: one captured HTTP body (or a WET text conversion) to findings. The crawler's
lint workers, ``claimlint warc``, the Dask tasks and the Spark recipe all call this, so a page
gives the same findings whichever way it reached us: decode (HTTP charset, ``<meta charset>``,
detection), pick the reader by content type, then the ``lint.py`` path."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from claimlint.config import Config
from claimlint.decoding import DecodeError
from claimlint.findings import Finding
from claimlint.lint import Linter, read_document

HTML_TYPES = ("text/html", "application/xhtml+xml")
TEXT_TYPES = ("text/plain",)
BATCH = 16  # documents per spaCy batch

Headers = Mapping[str, str] | Iterable[tuple[str, str]] | None


@dataclass
class RecordResult:
    """What linting one record gave: ``state`` is ``ok`` (findings hold), ``skipped`` (not a
    kind we check), ``empty`` or ``error`` (``reason`` says why)."""

    state: str
    reason: str | None = None
    findings: list[Finding] = field(default_factory=list)
    kind: str | None = None
    encoding: str | None = None
    encoding_note: str | None = None


def header(headers: Headers, name: str) -> str | None:
    """A header's value from a mapping or a list of pairs (case-insensitive)."""
    if headers is None:
        return None
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    name = name.lower()
    return next((v for k, v in pairs if k.lower() == name), None)


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def record_kind(body: bytes, content_type: str | None) -> str | None:
    """The reader for a body: ``html``, ``text`` (WET conversions, text/plain) or None (not checked)."""
    from claimlint.crawl.page import looks_like_html

    mime = media_type(content_type)
    if mime in HTML_TYPES or (not mime and looks_like_html(body)):
        return "html"
    if mime in TEXT_TYPES:
        return "text"
    return None


_linter: tuple[Config | None, Linter] | None = None


def default_linter(config: Config | None = None) -> Linter:
    """The Linter for ``config``, built once per process (Dask and Spark workers reuse it)."""
    global _linter
    if _linter is None or _linter[0] != config:
        _linter = (config, Linter(config))
    return _linter[1]


def lint_record(body: bytes, url: str, headers: Headers, *, config: Config | None = None,
                linter: Linter | None = None) -> RecordResult:
    """Findings for one HTTP body: ``headers`` are the HTTP response headers (a mapping or
    ``(name, value)`` pairs; only Content-Type is read); ``url`` is the finding path."""
    return lint_records([(body, url, headers)], config=config, linter=linter)[0]


def lint_records(items: Sequence[tuple[bytes, str, Headers]], *, config: Config | None = None,
                 linter: Linter | None = None) -> list[RecordResult]:
    """``lint_record`` over many records, batching the spaCy work; one result per item, in order.
    A record that cannot be read or linted gets an ``error`` result; it never raises for one bad page."""
    linter = linter or default_linter(config)
    results: list[RecordResult] = []
    pending: list[tuple[int, object]] = []  # (index in results, Document)
    for body, url, headers in items:
        result, doc = _prepare(body, url, headers, linter)
        results.append(result)
        if doc is not None:
            pending.append((len(results) - 1, doc))
    for start in range(0, len(pending), BATCH):
        batch = pending[start:start + BATCH]
        try:
            found = linter.lint_documents([doc for _, doc in batch])
        except Exception as exc:  # noqa: BLE001 - one bad batch: lint its pages one by one
            found = [_lint_one(linter, doc) for _, doc in batch] if len(batch) > 1 else [exc]
        for (index, _), item in zip(batch, found):
            if isinstance(item, Exception):
                results[index].state = "error"
                results[index].reason = f"lint failed: {type(item).__name__}: {item}"
            else:
                results[index].findings = item
    return results


def _lint_one(linter: Linter, doc) -> list[Finding] | Exception:  # noqa: ANN001
    try:
        return linter.lint_document(doc)
    except Exception as exc:  # noqa: BLE001
        return exc


def _prepare(body: bytes, url: str, headers: Headers, linter: Linter) -> tuple[RecordResult, object]:
    from claimlint.crawl.page import decode_page
    from claimlint.decoding import decode

    content_type = header(headers, "content-type")
    kind = record_kind(body, content_type)
    if kind is None:
        mime = media_type(content_type) or "unknown type"
        return RecordResult("skipped", f"not HTML or text ({mime})"), None
    limit = linter.config.max_file_size
    if len(body) > limit:
        return RecordResult("skipped", f"too large ({len(body) / 1e6:.1f} MB > {limit / 1e6:.1f} MB)",
                            kind=kind), None
    if not body.strip():
        return RecordResult("empty", "empty page: nothing to check", kind=kind), None
    try:
        decoded = decode_page(body, content_type) if kind == "html" else decode(body)
    except DecodeError as exc:
        return RecordResult("error", f"cannot decode: {exc}", kind=kind), None
    result = RecordResult("ok", kind=kind, encoding=decoded.encoding, encoding_note=decoded.note)
    if not decoded.text.strip():
        result.state, result.reason = "empty", "empty page: nothing to check"
        return result, None
    try:
        return result, read_document(decoded.text, kind, url)
    except (ValueError, RecursionError, AssertionError, IndexError) as exc:
        result.state, result.reason = "error", f"unreadable {kind}: {type(exc).__name__}: {exc}"
        return result, None
