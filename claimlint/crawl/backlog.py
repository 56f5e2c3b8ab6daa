"""Pages fetched and stored but not yet linted, between the fetch loop and the lint pool.

Fetching never waits for linting: when the lint pool falls behind, pages queue here. Their
bodies stay in memory only up to a byte budget; past it a page is kept as its id, and its body
is read back from the scan database (where every fetch is stored anyway) when its batch goes
to the pool. Memory stays bounded however far linting lags, and a crawl resumed from the
database queues its unlinted pages the same way.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

Item = tuple[int, str, bytes, list]  # (page_id, url, body, http_headers)
Loader = Callable[[int], Item | None]  # page id -> item (None: cannot be linted)

MAX_HELD_BYTES = 64_000_000  # bodies held in memory while waiting
BATCH_PAGES = 16             # pages per task sent to a lint worker
BATCH_BYTES = 1_000_000      # ... or fewer, once their bodies reach this


class Backlog:
    """A FIFO of pages to lint; bodies past ``max_bytes`` are left in the store."""

    def __init__(self, load: Loader, max_bytes: int = MAX_HELD_BYTES) -> None:
        self._load = load
        self.max_bytes = max_bytes
        self.held_bytes = 0
        self.spilled = 0  # pages queued by id only, their bodies to be read back from the store
        self._items: deque[Item | int] = deque()

    def __len__(self) -> int:
        return len(self._items)

    def add(self, item: Item) -> None:
        """Queue a page just fetched; its body is dropped if the budget is spent."""
        if self.held_bytes + len(item[2]) > self.max_bytes:
            self.add_stored(item[0])
            return
        self.held_bytes += len(item[2])
        self._items.append(item)

    def add_stored(self, page_id: int) -> None:
        """Queue a page whose body is only in the store (a resumed crawl)."""
        self.spilled += 1
        self._items.append(page_id)

    def take(self, pages: int = BATCH_PAGES, max_bytes: int = BATCH_BYTES) -> list[Item]:
        """The next batch: up to ``pages`` pages, fewer once their bodies reach ``max_bytes``.
        Pages whose stored body cannot be read back are left out (the loader records why)."""
        batch: list[Item] = []
        size = 0
        while self._items and len(batch) < pages and size < max_bytes:
            item = self._items.popleft()
            if isinstance(item, int):
                self.spilled -= 1
                loaded = self._load(item)
                if loaded is None:
                    continue
                item = loaded
            else:
                self.held_bytes -= len(item[2])
            batch.append(item)
            size += len(item[2])
        return batch
