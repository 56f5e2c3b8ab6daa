"""Progress: one updating status line on a terminal, plain timestamped log lines otherwise
(cron, CI, redirected output), nothing but errors with ``--quiet``."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import TextIO


@dataclass
class Stats:
    """Counters shown while a crawl runs."""

    fetched: int = 0
    queued: int = 0
    findings: int = 0
    errors: int = 0
    lint_pending: int = 0
    sites: dict[str, int] = field(default_factory=dict)  # state -> count
    # Where the time went (seconds), for benchmarks and --verbose runs: "fetch" and "parse"
    # are summed over the fetch threads (wall time, network waits included), "lint" is the
    # lint workers' CPU time, the rest is the main loop's wall time: "store" writing fetches
    # and pages, "lint-store" writing findings, "lint-wait" blocked on the lint pool, "idle"
    # waiting for the next response or the next host's delay.
    timers: dict[str, float] = field(default_factory=dict)

    def add_time(self, stage: str, seconds: float) -> None:
        self.timers[stage] = self.timers.get(stage, 0.0) + seconds

    def line(self) -> str:
        states = ", ".join(f"{n} {s}" for s, n in sorted(self.sites.items()))
        return (f"fetched {self.fetched}  queued {self.queued}  findings {self.findings}  "
                f"errors {self.errors}  linting {self.lint_pending}  sites: {states}")


class Progress:
    """Writes progress to ``stream`` (stderr); terminal lines are redrawn in place."""

    def __init__(self, *, quiet: bool = False, stream: TextIO | None = None,
                 interval: float | None = None) -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.interval = interval if interval is not None else (0.25 if self.tty else 10.0)
        self._last = 0.0
        self._drawn = False

    def event(self, message: str) -> None:
        """A one-off event: a site finished, failed, was skipped."""
        if self.quiet:
            return
        self._clear()
        self.stream.write(f"{time.strftime('%H:%M:%S')} {message}\n")
        self.stream.flush()

    def update(self, stats: Stats, *, force: bool = False) -> None:
        if self.quiet:
            return
        now = time.monotonic()
        if not force and now - self._last < self.interval:
            return
        self._last = now
        if self.tty:
            self.stream.write("\r\x1b[K" + stats.line())
            self._drawn = True
        else:
            self.stream.write(f"{time.strftime('%H:%M:%S')} {stats.line()}\n")
        self.stream.flush()

    def _clear(self) -> None:
        if self._drawn:
            self.stream.write("\r\x1b[K")
            self._drawn = False

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self._drawn = False
