"""Sitemaps (urlset, sitemap index, gzip, plain text), parsed without network access or
entity expansion and within a size budget."""

from __future__ import annotations

import zlib

from lxml import etree

MAX_SITEMAP_URLS = 50_000  # the sitemaps.org limit per file


class SitemapError(ValueError):
    """A sitemap we could not read."""


def gunzip(data: bytes, limit: int) -> bytes:
    """Decompress a ``.xml.gz`` body, refusing to grow past ``limit`` bytes."""
    z = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = z.decompress(data, limit + 1)
    except zlib.error as exc:
        raise SitemapError(f"corrupt gzip: {exc}") from exc
    if len(out) > limit or z.unconsumed_tail:
        raise SitemapError(f"sitemap over {limit} bytes when decompressed")
    return out


def parse_sitemap(data: bytes, limit: int = 50_000_000) -> tuple[str, list[str]]:
    """``("index", child sitemap URLs)`` or ``("urlset", page URLs)``."""
    if data[:2] == b"\x1f\x8b":
        data = gunzip(data, limit)
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped.startswith(b"<"):
        lines = stripped.decode("utf-8", "replace").splitlines()
        return "urlset", [ln.strip() for ln in lines if ln.strip().startswith("http")][:MAX_SITEMAP_URLS]
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, recover=True)
    try:
        root = etree.fromstring(stripped, parser)
    except etree.XMLSyntaxError as exc:
        raise SitemapError(f"not XML: {exc}") from exc
    if root is None:
        raise SitemapError("empty sitemap")
    kind = "index" if etree.QName(root).localname == "sitemapindex" else "urlset"
    locs = [(el.text or "").strip() for el in root.iter()
            if isinstance(el.tag, str) and etree.QName(el).localname == "loc"
            and el.getparent() is not None
            and etree.QName(el.getparent()).localname in ("url", "sitemap")]
    return kind, [u for u in locs if u][:MAX_SITEMAP_URLS]
