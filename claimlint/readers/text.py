"""Plain-text reader: paragraphs, headings and list items from lines."""

from __future__ import annotations

import re

from claimlint.document import Document, DocumentBuilder

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")
_LIST_MARKER = re.compile(r"[ \t]*(?:[-*•·‣◦▪o]|\d{1,3}[.)])[ \t]+(?=\S)")


# the characters a list marker can start with, besides a digit (``\\d`` is ``isdecimal``)
_MARKER_FIRST = frozenset(" \t-*•·‣◦▪o")


def _lines(source: str) -> list[tuple[int, str]]:
    """(offset, line with its line ending) for each line; CRLF, LF and lone CR end a line."""
    if "\r" in source:
        return [(m.start(), m.group()) for m in _LINE.finditer(source) if m.group()]
    lines, start = [], 0
    for line in source.split("\n"):
        lines.append((start, line + "\n"))
        start += len(line) + 1
    last = lines[-1][1][:-1]  # the text after the last line ending (none in the source)
    if last:
        lines[-1] = (lines[-1][0], last)
    else:
        lines.pop()
    return lines


def read_text(source: str, path: str = "<text>") -> Document:
    """Read plain text: blank lines end paragraphs; a line ends a block unless the next
    line continues a hard-wrapped sentence (starts in lower case); list markers are dropped
    and their lines become list items."""
    builder = DocumentBuilder(path, "text", source)
    lines = _lines(source)
    kind = "paragraph"
    for i, (start, raw) in enumerate(lines):
        line = raw.rstrip("\r\n")
        if not line.strip():
            builder.end_block(kind)
            kind = "paragraph"
            continue
        marker = _LIST_MARKER.match(line) if line[0] in _MARKER_FIRST or line[0].isdecimal() else None
        if marker:
            builder.end_block(kind)
            kind = "list_item"
            builder.add(line[marker.end():], start + marker.end())
        else:
            builder.add(line, start)
        nxt = lines[i + 1][1].lstrip() if i + 1 < len(lines) else ""
        continues = nxt[:1].islower() and not _LIST_MARKER.match(lines[i + 1][1])
        if continues:
            builder.space(start + len(line), start + len(raw))
        else:
            builder.end_block(kind)
            kind = "paragraph"
    return builder.build()
