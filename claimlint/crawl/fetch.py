"""One HTTP GET, streamed and bounded: raw body as sent (evidence), content decoded with a
byte budget (decompression bombs), time limit, redirects left to the scheduler to re-check."""

from __future__ import annotations

import contextlib
import errno
import heapq
import itertools
import socket
import ssl
import threading
import time
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import urllib3
import urllib3.connection

HTML_TYPES = ("text/html", "application/xhtml+xml")
RETRY_STATUSES = frozenset((429, 500, 502, 503, 504, 520, 521, 522, 523, 524))
RETRY_ERRORS = frozenset(("timeout", "refused", "connection"))
CHUNK = 64 * 1024


@dataclass
class FetchResult:
    """Everything one request produced, for the store and the WARC file."""

    url: str
    fetched_at: str
    status: int | None = None
    reason: str = ""
    http_version: str = "HTTP/1.1"
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    headers: list[tuple[str, str]] = field(default_factory=list)
    raw: bytes = b""  # the body exactly as it came over the wire (Content-Encoding kept)
    content: bytes = b""  # the body with gzip/deflate removed
    elapsed: float = 0.0
    ended: float = 0.0  # time.monotonic() when the response was read to its end (0: unknown)
    error: str | None = None  # a human-readable reason when the fetch failed
    error_kind: str | None = None  # dns, refused, tls, timeout, connection, too-large, bomb, ...
    skipped_body: bool = False  # body deliberately not read (not HTML)

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), None)

    @property
    def content_type(self) -> str:
        return (self.header("content-type") or "").split(";")[0].strip().lower()

    @property
    def location(self) -> str | None:
        return self.header("location") if self.status in (301, 302, 303, 307, 308) else None

    @property
    def retryable(self) -> bool:
        return self.status in RETRY_STATUSES or self.error_kind in RETRY_ERRORS

    def retry_after(self) -> float | None:
        """Seconds the server asked us to wait (``Retry-After``: seconds or an HTTP date)."""
        value = self.header("retry-after")
        if not value:
            return None
        value = value.strip()
        if value.isdigit():
            return float(value)
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class TooBig(Exception):
    """The body is over the byte budget (raw, or decoded: a decompression bomb)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class Decoder:
    """Undoes gzip/deflate incrementally, never producing more than the byte budget."""

    def __init__(self, encoding: str, limit: int) -> None:
        encoding = encoding.strip().lower()
        if encoding in ("", "identity"):
            self._z = None
        elif encoding in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._z = None
        else:
            raise TooBig("encoding", f"unsupported Content-Encoding: {encoding}")
        self.encoding, self.limit, self.out, self.size = encoding, limit, [], 0

    def feed(self, data: bytes) -> None:
        if self._z is None and self.encoding == "deflate":
            # "deflate" is a zlib stream by the spec, raw deflate in practice: sniff.
            raw = not (len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0)
            self._z = zlib.decompressobj(-zlib.MAX_WBITS if raw else zlib.MAX_WBITS)
        if self._z is None:
            self._add(data)
            return
        try:
            chunk = self._z.decompress(data, self.limit - self.size + 1)
            self._add(chunk)
            while self._z.unconsumed_tail:
                self._add(self._z.decompress(self._z.unconsumed_tail, self.limit - self.size + 1))
        except zlib.error as exc:
            raise TooBig("encoding", f"corrupt {self.encoding} body: {exc}") from exc

    def _add(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.limit:
            kind = "bomb" if self._z is not None else "too-large"
            what = "decompression bomb: decoded body" if kind == "bomb" else "body"
            raise TooBig(kind, f"{what} over the limit of {self.limit} bytes")
        self.out.append(chunk)

    def result(self) -> bytes:
        return b"".join(self.out)


def classify(exc: BaseException) -> tuple[str, str]:
    """(kind, reason) for a failed request: dns, refused, tls, timeout or connection."""
    chain = _chain(exc)
    if any(isinstance(e, (urllib3.exceptions.SSLError, ssl.SSLError)) for e in chain):
        inner = [e for e in chain if isinstance(e, ssl.SSLError)]
        return "tls", f"TLS error: {_root(inner[-1] if inner else exc)}"
    for item in chain:
        if isinstance(item, socket.gaierror):
            return "dns", f"DNS lookup failed: {item.args[-1] if item.args else item}"
    for item in chain:
        if isinstance(item, urllib3.exceptions.NameResolutionError):
            return "dns", f"DNS lookup failed: {_root(item)}"
        if isinstance(item, ConnectionRefusedError) or getattr(item, "errno", None) == errno.ECONNREFUSED:
            return "refused", "connection refused"
    # urllib3's NewConnectionError is a subclass of its TimeoutError, whatever the cause
    if not isinstance(exc, urllib3.exceptions.NewConnectionError) and isinstance(
            exc, (urllib3.exceptions.TimeoutError, TimeoutError)):
        return "timeout", "timed out"
    if "Failed to resolve" in str(exc) or "getaddrinfo" in str(exc):
        return "dns", f"DNS lookup failed: {_root(exc)}"
    if "refused" in str(exc).lower():
        return "refused", "connection refused"
    return "connection", f"connection error: {_root(exc)}"


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and everything it wraps (causes, contexts, urllib3 reasons)."""
    seen: list[BaseException] = []
    stack = [exc]
    while stack and len(seen) < 20:
        item = stack.pop()
        if not isinstance(item, BaseException) or any(item is s for s in seen):
            continue
        seen.append(item)
        stack += [item.__cause__, item.__context__, getattr(item, "reason", None), *item.args]
    return seen


