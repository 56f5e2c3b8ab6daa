"""robots.txt as RFC 9309 says: protego for matching (longest match, ``*`` and ``$``,
Allow overrides), a 4xx file allows everything, a 5xx or network error disallows everything."""

from __future__ import annotations

from dataclasses import dataclass, field

from protego import Protego

from claimlint.crawl.fetch import FetchResult

MAX_ROBOTS_BYTES = 512 * 1024  # RFC 9309: parse at least 500 KiB
PRODUCT_TOKEN = "claimlint"


@dataclass
class Robots:
    """The rules for one origin, and why they are what they are."""

    mode: str  # "rules", "allow-all" or "disallow-all"
    note: str
    parser: Protego | None = None
    sitemaps: list[str] = field(default_factory=list)

    def allowed(self, url: str) -> bool:
        if self.mode == "allow-all":
            return True
        if self.mode == "disallow-all":
            return False
        return self.parser.can_fetch(url, PRODUCT_TOKEN)

    def crawl_delay(self) -> float | None:
        """``Crawl-delay`` for our group, fractional seconds allowed."""
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(PRODUCT_TOKEN)
        return float(delay) if delay is not None else None


def parse_robots(text: str) -> Robots:
    """Parse robots.txt text; a byte-order mark must not swallow the first line."""
    text = text.lstrip("\ufeff")
    parser = Protego.parse(text)
    return Robots("rules", "robots.txt parsed", parser, [s.strip() for s in parser.sitemaps])


def robots_from_fetch(result: FetchResult) -> Robots:
    """Rules from the final response for ``/robots.txt`` (after redirects)."""
    if result.error is not None and result.status is None:
        return Robots("disallow-all", f"robots.txt unreachable ({result.error}): site treated as disallowed")
    status = result.status or 0
    if 200 <= status < 300:
        if result.error:
            return Robots("disallow-all", f"robots.txt unreadable ({result.error})")
        body = result.content[:MAX_ROBOTS_BYTES]
        return parse_robots(body.decode("utf-8", errors="replace"))
    if status == 429 or status >= 500:
        return Robots("disallow-all", f"robots.txt answered HTTP {status}: site treated as disallowed")
    if 400 <= status < 500:
        return Robots("allow-all", f"no robots.txt (HTTP {status}): everything allowed")
    if 300 <= status < 400:
        return Robots("allow-all", f"robots.txt redirected too often (HTTP {status}): treated as absent")
    return Robots("disallow-all", f"robots.txt answered HTTP {status}: site treated as disallowed")
