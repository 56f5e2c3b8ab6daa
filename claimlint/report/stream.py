"""Writing a JSON document whose one big array is streamed: the document around the array
is serialized once, and the array's items are written one by one as they are read, so a
report never exists whole in memory. Compact by default (one item per line); with
``indent`` the output is byte for byte what ``json.dumps(..., indent=indent)`` gives."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any, TextIO

PLACEHOLDER = "\x00claimlint-items\x00"


def _split(document: Any, indent: int | None) -> tuple[str, str, str]:
    """The text before and after the placeholder, and the placeholder line's indent."""
    text = json.dumps(document, indent=indent, ensure_ascii=False)
    head, tail = text.split(json.dumps(PLACEHOLDER, ensure_ascii=False))
    margin = head[head.rfind("\n") + 1:] if indent is not None else ""
    return head, tail, " " * (len(margin) - len(margin.lstrip(" ")))


def write_document(out: TextIO, make: Callable[[Any], Any], items: Iterable[Any],
                   *, indent: int | None = None) -> None:
    """Write ``make(PLACEHOLDER)`` with the placeholder replaced by the array of ``items``.
    ``make`` is called twice: before the items (for the text before the array) and after
    them (for the text after it, which may hold totals counted while writing)."""
    head, _, margin = _split(make(PLACEHOLDER), indent)
    out.write(head)
    inner = margin + " " * (indent or 0)
    count = 0
    # one encoder for every item (``json.dumps`` with options builds one per call)
    encode = json.JSONEncoder(ensure_ascii=False, indent=indent).encode
    for item in items:
        text = encode(item)
        if indent is not None:
            text = text.replace("\n", "\n" + inner)
            out.write(("," if count else "[") + "\n" + inner + text)
        else:
            out.write(("," if count else "[") + "\n" + text)
        count += 1
    if not count:
        out.write("[]")
    else:
        out.write("\n" + (margin if indent is not None else "") + "]")
    _, tail, _ = _split(make(PLACEHOLDER), indent)
    out.write(tail + "\n")
