"""Which files a check covers: directories recursively, by include and exclude globs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from fnmatch import fnmatch
from pathlib import Path


def iter_files(paths: list[str], include: list[str], exclude: list[str],
               on_error: callable) -> Iterator[Path]:  # type: ignore[valid-type]
    """Files under ``paths`` in sorted order. A file named explicitly is always checked;
    files found in directories must match ``include``; anything matching ``exclude`` (by
    name or by path) is skipped. Unreadable directories go to ``on_error`` and are skipped."""

    def excluded(p: Path) -> bool:
        return any(fnmatch(p.name, pat) or fnmatch(p.as_posix(), pat) for pat in exclude)

    for raw in paths:
        top = Path(raw)
        if top.is_dir():
            for root, dirs, names in os.walk(top, onerror=lambda e: on_error(
                    e.filename or "?", e.strerror or str(e))):
                base = Path(root)
                dirs[:] = sorted(d for d in dirs if not excluded(base / d))
                for name in sorted(names):
                    p = base / name
                    if any(fnmatch(name, pat) for pat in include) and not excluded(p):
                        yield p
        else:
            yield top
