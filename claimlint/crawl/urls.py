"""URL normalization, site scope by registered domain, and crawl-trap patterns, so that no
page is fetched twice and no crawl wanders off its site or into an endless URL space."""

from __future__ import annotations

import ipaddress
import posixpath
import re
from functools import lru_cache
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_URL_LENGTH = 2000
# Query parameters that only track the visitor or the session; dropping them never changes
# the page a regulator needs to see.
TRACKING_PARAMS = frozenset((
    "fbclid", "gclid", "dclid", "gclsrc", "msclkid", "yclid", "twclid", "ttclid", "li_fat_id", "igshid",
    "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "hsctatracking", "mkt_tok", "vero_id",
    "oly_anon_id", "oly_enc_id", "wickedid", "sessionid", "session_id", "sid", "phpsessid", "jsessionid",
    "aspsessionid", "cfid", "cftoken", "ref_src",
))
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")
_PATH_SESSION = re.compile(r";(jsessionid|phpsessid|sid|sessionid)=[^/?#]*", re.I)
_NUMBERS = re.compile(r"\d+")
_CALENDAR = re.compile(
    r"(^|[/_-])(calendar|events?|agenda|schedule|archive)s?([/_.-]|$)|/(19|20)\d\d/\d{1,2}(/|$)"
    r"|[?&](date|day|month|year|week|cal|ical|start|end)=", re.I)


class BadURL(ValueError):
    """A link that cannot or must not be crawled (other scheme, too long, malformed)."""


def normalize(url: str, base: str | None = None) -> str:
    """A canonical absolute http(s) URL: lower-case scheme and host, no default port, no
    fragment, no tracking or session parameters, sorted query, resolved dot segments."""
    url = url.strip()
    if base is not None:
        url = urljoin(base, url)
    if len(url) > MAX_URL_LENGTH:
        raise BadURL("URL too long")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise BadURL(str(exc)) from exc
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise BadURL(f"not http(s): {scheme or 'relative'}")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise BadURL("no host")
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise BadURL(f"bad host name: {exc}") from exc
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != DEFAULT_PORTS[scheme]:
        netloc += f":{port}"
    path = _PATH_SESSION.sub("", parts.path) or "/"
    path = _clean_path(path)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not _is_tracking(k)]
    query.sort()
    return urlunsplit((scheme, netloc, path, urlencode(query, quote_via=quote, safe="/:@,-._~"), ""))


_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_ORIGIN = re.compile(r"[^:/?#]+:(//[^/?#]*)?")


def join_context(url: str, base: str | None) -> str:
    """The part of ``base`` that ``normalize(url, base)`` depends on, so results can be
    memoized per (url, context): nothing for an absolute URL, the scheme for ``//host/...``,
    the origin for ``/path``, the whole base for a relative reference."""
    if base is None or _ABSOLUTE.match(url):
        return ""
    if url.startswith("//"):
        return base.partition(":")[0]
    if url.startswith("/"):
        match = _ORIGIN.match(base)
        return match.group() if match else base
    return base


def _clean_path(path: str) -> str:
    trailing = path.endswith("/")
    clean = posixpath.normpath(unquote(path))
    if clean.startswith("//"):
        clean = "/" + clean.lstrip("/")
    if trailing and clean != "/":
        clean += "/"
    return quote(clean, safe="/:@!$&'()*+,;=-._~")


def _is_tracking(key: str) -> bool:
    k = key.lower()
    return k in TRACKING_PARAMS or k.startswith(TRACKING_PREFIXES)


def host_of(url: str) -> str:
    """The host name a URL names (politeness is counted per host)."""
    return urlsplit(url).hostname or ""


def origin_of(url: str) -> str:
    """scheme://host[:port]: robots.txt applies per origin (RFC 9309)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@lru_cache(maxsize=1)
def _psl():  # noqa: ANN202
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


@lru_cache(maxsize=65536)
def registered_domain(host: str) -> str:
    """The registrable domain of a host (``www.clinic.co.uk`` -> ``clinic.co.uk``) from the
    Public Suffix List shipped with publicsuffixlist; an IP address or bare name is its own."""
    host = host.lower().rstrip(".")
    try:
        ipaddress.ip_address(host.strip("[]"))
        return host
    except ValueError:
        pass
    return _psl().privatesuffix(host) or host


def in_scope(url: str, domain: str, seed_hosts: frozenset[str], subdomains: bool) -> bool:
    """True when ``url`` belongs to the site: its seed hosts and the ``www`` form of its
    registered domain, or with ``subdomains`` any host under the registered domain."""
    host = host_of(url)
    if host in seed_hosts or host in (domain, f"www.{domain}"):
        return True
    return subdomains and host.endswith("." + domain)


def path_pattern(url: str) -> str:
    """The shape of a URL with numbers and query values blanked: pages sharing a shape are
    capped together, which stops calendars and paginated traps (``/2024/05/`` ...)."""
    parts = urlsplit(url)
    keys = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)})
    shape = _NUMBERS.sub("N", parts.path)
    return shape + ("?" + "&".join(keys) if keys else "")


def looks_like_calendar(url: str) -> bool:
    """Calendar- or archive-like URLs, which get a much lower cap than other patterns."""
    parts = urlsplit(url)
    return bool(_CALENDAR.search(parts.path + ("?" + parts.query if parts.query else "")))


def without_query(url: str) -> str:
    """The URL with its query removed: query-string explosions are capped per path."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
