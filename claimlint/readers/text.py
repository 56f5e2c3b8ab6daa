"""Plain-text reader: paragraphs, headings and list items from lines."""

from __future__ import annotations

import re

from claimlint.document import Document, DocumentBuilder

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")
_LIST_MARKER = re.compile(r"[ \t]*(?:[-*•·‣◦▪o]|\d{1,3}[.)])[ \t]+(?=\S)")


def read_text(source: str, path: str = "<text>") -> Document:
    """Read plain text: blank lines end paragraphs; a line ends a block unless the next
    line continues a hard-wrapped sentence (starts in lower case); list markers are dropped
    and their lines become list items."""
    builder = DocumentBuilder(path, "text", source)
    lines = [(m.start(), m.group()) for m in _LINE.finditer(source) if m.group()]
    kind = "paragraph"
    for i, (start, raw) in enumerate(lines):
        line = raw.rstrip("\r\n")
        if not line.strip():
            builder.end_block(kind)
            kind = "paragraph"
            continue
        marker = _LIST_MARKER.match(line)
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
