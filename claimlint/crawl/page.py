"""What a fetched HTML page says about itself: its text (charset from the HTTP header, then
``<meta charset>``, then detection; never requests' guess), links, canonical URL, robots meta."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

from lxml import etree, html

from claimlint.decoding import Decoded, DecodeError, declared_html_charset, decode

_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)
# WHATWG: these labels mean windows-1252 in a browser, which is what the visitor saw.
_AS_1252 = {"latin_1", "iso8859-1", "ascii", "us-ascii", "iso-8859-1"}


def header_charset(content_type: str | None) -> str | None:
    """The ``charset`` parameter of a Content-Type header, as a Python codec name."""
    m = _CHARSET.search(content_type or "")
    if not m:
        return None
    try:
        name = codecs.lookup(m.group(1)).name
    except LookupError:
        return None
    return "cp1252" if name in _AS_1252 else name


def decode_page(body: bytes, content_type: str | None) -> Decoded:
    """Text of an HTML body: BOM, HTTP charset, ``<meta charset>``, then detection."""
    for label, source in ((header_charset(content_type), "HTTP header"),
                          (_meta_charset(body), "<meta charset>")):
        if label:
            try:
                decoded = decode(body, encoding=label, html=True)
                return Decoded(decoded.text, decoded.encoding, None if source == "HTTP header" else
                               f"decoded as {decoded.encoding} from {source}")
            except DecodeError:
                continue  # a wrong declaration: fall through to detection, noted below
    decoded = decode(body, html=True)
    return decoded


def _meta_charset(body: bytes) -> str | None:
    name = declared_html_charset(body)
    return "cp1252" if name in _AS_1252 else name


@dataclass
class PageInfo:
    """Links and directives found in a page."""

    links: list[str] = field(default_factory=list)
    canonical: str | None = None
    nofollow: bool = False
    base: str | None = None


def inspect_page(text: str) -> PageInfo:
    """Links (``a``/``area`` ``href``), ``<base>``, ``rel=canonical`` and robots meta."""
    info = PageInfo()
    if not text.strip():
        return info
    try:
        root = html.document_fromstring(text.encode("utf-8"),
                                        parser=html.HTMLParser(encoding="utf-8", recover=True))
    except (etree.ParserError, ValueError):
        return info
    for el in root.iter("base"):
        if el.get("href"):
            info.base = el.get("href").strip()
            break
    for el in root.iter("meta"):
        directives = {d.strip() for d in (el.get("content") or "").lower().split(",")}
        if (el.get("name") or "").lower() in ("robots", "claimlint") and directives & {"nofollow", "none"}:
            info.nofollow = True
    for el in root.iter("link"):
        rels = (el.get("rel") or "").lower().split()
        if "canonical" in rels and el.get("href") and info.canonical is None:
            info.canonical = el.get("href").strip()
    for el in root.iter("a", "area"):
        href = el.get("href")
        if href and not href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
            info.links.append(href.strip())
    return info


def looks_like_html(body: bytes) -> bool:
    """A body without a Content-Type that starts like HTML."""
    head = body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<!--", b"<meta", b"<title"))
