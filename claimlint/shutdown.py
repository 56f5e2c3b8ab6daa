"""Clean ends: SIGTERM stops a run like Ctrl-C does (pools closed, an "interrupted" line,
a crawl left resumable), and worker processes exit on their own when their parent is gone
(kill -9 of the parent runs no cleanup, so the workers must notice it themselves)."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

PARENT_POLL = 0.5  # seconds between a worker's checks that its parent is alive


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM raises KeyboardInterrupt in the main thread, so the same
    ``finally`` clauses and messages run as for Ctrl-C. Outside the main thread: no effect."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def watch_parent(parent: int | None) -> None:
    """In a worker process started by process ``parent``: exit as soon as that process is
    gone (killed, or died without shutting its pool down), also when it was gone before this
    call. Uses a daemon thread; call once, from the pool initializer. No effect in the
    parent's own process (a thread pool) or when ``parent`` is None."""
    if parent is None or parent == os.getpid():
        return

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL)
        os._exit(1)  # the parent is gone: nobody will read our results

    threading.Thread(target=watch, name="claimlint-parent-watch", daemon=True).start()
