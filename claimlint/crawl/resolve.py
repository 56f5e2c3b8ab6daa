"""``--resolve NAME:ADDRESS`` (like curl's): crawl a staging copy or a local test site under
its real host name. Once any name is mapped, the crawl resolves *only* mapped names; every
other name fails as a DNS error, so a staging or test crawl can never reach the internet."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from contextlib import contextmanager

_original = socket.getaddrinfo


def parse_resolve(items: list[str] | tuple[str, ...]) -> dict[str, str]:
    """``["clinic.test:127.0.0.1", ...]`` to ``{"clinic.test": "127.0.0.1"}``."""
    mapping = {}
    for item in items:
        name, sep, address = item.rpartition(":") if item.count(":") == 1 else item.partition(":")
        if not sep or not name or not address:
            raise ValueError(f"--resolve expects NAME:ADDRESS, got {item!r}")
        ipaddress.ip_address(address)  # raises ValueError for a bad address
        mapping[name.lower().rstrip(".")] = address
    return mapping


@contextmanager
def resolving(mapping: dict[str, str]) -> Iterator[None]:
    """Within the block, look host names up in ``mapping`` only (no effect when empty)."""
    if not mapping:
        yield
        return

    def getaddrinfo(host, port, *args, **kwargs):  # noqa: ANN001, ANN202
        name = host.decode() if isinstance(host, bytes) else host
        if name is None:
            return _original(host, port, *args, **kwargs)
        try:
            ipaddress.ip_address(name)
            return _original(host, port, *args, **kwargs)
        except ValueError:
            pass
        address = mapping.get(name.lower().rstrip("."))
        if address is None:
            raise socket.gaierror(socket.EAI_NONAME, f"Name or service not known: {name} "
                                                     "(not in the --resolve map)")
        return _original(address, port, *args, **kwargs)

    socket.getaddrinfo = getaddrinfo
    try:
        yield
    finally:
        socket.getaddrinfo = _original