def _root(exc: BaseException) -> str:
    text = str(exc)
    return text if len(text) < 300 else text[:297] + "..."


_current = threading.local()  # per fetch thread: where its request's connection is noted


def _note_connection(conn: urllib3.connection.HTTPConnection) -> None:
    slot = getattr(_current, "slot", None)
    if slot is not None:
        slot.append(conn)


class _TrackedHTTPConnection(urllib3.connection.HTTPConnection):
    def request(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        _note_connection(self)
        super().request(*args, **kwargs)


class _TrackedHTTPSConnection(urllib3.connection.HTTPSConnection):
    def request(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        _note_connection(self)
        super().request(*args, **kwargs)


class _HTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _TrackedHTTPConnection


class _HTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _TrackedHTTPSConnection


class _Watchdog:
    """One thread for every fetch's wall-clock deadline: when a deadline passes, the sockets of
    that request's connections are shut down. (A ``threading.Timer`` per request would start a
    thread for every page.)"""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, _Deadline]] = []
        self._tie = itertools.count()
        self._thread: threading.Thread | None = None
        self.live = 0  # deadlines armed and not yet disarmed

    def arm(self, deadline: _Deadline) -> None:
        with self._cond:
            self.live += 1
            if len(self._heap) > 1024 and len(self._heap) > 4 * self.live:  # drop finished ones
                self._heap = [item for item in self._heap if not item[2].done]
                heapq.heapify(self._heap)
            heapq.heappush(self._heap, (deadline.at, next(self._tie), deadline))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="fetch-deadlines", daemon=True)
                self._thread.start()
            elif self._heap[0][2] is deadline:
                self._cond.notify()

    def _run(self) -> None:
        with self._cond:
            while True:
                while self._heap and self._heap[0][2].done:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._cond.wait()
                    continue
                wait = self._heap[0][0] - time.monotonic()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                heapq.heappop(self._heap)[2].fire()

    def disarm(self) -> None:
        with self._cond:
            self.live -= 1


_watchdog = _Watchdog()


class _Deadline:
    """Cuts the connection of this thread's request once ``seconds`` have passed, whatever
    the server is doing: a server sending headers or body a byte at a time keeps every
    single read under the read timeout, so only a wall-clock limit bounds a whole fetch."""

    def __init__(self, seconds: float) -> None:
        self.fired = self.done = False
        self.at = time.monotonic() + seconds
        self._slot: list = []
        self._lock = threading.Lock()

    def __enter__(self) -> _Deadline:
        _current.slot = self._slot
        _watchdog.arm(self)
        return self

    def fire(self) -> None:
        with self._lock:
            if self.done:
                return
            self.fired = True
            for conn in list(self._slot):
                sock = getattr(conn, "sock", None)
                if sock is not None:
                    with contextlib.suppress(OSError):
                        sock.shutdown(socket.SHUT_RDWR)

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self.done = True  # the watchdog drops it (lazily, from the top of its heap)
        _watchdog.disarm()
        _current.slot = None


