"""Which files a check covers: directories recursively, by include and exclude globs."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from fnmatch import translate
from pathlib import Path


def iter_files(paths: list[str], include: list[str], exclude: list[str],
               on_error: callable) -> Iterator[Path]:  # type: ignore[valid-type]
    """Files under ``paths`` in sorted order. A file named explicitly is always checked;
    files found in directories must match ``include``; anything matching ``exclude`` (by
    name or by path) is skipped. Unreadable directories go to ``on_error`` and are skipped."""

    included, excluded_name = _glob_test(include), _glob_test(exclude)

    def excluded(p: Path) -> bool:
        return excluded_name(p.name) or excluded_name(p.as_posix())

    for raw in paths:
        top = Path(raw)
        if top.is_dir():
            for root, dirs, names in os.walk(top, onerror=lambda e: on_error(
                    e.filename or "?", e.strerror or str(e))):
                base = Path(root)
                dirs[:] = sorted(d for d in dirs if not excluded(base / d))
                for name in sorted(names):
                    p = base / name
                    if included(name) and not excluded(p):
                        yield p
        else:
            yield top


def _glob_test(patterns: list[str]) -> Callable[[str], bool]:
    """``any(fnmatch(name, p) for p in patterns)`` as one compiled test (a run calls it
    for every file found, with a dozen default patterns)."""
    if not patterns:
        return lambda name: False
    rx = re.compile("|".join(translate(os.path.normcase(p)) for p in patterns))
    return lambda name: rx.match(os.path.normcase(name)) is not None
