"""Start and stop a real ``claimlint serve`` process on 127.0.0.1 (for tests, the
benchmark and the README screenshot)."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import requests

_URL = re.compile(r"claimlint serve: (http://\S+)")


class Server:
    """A running server: its base URL (without token), token and process."""

    def __init__(self, process: subprocess.Popen, url: str, token: str | None) -> None:
        self.process, self.token = process, token
        self.url = url.split("?", 1)[0]
        self.log: list[str] = []

    def session(self) -> requests.Session:
        """A requests session that carries the page's CSRF token, as the page does."""
        s = requests.Session()
        if self.token:
            s.headers["Authorization"] = f"Bearer {self.token}"
        s.headers["X-CSRF-Token"] = s.get(self.url + "api/session", timeout=30).json()["csrf"]
        return s


def start(*args: str, timeout: float = 120.0) -> Server:
    """``claimlint serve --port 0 ARGS`` in a new process; returns once it listens."""
    cmd = [sys.executable, "-m", "claimlint.cli", "serve", "--port", "0", *args]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    url = None
    while url is None:
        line = proc.stderr.readline()
        if not line:
            proc.wait(5)
            raise RuntimeError("claimlint serve exited: " + "".join(lines))
        lines.append(line)
        m = _URL.search(line)
        if m:
            url = m.group(1)
        if time.monotonic() > deadline:
            stop_process(proc)
            raise RuntimeError("claimlint serve did not start: " + "".join(lines))
    token = url.split("?token=", 1)[1] if "?token=" in url else None
    server = Server(proc, url, token)
    server.log.extend(lines)

    def drain() -> None:
        for line in proc.stderr:
            server.log.append(line)

    threading.Thread(target=drain, daemon=True).start()
    return server


def stop_process(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@contextmanager
def running(*args: str) -> Iterator[Server]:
    server = start(*args)
    try:
        yield server
    finally:
        stop_process(server.process)