class Fetcher:
    """Makes bounded GET requests with one shared urllib3 connection pool; thread-safe for
    ``get``. Each request has a wall-clock deadline of DEADLINE_FACTOR x ``timeout`` in all
    (connecting, headers and body), besides ``timeout`` for connecting and for each read.
    No cookies, no proxies from the environment, redirects never followed here."""

    DEADLINE_FACTOR = 3

    def __init__(self, user_agent: str, *, timeout: float = 10.0, max_bytes: int = 5_000_000,
                 verify: bool = True) -> None:
        from requests.utils import DEFAULT_CA_BUNDLE_PATH  # the CA bundle requests trusts

        self.user_agent, self.timeout, self.max_bytes = user_agent, timeout, max_bytes
        self.verify = verify
        self.headers = {"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate",
                        "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"}
        tls = {"cert_reqs": "CERT_REQUIRED", "ca_certs": DEFAULT_CA_BUNDLE_PATH} if verify else \
            {"cert_reqs": "CERT_NONE"}
        self.pool = urllib3.PoolManager(num_pools=512, maxsize=4, retries=False, **tls)
        self.pool.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}
        self._timeout = urllib3.Timeout(connect=timeout, read=timeout)

    def close(self) -> None:
        self.pool.clear()

    def get(self, url: str, *, html_only: bool = False, max_bytes: int | None = None) -> FetchResult:
        """GET ``url`` without following redirects. With ``html_only`` a non-HTML body is not
        read (its headers are kept). Never raises for network trouble: see ``error``."""
        limit = max_bytes or self.max_bytes
        result = FetchResult(url=url, fetched_at=utc_now())
        started = time.monotonic()
        budget = self.timeout * self.DEADLINE_FACTOR
        with _Deadline(budget) as deadline:
            try:
                resp = self.pool.urlopen("GET", url, headers=self.headers, redirect=False, retries=False,
                                         preload_content=False, decode_content=False,
                                         timeout=self._timeout)
            except (urllib3.exceptions.HTTPError, OSError, ValueError) as exc:
                result.error_kind, result.error = classify(exc)
            else:
                complete = False
                try:
                    complete = self._read(resp, result, limit, html_only)
                finally:
                    if not complete:  # an unread body must not be left on a kept-alive connection
                        resp.close()
                    resp.release_conn()
        if deadline.fired:  # whatever came in before the cut is kept as evidence
            result.error_kind = "slow"
            result.error = f"gave up after {budget:g} s: the server sent too slowly"
        result.ended = time.monotonic()
        result.elapsed = result.ended - started
        return result

    def _read(self, resp: urllib3.BaseHTTPResponse, result: FetchResult, limit: int,
              html_only: bool) -> bool:
        """Fill ``result`` from the response; True when the body was read to its end."""
        result.status, result.reason = resp.status, resp.reason or ""
        result.http_version = {10: "HTTP/1.0", 11: "HTTP/1.1", 20: "HTTP/2"}.get(resp.version, "HTTP/1.1")
        result.request_headers = [("Host", _host_header(result.url)), *self.headers.items()]
        result.headers = list(resp.headers.items())
        length = result.header("content-length")
        if length and length.isdigit() and int(length) > limit:
            result.error_kind = "too-large"
            result.error = f"Content-Length {length} over the limit of {limit} bytes"
            return False
        if html_only and 200 <= result.status < 300 and result.content_type and \
                result.content_type not in HTML_TYPES:
            result.skipped_body = True
            return False
        chunks, size = [], 0
        try:
            decoder = Decoder(result.header("content-encoding") or "", limit)
            for chunk in resp.stream(CHUNK, decode_content=False):
                size += len(chunk)
                if size > limit:
                    raise TooBig("too-large", f"body over the limit of {limit} bytes")
                chunks.append(chunk)
                decoder.feed(chunk)
            result.raw, result.content = b"".join(chunks), decoder.result()
        except TooBig as exc:
            result.error_kind, result.error = exc.kind, str(exc)
            return False
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            result.error_kind, result.error = classify(exc)
            return False
        return True


def _host_header(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).netloc
