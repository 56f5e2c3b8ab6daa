"""Plain-text files too big to hold whole are read and linted in parts, so memory does not
grow with the file: the bytes are decoded a block at a time and cut into parts at blank lines
(else at a line end, else at a space); each part is linted as its own Document and its
findings are moved to their place in the file (line, column, offsets), exactly as a whole-file
run would place them. A page-level rule (a missing risk disclosure) is reported only when it
fires in every part, since a disclosure anywhere in the file answers it."""

from __future__ import annotations

import codecs
import hashlib
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from claimlint.decoding import _PER_BYTE, DecodeError, decode
from claimlint.document import line_starts
from claimlint.findings import Finding
from claimlint.safeio import Unreadable

STREAM_BYTES = 4_000_000  # plain-text files larger than this are linted in parts
PART_CHARS = 1_000_000  # a part is cut at the first good place past this many characters
MAX_PART_CHARS = 4_000_000  # ... and at a space if no line ends before this
BLOCK = 1 << 20


@dataclass
class Part:
    """A stretch of the file's text and where it starts: ``line`` lines before it, ``column``
    characters of its first line before it (0 when it starts a line), ``offset`` characters
    of the file before it."""

    text: str
    line: int
    column: int
    offset: int


def file_digest(path: str) -> str:
    """SHA-256 of a file, read a block at a time."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            while block := fh.read(BLOCK):
                digest.update(block)
    except OSError as exc:
        raise Unreadable(exc.strerror or str(exc)) from exc
    return digest.hexdigest()


def _decoder(head: bytes, encoding: str | None
             ) -> tuple[codecs.IncrementalDecoder, str, int, str | None]:
    """An incremental decoder for the file whose first block is ``head``, its encoding, the
    number of bytes to skip (a byte-order mark) and a note when it is not plain UTF-8."""
    decoded = decode(head, encoding=encoding)  # raises DecodeError (binary, undecodable)
    bom = 0
    for mark in (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF8, codecs.BOM_UTF16_LE,
                 codecs.BOM_UTF16_BE):
        if head.startswith(mark):
            bom = len(mark)
            break
    name = decoded.encoding
    errors = _PER_BYTE if name == "utf-8" and not encoding else "strict"
    return codecs.getincrementaldecoder(name)(errors), name, bom, decoded.note


def _cut(text: str, final: bool) -> int:
    """Where to end a part of ``text`` (0: not yet, wait for more text)."""
    if final:
        return len(text)
    if len(text) < PART_CHARS:
        return 0
    i = max(text.rfind("\n\n", PART_CHARS // 2), text.rfind("\n\r\n", PART_CHARS // 2))
    if i >= 0:
        return text.index("\n", i + 1) + 1  # just after the blank line
    if len(text) < MAX_PART_CHARS:
        return 0
    i = text.rfind("\n", 0, MAX_PART_CHARS)
    if i >= 0:
        return i + 1
    i = text.rfind(" ", 0, MAX_PART_CHARS)
    return i + 1 if i > 0 else MAX_PART_CHARS


def iter_parts(path: str, *, encoding: str | None = None,
               progress: Callable[[int], None] | None = None) -> Iterator[Part]:
    """The file's text in parts (see the module docstring). Raises DecodeError, Unreadable."""
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise Unreadable(exc.strerror or str(exc)) from exc
    with fh:
        head = fh.read(BLOCK)
        decoder, name, skip, _ = _decoder(head, encoding)
        pending = ""
        line = column = offset = 0
        block, done = head[skip:], 0
        while True:
            final = not block
            try:
                pending += decoder.decode(block, final=final)
            except UnicodeDecodeError as exc:
                raise DecodeError(f"cannot decode as {name} past byte {done + skip}: "
                                  f"{exc.reason}") from exc
            done += len(block)
            if progress:
                progress(done + skip)
            while (k := _cut(pending, final)) > 0:
                text, pending = pending[:k], pending[k:]
                yield Part(text, line, column, offset)
                starts = line_starts(text)
                line += len(starts) - 1
                column = (column if len(starts) == 1 else 0) + len(text) - starts[-1]
                offset += len(text)
            if final:
                return
            block = fh.read(BLOCK)


def encoding_note(path: str, encoding: str | None) -> str | None:
    """The note ``decode`` gives for the file's first block (how it was decoded)."""
    with open(path, "rb") as fh:
        return _decoder(fh.read(BLOCK), encoding)[3]


def place(f: Finding, part: Part) -> Finding:
    """A finding of a part's Document, moved to its place in the whole file."""
    return replace(
        f, line=f.line + part.line, end_line=f.end_line + part.line,
        column=f.column + (part.column if f.line == 1 else 0),
        end_column=f.end_column + (part.column if f.end_line == 1 else 0),
        start=f.start + part.offset, end=f.end + part.offset)


def shift_excerpts(excerpts: dict[str, list], part: Part) -> dict[str, list]:
    """Excerpt keys and first columns of a part's findings, moved like ``place``."""
    out = {}
    for key, (first, text, cut) in excerpts.items():
        line, column = (int(x) for x in key.split(":"))
        extra = part.column if line == 1 else 0
        out[f"{line + part.line}:{column + extra}"] = [first + extra, text, cut]
    return out


def terminal_progress(path: str, total: int) -> Callable[[int], None] | None:
    """A progress callback drawing ``checking PATH: N of M MB`` on a terminal's stderr."""
    if not sys.stderr.isatty():
        return None

    def show(done: int) -> None:
        end = "\n" if done >= total else ""
        sys.stderr.write(f"\rchecking {path}: {done / 1e6:.0f} of {total / 1e6:.0f} MB{end}")
        sys.stderr.flush()

    return show
