"""HTML reader: the text a visitor sees on a page, with every character mapped to the source.

Title, meta descriptions, headings, paragraphs, list items, table cells and image alt text
become blocks; scripts, styles, hidden elements and code samples are left out.
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

from claimlint.document import Document, DocumentBuilder

# lxml (and BeautifulSoup over it) do not keep the source offsets of text nodes, so we
# tokenize with html.parser.


def _names(words: str) -> frozenset[str]:
    """A set of tag names from a space-separated string."""
    return frozenset(words.split())


_VOID = _names("area base br col embed hr img input keygen link meta param source track wbr")
# Elements whose content is never prose a visitor reads (code samples included).
_SKIP = _names(
    "script style noscript template svg math iframe object canvas video audio "
    "code pre kbd samp"
)
_FOREIGN = frozenset(("svg", "math"))
_BLOCK = _names(
    "address article aside blockquote body button caption center dd details dialog dir div "
    "dl dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 head header hgroup html "
    "label legend li main menu nav ol optgroup option p pre section select summary table "
    "tbody td textarea tfoot th thead title tr ul"
)
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
_KINDS = {
    "li": "list_item", "td": "table_cell", "th": "table_cell", "dt": "heading",
    "summary": "heading", "title": "title", **{h: "heading" for h in _HEADINGS},
}
_REGION_TAGS = frozenset(("header", "nav", "main", "aside", "footer"))
_ROLES = {
    "banner": "header", "navigation": "nav", "main": "main",
    "complementary": "aside", "contentinfo": "footer",
}
_HEAD_CONTENT = _names("base link meta noscript script style template title")
_META_NAMES = frozenset(("description", "og:description"))

# Start tags that close an open <p>, and the elements an implicit close never reaches across.
_CLOSES_P = _names(
    "address article aside blockquote center dd details dialog dir div dl dt fieldset "
    "figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr li main menu nav ol p "
    "pre section summary table ul"
)
_SCOPE = _names("applet button caption html marquee object table td template th")
_LIST_SCOPE = _SCOPE | {"ol", "ul", "menu"}
_DL_SCOPE = _SCOPE | {"dl"}
_ROW_SCOPE = _names("tr table template")
_TABLE_SCOPE = _names("table template thead tbody tfoot")
_SECTION_SCOPE = _names("table template")
_SELECT_SCOPE = _names("select datalist")
_NO_SCOPE: frozenset[str] = frozenset()
_SCOPE_LIMIT = 100  # implicit closes look this far up the stack at most (keeps time linear)

# The character references html.unescape decodes (same pattern as the standard library's).
_ENTITY = re.compile(r"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)")
# "&#" that html.parser cannot read as a reference stalls its tokenizer; and "<![" can make
# it raise. Both are replaced (same length) in the copy it tokenizes; text comes from source.
_BAD_CHARREF = re.compile(r"&#(?!(?:[0-9]+|[xX][0-9a-fA-F]+)[^0-9a-fA-F])")
_MARKED_SECTION = re.compile(r"<!\[")
_COMMENT_CLOSE = re.compile(r"--\s*>")
# Attribute syntax as html.parser reads it, so we can find a value's exact source range.
_TAG_NAME = re.compile(r"[a-zA-Z][^\t\n\r\f />\x00]*(?:\s|/(?!>))*")
_ATTR = re.compile(
    r"((?<=['\"\s/])[^\s/>][^\s/=>]*)(\s*=+\s*"
    r"('[^']*'|\"[^\"]*\"|(?!['\"])[^>\s]*))?(?:\s|/(?!>))*"
)
_HIDING_STYLE = re.compile(r"display:none|visibility:hidden")
_SPACES = re.compile(r"\s+")


class _Open:
    """An open element and what it passes down to its content."""

    __slots__ = ("tag", "block", "hard", "head", "title", "foreign", "region", "kind", "visible")

    def __init__(self, tag: str, block: bool, hard: bool, head: bool, title: bool,
                 foreign: bool, region: str, kind: str) -> None:
        self.tag, self.block, self.hard, self.head, self.title = tag, block, hard, head, title
        self.foreign, self.region, self.kind = foreign, region, kind
        self.visible = not hard and (not head or title)


_ROOT = _Open("", False, False, False, False, False, "main", "paragraph")


def _hides(attrs: dict[str, str | None]) -> bool:
    """Whether an element's attributes hide it (and everything inside it) from visitors."""
    if "hidden" in attrs:
        return True
    if (attrs.get("aria-hidden") or "").strip().lower() == "true":
        return True
    style = attrs.get("style")
    return bool(style) and bool(_HIDING_STYLE.search(_SPACES.sub("", style.lower())))


