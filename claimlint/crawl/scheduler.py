"""Politeness: per-host job queues, at most one request in flight per host, and a wait of
the host's delay (the larger of ``--delay`` and robots.txt ``Crawl-delay``) between requests."""

from __future__ import annotations

import heapq
import itertools
import time
from dataclasses import dataclass, field

PRIORITY = {"robots": 0, "sitemap": 1, "page": 2}


@dataclass
class Job:
    """One URL to fetch: a queue row of the store, kept in memory while pending."""

    id: int
    site_id: int
    kind: str
    url: str
    key: str
    depth: int
    attempts: int = 0
    not_before: float = 0.0  # time.monotonic() before which it must not be sent
    chain: list = field(default_factory=list)  # redirect hops that led here
    referrer: str | None = None
    urgent: bool = False  # redirect targets jump the page queue of their host

    def sort_key(self) -> tuple:
        return (PRIORITY[self.kind], 0 if self.urgent else 1, self.depth, self.id)


@dataclass
class Host:
    """One host's queue and timing."""

    name: str
    delay: float
    jobs: list = field(default_factory=list)  # heap of (sort_key, job)
    busy: bool = False
    next_time: float = 0.0
    scheduled: bool = False


class Scheduler:
    """Hands out jobs whose host is idle and whose delay has passed, earliest first."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.hosts: dict[str, Host] = {}
        self._ready: list[tuple[float, int, str]] = []
        self._tie = itertools.count()
        self.pending = 0
        self.in_flight = 0

    def host(self, name: str) -> Host:
        host = self.hosts.get(name)
        if host is None:
            host = self.hosts[name] = Host(name, self.delay)
        return host

    def add(self, host_name: str, job: Job) -> None:
        host = self.host(host_name)
        heapq.heappush(host.jobs, (job.sort_key(), job))
        self.pending += 1
        self._schedule(host)

    def _schedule(self, host: Host) -> None:
        if not host.busy and host.jobs and not host.scheduled:
            when = max(host.next_time, host.jobs[0][1].not_before)
            heapq.heappush(self._ready, (when, next(self._tie), host.name))
            host.scheduled = True

    def set_delay(self, host_name: str, delay: float) -> None:
        host = self.host(host_name)
        host.delay = max(host.delay, delay)

    def ready(self, now: float | None = None, limit: int | None = None) -> list[tuple[Host, Job]]:
        """Pop one job from every host that may be sent a request now (at most ``limit``,
        earliest first); they become busy."""
        now = time.monotonic() if now is None else now
        out = []
        while self._ready and self._ready[0][0] <= now and (limit is None or len(out) < limit):
            _, _, name = heapq.heappop(self._ready)
            host = self.hosts[name]
            host.scheduled = False
            if host.busy or not host.jobs:
                continue
            _, job = host.jobs[0]
            if job.not_before > now or host.next_time > now:
                self._schedule(host)
                continue
            heapq.heappop(host.jobs)
            self.pending -= 1
            host.busy = True
            self.in_flight += 1
            out.append((host, job))
        return out

    def put_back(self, host: Host, job: Job) -> None:
        """Return a popped job unsent (it is waiting on something else)."""
        host.busy = False
        self.in_flight -= 1
        heapq.heappush(host.jobs, (job.sort_key(), job))
        self.pending += 1

    def release(self, host: Host, *, sent: bool = True, not_before: float = 0.0,
                ended: float | None = None) -> None:
        """The host's request finished (or was never sent): schedule its next one, the host's
        delay after ``ended`` (when its response was read to the end; default: now)."""
        if host.busy:
            host.busy = False
            self.in_flight -= 1
        if sent:
            host.next_time = max((ended or time.monotonic()) + host.delay, not_before)
        self._schedule(host)

    def next_wake(self) -> float | None:
        """When the earliest waiting host becomes ready (monotonic seconds)."""
        return self._ready[0][0] if self._ready else None
