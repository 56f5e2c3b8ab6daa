"""Reading input files within bounds: only regular files are opened for reading (a FIFO
would block forever, ``/dev/zero`` never ends), and never more than the size limit is read."""

from __future__ import annotations

import os
import stat
from typing import BinaryIO

SPECIAL_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a directory"),
)


class Unreadable(Exception):
    """A file that is not read; ``problem`` says why in one line."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def too_large(size: int, limit: int, *, at_least: bool = False) -> str:
    """The one-line message for a file over ``max-file-size``."""
    more = "over " if at_least else ""
    return (f"file too large ({more}{size / 1e6:.1f} MB > limit of {limit / 1e6:.1f} MB; "
            f"raise max-file-size)")


def _kind(mode: int) -> str | None:
    return next((name for test, name in SPECIAL_KINDS if test(mode)), None)


def check_regular(path: str | os.PathLike, limit: int) -> int:
    """The size of a regular file within ``limit``; Unreadable for anything else, judged
    from the file's metadata alone (nothing is opened)."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise Unreadable(exc.strerror or str(exc)) from exc
    kind = _kind(info.st_mode)
    if kind:
        raise Unreadable(f"{kind}, not a regular file: not read")
    if info.st_size > limit:
        raise Unreadable(too_large(info.st_size, limit))
    return info.st_size


def read_limited(path: str | os.PathLike, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes. Raises Unreadable for anything
    else: special files are refused from their metadata alone, before any read; a file
    that grows past the limit while read is refused after ``limit + 1`` bytes."""
    check_regular(path, limit)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise Unreadable(exc.strerror or str(exc)) from exc
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        kind = _kind(info.st_mode)  # swapped for a special file since the first look
        if kind:
            raise Unreadable(f"{kind}, not a regular file: not read")
        if info.st_size > limit:
            raise Unreadable(too_large(info.st_size, limit))
        try:
            return read_stream(fh, limit)
        except OSError as exc:
            raise Unreadable(exc.strerror or str(exc)) from exc


def read_stream(stream: BinaryIO, limit: int) -> bytes:
    """At most ``limit`` bytes of a stream (standard input); Unreadable past that."""
    chunks, size = [], 0
    while True:
        chunk = stream.read(min(1 << 20, limit + 1 - size))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise Unreadable(too_large(size, limit, at_least=True))