def _region_of(tag: str, attrs: dict[str, str | None]) -> str | None:
    """The page region an element starts: from its tag or its ARIA landmark role."""
    if tag in _REGION_TAGS:
        return tag
    for role in (attrs.get("role") or "").lower().split():
        if role in _ROLES:
            return _ROLES[role]
    return None


class _Reader(HTMLParser):
    """Tokenizes with html.parser and feeds visible text, with offsets, to a DocumentBuilder."""

    def __init__(self, source: str, path: str) -> None:
        super().__init__(convert_charrefs=False)
        self._src = source
        self._b = DocumentBuilder(path, "html", source)
        self._nl = [0] + [m.end() for m in re.finditer("\n", source)]  # getpos() counts "\n"
        self._stack: list[_Open] = []
        self._counts: dict[str, int] = {}
        self._alts: list[tuple[int, int, str]] = []
        self._head_allowed = True  # a <head> start tag counts only before any body content

    # -- driving ---------------------------------------------------------------------------

    def run(self) -> Document:
        """Tokenize the whole source in one pass, then close what EOF left open."""
        src = self._src
        fed = _BAD_CHARREF.sub("_#", src) if "&#" in src else src
        if "<![" in fed:
            fed = _MARKED_SECTION.sub("<!_", fed)  # a bogus comment, as browsers read it
        self.feed(fed)
        # With all input given, html.parser stops early only at a construct that runs to EOF
        # (never calling close(), whose recovery is quadratic on some inputs).
        n = len(src)
        rest = n - len(self.rawdata)
        if rest < n and not self.cdata_elem:
            if src.startswith("<!--", rest):
                self._b.comment(rest, n, src[rest + 4:])
            elif (src[rest] != "<" or rest + 1 == n) and self._top().visible:
                self._text(rest, n)  # "&amp" or "<" at the very end
            # else: a tag or declaration left open at EOF: browsers drop it and what follows
        self._break()
        for start, end, region in self._alts:
            self._text(start, end)
            self._b.end_block("alt", region=region)
        return self._b.build()

    def _pos(self) -> int:
        """Source offset of the token html.parser is handling now."""
        line, col = self.getpos()
        return self._nl[line - 1] + col

    def _top(self) -> _Open:
        """The innermost open element (a stand-in for the page itself when none is open)."""
        return self._stack[-1] if self._stack else _ROOT

    def _break(self) -> None:
        """End the current block, with the kind and region of the element holding its text."""
        top = self._top()
        self._b.end_block(top.kind, region=top.region)

    # -- text ------------------------------------------------------------------------------

    def _text(self, start: int, end: int) -> None:
        """Add ``source[start:end]``: verbatim runs as they are, each reference as a whole."""
        src, b = self._src, self._b
        if src.find("&", start, end) < 0:
            b.add(src[start:end], start)
            return
        pos = start
        for m in _ENTITY.finditer(src, start, end):
            s, e = m.span()
            if s > pos:
                b.add(src[pos:s], pos)
            raw = m.group()
            decoded = unescape(raw)
            if decoded == raw:
                b.add(raw, s)
            else:
                b.add_mapped(decoded, s, e)
            pos = e
        if pos < end:
            b.add(src[pos:end], pos)

    def _attr_value(self, tag_start: int, tag_end: int, name: str) -> tuple[int, int] | None:
        """Source range of attribute ``name``'s value in the start tag ``[tag_start, tag_end)``."""
        src = self._src
        m = _TAG_NAME.match(src, tag_start + 1, tag_end)
        k = m.end() if m else tag_start + 1
        while k < tag_end:
            m = _ATTR.match(src, k, tag_end)
            if not m:
                return None
            if m.group(1).lower() == name:
                if m.group(2) is None:
                    return None
                s, e = m.span(3)
                if e - s >= 2 and src[s] in "'\"" and src[e - 1] == src[s]:
                    s, e = s + 1, e - 1
                return s, e
            k = m.end()
        return None

    def handle_data(self, data: str) -> None:
        """Text between tags: added at its source offset when a visitor would see it."""
        top = self._top()
        if top.head and not top.title and not top.hard and not data.isspace():
            head = self._find(("head",), _NO_SCOPE)
            if head is not None:  # text in <head> starts the body, as in browsers
                self._pop_to(head)
                top = self._top()
        if not top.visible or (len(data) > 1 and data[0] == "<"):
            return  # hidden, or a malformed tag html.parser passed on as text
        start = self._pos()
        self._text(start, start + len(data))

    def handle_entityref(self, name: str) -> None:
        """``&name;`` or ``&name``: the decoded text maps to the whole reference."""
        if self._top().visible:
            start = self._pos()
            end = start + 1 + len(name)
            self._text(start, end + 1 if self._src.startswith(";", end) else end)

    def handle_charref(self, name: str) -> None:
        """``&#8217;`` or ``&#x2019``: the decoded text maps to the whole reference."""
        if self._top().visible:
            start = self._pos()
            end = start + 2 + len(name)
            self._text(start, end + 1 if self._src.startswith(";", end) else end)

    def handle_comment(self, data: str) -> None:
        """Record ``<!-- ... -->`` with its source range; suppressions live in comments."""
        start = self._pos()
        if not self._src.startswith("<!--", start):
            return  # a bogus comment such as <!x> or </ >: nothing to record
        inner_end = start + 4 + len(data)
        m = _COMMENT_CLOSE.match(self._src, inner_end)
        self._b.comment(start, m.end() if m else inner_end, self._src[start + 4:inner_end])

    # -- elements --------------------------------------------------------------------------

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """``<x/>``: HTML ignores the slash on ordinary elements; SVG and MathML honour it."""
        if tag in _VOID or not (self._top().foreign or tag in _FOREIGN):
            self.handle_starttag(tag, attrs)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open an element: close what it ends implicitly, end the block if it is a block."""
        a: dict[str, str | None] = {}
        for key, value in attrs:
            a.setdefault(key, value)
        if tag in _VOID:
            if tag == "hr":
                self._implicit_close(tag)
            start = self._pos()
            self._void(tag, a, start, start + len(self.get_starttag_text() or ""))
            return
        if tag == "head":
            if not self._head_allowed:
                return  # a stray or second <head>: browsers ignore it
            self._head_allowed = False
        elif tag != "html" and tag not in _HEAD_CONTENT:
            self._head_allowed = False
        self._implicit_close(tag)
        parent = self._top()
        region = _region_of(tag, a)
        block = tag in _BLOCK or region is not None
        if block:
            self._break()
        hard = parent.hard or tag in _SKIP or _hides(a)
        if tag in ("title", "head"):
            region = "head"
        entry = _Open(tag, block, hard, parent.head or tag == "head",
                      parent.title or tag == "title", parent.foreign or tag in _FOREIGN,
                      region or parent.region, _KINDS.get(tag, parent.kind))
        self._stack.append(entry)
        self._counts[tag] = self._counts.get(tag, 0) + 1
        if tag in ("code", "kbd", "samp") and parent.visible:
            start = self._pos()  # left-out inline code still separates the words around it
            self._b.space(start, start + len(self.get_starttag_text() or ""))

    def _void(self, tag: str, a: dict[str, str | None], start: int, end: int) -> None:
        """Handle a void element (never opened): <br> is a space, <hr> a break, <img> alt."""
        parent = self._top()
        if tag == "br":
            if parent.visible:
                self._b.space(start, end)
        elif tag == "hr":
            self._break()
        elif tag == "img":
            if parent.visible and a.get("alt") and not _hides(a):
                span = self._attr_value(start, end, "alt")
                if span:  # alt blocks go after the body so they never split a sentence or list
                    self._alts.append((*span, parent.region))
        elif tag == "meta" and not parent.hard:
            names = {(a.get("name") or "").strip().lower(),
                     (a.get("property") or "").strip().lower()}
            if names & _META_NAMES and a.get("content"):
                span = self._attr_value(start, end, "content")
                if span:
                    self._break()
                    self._text(*span)
                    self._b.end_block("meta", region="head")

    def handle_endtag(self, tag: str) -> None:
        """Close the nearest open element of this name (and all inside it); ignore strays."""
        if tag in _VOID:
            if tag == "br":  # browsers read </br> as <br>
                start = self._pos()
                end = self._src.find(">", start)
                self._void(tag, {}, start, end + 1 if end >= 0 else start + 4)
            return
        if not self._counts.get(tag):
            if tag == "p":  # a stray </p> makes an empty paragraph: still a break
                self._break()
            return
        stack = self._stack
        i = len(stack) - 1
        while stack[i].tag != tag:
            i -= 1
        self._pop_to(i)

    def _pop_to(self, i: int) -> None:
        """Close ``stack[i:]``, ending the current block first if a block element closes."""
        stack, counts = self._stack, self._counts
        if any(e.block for e in stack[i:]):
            self._break()
        for e in stack[i:]:
            counts[e.tag] -= 1
        del stack[i:]

    def _find(self, names: tuple[str, ...], stop: frozenset[str]) -> int | None:
        """Index of the nearest open element in ``names`` not beyond a ``stop`` element."""
        if not any(self._counts.get(name) for name in names):
            return None
        stack = self._stack
        for i in range(len(stack) - 1, max(-1, len(stack) - 1 - _SCOPE_LIMIT), -1):
            if stack[i].tag in names:
                return i
            if stack[i].tag in stop:
                return None
        return None

    def _implicit_close(self, tag: str) -> None:
        """Close elements a start tag ends implicitly: <p> by a block, <li> by <li>, and so on."""
        found: list[int | None] = []
        if tag not in _HEAD_CONTENT and tag != "head":
            found.append(self._find(("head",), _NO_SCOPE))
        if tag in _CLOSES_P:
            found.append(self._find(("p",), _SCOPE))
        if tag == "li":
            found.append(self._find(("li",), _LIST_SCOPE))
        elif tag in ("dt", "dd"):
            found.append(self._find(("dt", "dd"), _DL_SCOPE))
        elif tag in ("td", "th"):
            found.append(self._find(("td", "th"), _ROW_SCOPE))
        elif tag == "tr":
            found.append(self._find(("tr",), _TABLE_SCOPE))
        elif tag in ("thead", "tbody", "tfoot"):
            found.append(self._find(("thead", "tbody", "tfoot"), _SECTION_SCOPE))
        elif tag in ("option", "optgroup"):
            names = ("option",) if tag == "option" else ("option", "optgroup")
            found.append(self._find(names, _SELECT_SCOPE))
        elif tag in _HEADINGS and self._top().tag in _HEADINGS:
            found.append(len(self._stack) - 1)
        hits = [i for i in found if i is not None]
        if hits:
            self._pop_to(min(hits))


def read_html(source: str, path: str = "<html>") -> Document:
    """Read an HTML page into a Document of its visible text, mapped to exact source offsets.

    Never raises on malformed markup and runs in time linear in the size of the page.
    """
    return _Reader(source, path).run()
