"""Bytes to text: BOMs, UTF-8, declared or detected legacy encodings; binary is refused."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


# A well-formed multi-byte UTF-8 sequence: a file holding one is UTF-8, whatever else it holds.
_VALID_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_PER_BYTE = "claimlint-per-byte"


def _per_byte(exc: UnicodeDecodeError) -> tuple[str, int]:
    """Codec error handler: each invalid byte becomes exactly one character (its
    Windows-1252 reading, or U+FFFD), so every later position stays exact."""
    bad = exc.object[exc.start:exc.end]
    return "".join(bytes([b]).decode("cp1252", "replace") for b in bad), exc.end


codecs.register_error(_PER_BYTE, _per_byte)


def _count_invalid(data: bytes) -> int:
    """How many bytes of ``data`` are not part of valid UTF-8."""
    return len(data) - len(data.decode("utf-8", "ignore").encode("utf-8"))


class DecodeError(ValueError):
    """The bytes are not text we can read (binary, or no encoding fits)."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    note: str | None = None  # set when we fell back from UTF-8


# control bytes that do not occur in text (tab, newlines, form feed and escape do)
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if b"\x00" in head:
        return True
    control = len(head) - len(head.translate(None, _CONTROL))  # counted at C speed
    return bool(head) and control / len(head) > 0.1


def declared_html_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in a ``<meta>`` tag in its first 4 KB."""
    m = _META_CHARSET.search(data[:4096])
    if not m:
        return None
    name = m.group(1).decode("ascii", "replace")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode(data: bytes, *, encoding: str | None = None, html: bool = False) -> Decoded:
    """Decode source bytes: a BOM wins, then an explicit encoding, then UTF-8, then the
    page's ``<meta charset>`` (HTML), then detection. Raises DecodeError for binary data."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data[len(bom):].decode(name), name)
            except UnicodeDecodeError as exc:
                raise DecodeError(f"invalid {name} after byte-order mark: {exc.reason}") from exc
    if encoding:
        try:
            return Decoded(data.decode(encoding), encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise DecodeError(f"cannot decode as {encoding}: {exc}") from exc
    if _looks_binary(data):
        raise DecodeError("binary file, not text")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    if _VALID_MULTIBYTE.search(data):  # UTF-8 text with a few bad bytes: keep it UTF-8
        text = data.decode("utf-8", _PER_BYTE)
        bad = _count_invalid(data)
        return Decoded(text, "utf-8", f"invalid UTF-8 at byte {first_bad} ({bad} invalid "
                                      f"byte{'s' if bad != 1 else ''}, each read as one "
                                      "Windows-1252 character)")
    declared = declared_html_charset(data) if html else None
    if declared and declared not in ("utf-8",):
        try:
            return Decoded(data.decode(declared), declared, f"not UTF-8; decoded as declared {declared}")
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[: 1 << 20]).best()
    if best is None:
        raise DecodeError(f"invalid UTF-8 at byte {first_bad} and no other encoding fits")
    # Detectors often can't tell the Latin single-byte code pages apart on short copy;
    # windows-1252 is by far the most common legacy encoding of English web text.
    latin = best.encoding in ("ascii", "latin_1", "cp1250", "cp1252") or "8859" in best.encoding
    name = "cp1252" if latin else best.encoding
    try:
        text = data.decode(name)
    except UnicodeDecodeError:
        text = data.decode(best.encoding)
        name = best.encoding
    return Decoded(text, name, f"invalid UTF-8 at byte {first_bad}; decoded as detected {name}")
