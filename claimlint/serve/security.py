"""The web server's guard, one ASGI middleware in front of every route:

- security headers on every response (a Content-Security-Policy that allows only the
  package's own script and style files, no inline script, ``frame-ancestors 'none'``;
  ``X-Content-Type-Options: nosniff``; no referrer; same-origin isolation);
- the Host header must name this server (a web page on another site cannot reach a
  loopback server through DNS rebinding);
- with an access token (required off loopback), every request must carry it: an
  ``Authorization: Bearer`` header, the cookie set on first visit, or ``?token=`` once;
- state-changing requests are POST and carry the page's CSRF token in ``X-CSRF-Token``
  (or the access token as a bearer header), and a cross-site ``Origin`` is refused;
- request bodies larger than the limit are refused before they are read in full.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs, urlencode

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'; require-trusted-types-for 'script'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    (b"cache-control", b"no-store"),
]
LOOPBACK_NAMES = {"127.0.0.1", "localhost", "::1", "[::1]"}
TOKEN_COOKIE = "claimlint_token"
SAFE_METHODS = {"GET", "HEAD"}


class BodyTooLarge(Exception):
    """Raised inside the app's ``receive`` when a body passes the limit."""


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


def _same(a: str | None, b: str) -> bool:
    return a is not None and hmac.compare_digest(a.encode(), b.encode())


class Guard:
    """ASGI middleware enforcing the rules in this module's docstring."""

    def __init__(self, app: ASGIApp, *, csrf: str, token: str | None, max_body: int,
                 allowed_hosts: set[str] | None) -> None:
        self.app, self.csrf, self.token, self.max_body = app, csrf, token, max_body
        self.allowed_hosts = allowed_hosts  # None: any Host (a token protects the server)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        send_with_headers = _with_headers(send)

        async def send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send_with_headers(message)

        headers = _headers(scope)
        method = scope["method"]
        host = headers.get("host", "")
        if self.allowed_hosts is not None and _hostname(host) not in self.allowed_hosts:
            await _error(send, 421, f"This server answers only to {', '.join(sorted(self.allowed_hosts))}.")
            return
        if self.token is not None:
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            given = (query.get("token") or [None])[0]
            if given is not None and _same(given, self.token) and method in SAFE_METHODS:
                # first visit from the printed address: keep the token in a cookie, drop it
                # from the address bar
                rest = {k: v for k, v in query.items() if k != "token"}
                location = scope["path"] + ("?" + urlencode(rest, doseq=True) if rest else "")
                cookie = (f"{TOKEN_COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict")
                await _redirect(send, location, cookie)
                return
            if not self._has_token(headers):
                await _error(send, 401, "This claimlint server needs its access token: open the "
                             "address printed when it was started (it ends in ?token=…), or "
                             "send 'Authorization: Bearer TOKEN'.")
                return
        if method not in SAFE_METHODS:
            origin = headers.get("origin")
            if origin is not None and _hostport(origin) != host.lower():
                await _error(send, 403, "Cross-site requests are refused.")
                return
            if headers.get("sec-fetch-site") == "cross-site":
                await _error(send, 403, "Cross-site requests are refused.")
                return
            bearer = _bearer(headers)
            if not (_same(headers.get("x-csrf-token"), self.csrf)
                    or (self.token is not None and _same(bearer, self.token))):
                await _error(send, 403, "Missing or wrong X-CSRF-Token header (get one from "
                             "GET /api/session, or send the access token as a bearer token).")
                return
            length = headers.get("content-length")
            if length is not None and (not length.isdigit() or int(length) > self.max_body):
                await _error(send, 413, f"The request is larger than this server's limit of "
                             f"{self.max_body / 1e6:.1f} MB.")
                return
            receive = _limited(receive, self.max_body)
        try:
            await self.app(scope, receive, send)
        except BodyTooLarge:
            if started:
                raise
            await _error(send, 413, f"The request is larger than this server's limit of "
                         f"{self.max_body / 1e6:.1f} MB.")

    def _has_token(self, headers: dict[str, str]) -> bool:
        assert self.token is not None
        if _same(_bearer(headers), self.token):
            return True
        cookie = SimpleCookie()
        try:
            cookie.load(headers.get("cookie", ""))
        except Exception:  # a malformed Cookie header is no token
            return False
        morsel = cookie.get(TOKEN_COOKIE)
        return morsel is not None and _same(morsel.value, self.token)


def _bearer(headers: dict[str, str]) -> str | None:
    auth = headers.get("authorization", "")
    return auth[7:].strip() if auth[:7].lower() == "bearer " else None


def _hostname(host: str) -> str:
    host = host.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _hostport(origin: str) -> str:
    return origin.split("://", 1)[-1].rstrip("/").lower()


def _with_headers(send: Send) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            names = {k.lower() for k, _ in message.get("headers", [])}
            extra = [(k, v) for k, v in SECURITY_HEADERS if k not in names]
            message = {**message, "headers": list(message.get("headers", [])) + extra}
        await send(message)
    return wrapped


def _limited(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge
        return message
    return wrapped


async def _error(send: Send, status: int, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def _redirect(send: Send, location: str, cookie: str) -> None:
    await send({"type": "http.response.start", "status": 303,
                "headers": [(b"location", location.encode("latin-1")),
                            (b"set-cookie", cookie.encode("latin-1")),
                            (b"content-length", b"0")]})
    await send({"type": "http.response.body", "body": b""})
