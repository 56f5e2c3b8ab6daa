"""Markdown reader: the prose of a Markdown page, every character mapped to its exact source.

markdown-it-py gives line ranges for block tokens only, so each inline token's content is
aligned to its source lines once, and its children are then walked with a cursor over that
content, stepping over markup (``**``, ``[``, ``](url)``, code spans) in linear time.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_block import table as _table_rule
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin

from claimlint.document import Document, DocumentBuilder, line_starts

try:  # the whitespace markdown-it trims from paragraphs, headings and table cells
    from markdown_it.common.utils import MD_TRIM_CHARS as _TRIM
except ImportError:  # older markdown-it-py trims Python whitespace
    _TRIM = None

_EMPHASIS = frozenset({"em_open", "em_close", "strong_open", "strong_close", "s_open", "s_close"})
_MAX_LABEL = 1000  # link reference labels are at most 999 characters


def read_markdown(source: str, path: str = "<markdown>") -> Document:
    """Read Markdown prose (headings, paragraphs, list items, table cells) into a Document;
    code, front matter, URLs and raw HTML are left out, HTML comments are recorded."""
    return _Reader(source, path).read()


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    """CommonMark plus tables and strikethrough, front matter skipped, escapes and entities
    kept as separate tokens (no ``text_join``) so their source spelling stays known; inline
    parsing is left to the reader, one block at a time, to keep memory low."""
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"]).use(front_matter_plugin)
    md.disable(["text_join", "inline"])
    md.block.ruler.at("table", _table_with_rows, {"alt": ["paragraph", "reference"]})
    return md


def _table_with_rows(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """The table rule, also noting in each cell's inline token its index in the row and the
    column where the row's text starts (after blockquote or list markers)."""
    first = len(state.tokens)
    if not _table_rule(state, start_line, end_line, silent):
        return False
    if not silent:
        columns: dict[int, int] = {}
        src = state.src
        cell = 0
        for tok in state.tokens[first:]:
            if tok.type == "tr_open":
                cell = 0
            elif tok.type == "inline" and tok.map:
                line = tok.map[0]
                if line not in columns:
                    pos = state.bMarks[line] + state.tShift[line]
                    columns[line] = pos - (src.rfind("\n", 0, pos) + 1)
                tok.meta["row_column"] = columns[line]
                tok.meta["cell_index"] = cell
                cell += 1
    return True


class _Map:
    """Piecewise-linear map from offsets in an inline token's content to source offsets:
    content offset ``cb[k] + d`` is source offset ``sb[k] + d`` until the next breakpoint."""

    __slots__ = ("cb", "sb")

    def __init__(self, cb: list[int], sb: list[int]) -> None:
        self.cb, self.sb = cb, sb

    def src(self, c: int) -> int:
        k = max(bisect_right(self.cb, c) - 1, 0)
        return self.sb[k] + c - self.cb[k]

    def src_end(self, c: int) -> int:
        """Source offset just after content character ``c - 1`` (an exclusive end)."""
        return self.src(c - 1) + 1 if c > 0 else self.src(0)


class _Reader:
    """One pass over the block tokens; ``misses`` counts places where the source could not
    be located exactly (text is then kept with an approximate position)."""

    def __init__(self, source: str, path: str) -> None:
        self.source = source
        # markdown-it turns NUL into U+FFFD (same length) and line endings into "\n"
        self.norm = source.replace("\0", "\ufffd") if "\0" in source else source
        self.lines = line_starts(source)
        self.builder = DocumentBuilder(path, "markdown", source)
        self.md = _parser()
        self.misses = 0
        self.env: dict = {}  # link reference definitions, filled by the block parser
        self._row_key: tuple[int, int] | None = None
        self._row: list[tuple[int, int]] = []

    # -- blocks ---------------------------------------------------------------------------

    def read(self) -> Document:
        tokens = self.md.parse(self.source, self.env)
        tokens.reverse()  # popped one by one, so a large file's tokens are freed as we go
        containers: list[str] = []
        opener: Token | None = None
        while tokens:
            tok = tokens.pop()
            t = tok.type
            if t == "inline":
                self._block(tok, opener, containers)
            elif t in ("list_item_open", "blockquote_open"):
                containers.append(t)
            elif t in ("list_item_close", "blockquote_close"):
                if containers:
                    containers.pop()
            elif t == "html_block":
                self._html_block(tok)
            opener = tok
        return self.builder.build()

    def _block(self, tok: Token, opener: Token | None, containers: list[str]) -> None:
        if not tok.content:
            return
        parent = opener.type if opener is not None else ""
        if parent == "heading_open":
            kind = "heading"
            cmap = self._heading_map(tok) if opener.markup.startswith("#") else None
        elif parent in ("th_open", "td_open"):
            kind = "table_cell"
            cmap = self._cell_map(tok)
        else:
            kind = "list_item" if containers and containers[-1] == "list_item_open" else (
                "paragraph")
            cmap = None
        if cmap is None:
            cmap = self._lines_map(tok)
        children: list[Token] = []
        self.md.inline.parse(tok.content, self.md, self.env, children)
        end = self._walk(children, tok.content, cmap, 0)
        if end != len(tok.content):
            self.misses += 1
        self.builder.end_block(kind)

    def _line_bounds(self, line: int) -> tuple[int, int]:
        """Source offsets of a line's start and end (before its line ending)."""
        start = self.lines[line]
        end = self.lines[line + 1] if line + 1 < len(self.lines) else len(self.source)
        while end > start and self.source[end - 1] in "\r\n":
            end -= 1
        return start, end

    def _lines_map(self, tok: Token) -> _Map:
        """Align each content line (a suffix of its source line, after container markers and
        indentation, trimmed) with the source line it came from."""
        cb: list[int] = []
        sb: list[int] = []
        texts = tok.content.split("\n")
        first, stop = tok.map if tok.map else (0, len(texts))
        # lines of nothing but Unicode whitespace (NBSP, form feed) may be trimmed away
        # before the first content line
        core = texts[0].strip()
        for skip in range(stop - first - len(texts) + 1):
            if self._suffix_at(first + skip, core) is not None:
                first += skip
                break
        c = 0
        for k, text in enumerate(texts):
            line = first + k
            if line >= len(self.lines):
                self.misses += 1
                break
            core = text.strip()
            s = self.lines[line]
            if core:
                at = self._suffix_at(line, core)
                if at is None:
                    self.misses += 1
                else:
                    s = at - (len(text) - len(text.lstrip()))
            cb.append(c)
            sb.append(s)
            c += len(text) + 1
        return _Map(cb or [0], sb or [0])

    def _suffix_at(self, line: int, core: str) -> int | None:
        """Source offset of ``core`` if it ends source ``line`` (but for whitespace)."""
        if line >= len(self.lines):
            return None
        start, end = self._line_bounds(line)
        src_line = self.norm[start:end].rstrip()
        if not src_line.endswith(core):
            return None
        return start + len(src_line) - len(core)

    def _heading_map(self, tok: Token) -> _Map | None:
        """An ATX heading's content follows the first ``#`` run on its line."""
        if not tok.map:
            return None
        start, end = self._line_bounds(tok.map[0])
        line = self.norm[start:end]
        p = line.find("#")
        while 0 <= p < len(line) and line[p] == "#":
            p += 1
        q = line.find(tok.content, max(p, 0)) if p >= 0 else -1
        if q < 0:
            self.misses += 1
            return None
        return _Map([0], [start + q])

    def _cell_map(self, tok: Token) -> _Map | None:
        """Split the row's source text at unescaped pipes as the table rule does; the cell's
        content drops the backslash of each ``\\|``, so the map breaks after each one."""
        col = tok.meta.get("row_column")
        if not tok.map or col is None or not tok.content:
            if tok.content:
                self.misses += 1
            return None
        cell = tok.meta.get("cell_index", 0)
        start, end = self._line_bounds(tok.map[0])
        row = self._row_cells(start + col, end)
        if cell >= len(row):
            self.misses += 1
            return None
        a, b = row[cell]
        raw = self.norm[a:b]
        lead = len(raw) - len(raw.lstrip(_TRIM))
        cs = a + lead
        cb, sb = [0], [cs]
        dropped = 0
        j = self.norm.find("|", cs, b)
        while j >= 0:  # every pipe inside a cell is escaped
            dropped += 1
            cb.append(j - cs - dropped)
            sb.append(j)
            j = self.norm.find("|", j + 1, b)
        cmap = _Map(cb, sb)
        if raw.replace("\\|", "|").strip(_TRIM) != tok.content:
            self.misses += 1
        return cmap

    def _row_cells(self, start: int, end: int) -> list[tuple[int, int]]:
        """Source ranges of a table row's cells, as markdown-it's ``escapedSplit`` finds them."""
        key = (start, end)
        if self._row_key == key:
            return self._row
        text = self.norm[start:end]
        a = start + len(text) - len(text.lstrip(_TRIM))
        b = start + len(text.rstrip(_TRIM))
        cells: list[tuple[int, int]] = []
        last, escaped = a, False
        for j in range(a, b):
            ch = self.norm[j]
            if ch == "|" and not escaped:
                cells.append((last, j))
                last = j + 1
            escaped = ch == "\\"
        cells.append((last, b))
        if cells and cells[0][0] == cells[0][1]:
            cells.pop(0)
        if cells and cells[-1][0] == cells[-1][1]:
            cells.pop()
        self._row_key, self._row = key, cells
        return cells

    def _html_block(self, tok: Token) -> None:
        """Record the HTML comments in a raw HTML block; its other text is skipped."""
        if not tok.map:
            return
        start = self.lines[tok.map[0]]
        end = self._line_bounds(tok.map[1] - 1)[1] if tok.map[1] > tok.map[0] else start
        src = self.source
        i = src.find("<!--", start, end)
        while i >= 0:
            j = src.find("-->", i + 2, end)
            if j < 0:
                break
            self.builder.comment(i, j + 3, src[i + 4:j].strip() if j >= i + 4 else "")
            i = src.find("<!--", j + 3, end)

    # -- inline ---------------------------------------------------------------------------

    def _walk(self, children: Sequence[Token], content: str, cmap: _Map, cursor: int) -> int:
        """Emit the text of inline tokens; returns the content offset after the last one."""
        b = self.builder
        n = len(content)
        i, count = 0, len(children)
        while i < count:
            tok = children[i]
            t = tok.type
            if t == "text":
                cursor = self._text(tok.content, content, cmap, cursor)
            elif t == "text_special":
                mk = tok.markup
                if content.startswith(mk, cursor):
                    b.add_mapped(tok.content, cmap.src(cursor), cmap.src_end(cursor + len(mk)))
                    cursor += len(mk)
                else:
                    self._lost(tok.content, cmap, cursor)
            elif t in ("softbreak", "hardbreak"):
                start = cursor
                cursor = _skip_spaces(content, cursor)
                if t == "hardbreak" and content.startswith("\\\n", cursor):
                    cursor += 1
                if content.startswith("\n", cursor):
                    cursor = _skip_spaces(content, cursor + 1)
                else:
                    self.misses += 1
                b.space(cmap.src(start), cmap.src(cursor))
            elif t in _EMPHASIS:
                if content.startswith(tok.markup, cursor):
                    cursor += len(tok.markup)
                else:
                    self.misses += 1
            elif t == "link_open":
                if tok.info == "auto":  # <https://…>: a URL, not prose
                    close = content.find(">", cursor) if content.startswith("<", cursor) else -1
                    if close < 0:
                        self.misses += 1
                    else:
                        cursor = close + 1
                    while i + 1 < count and children[i + 1].type != "link_close":
                        i += 1
                    i += 1
                elif content.startswith("[", cursor):
                    cursor += 1
                else:
                    self.misses += 1
            elif t == "link_close":
                cursor = self._link_tail(content, cursor, image=False)
            elif t == "image":
                if content.startswith("![", cursor):
                    cursor = self._walk(tok.children or [], content, cmap, cursor + 2)
                    cursor = self._link_tail(content, cursor, image=True)
                else:
                    self.misses += 1
            elif t == "code_inline":
                cursor = self._code_span(content, cursor, len(tok.markup))
            elif t == "html_inline":
                html = tok.content
                if content.startswith(html, cursor):
                    if html.startswith("<!--"):
                        inner = html[4:-3].strip() if len(html) >= 7 else ""
                        b.comment(cmap.src(cursor), cmap.src_end(cursor + len(html)), inner)
                    cursor += len(html)
                else:
                    self.misses += 1
            i += 1
            if cursor > n:
                cursor = n
        return cursor

    def _text(self, text: str, content: str, cmap: _Map, cursor: int) -> int:
        """Emit a text token expected at ``cursor``; returns the offset after it."""
        if not text:
            return cursor
        if not content.startswith(text, cursor):
            found = content.find(text, cursor, cursor + len(text) + 64)
            self.misses += 1
            if found < 0:
                self._lost(text, cmap, cursor)
                return cursor
            cursor = found
        self._verbatim(content, cmap, cursor, cursor + len(text))
        return cursor + len(text)

    def _verbatim(self, content: str, cmap: _Map, c0: int, c1: int) -> None:
        """Add content[c0:c1], split where the map breaks, checking each piece is a copy."""
        cb, sb = cmap.cb, cmap.sb
        k = max(bisect_right(cb, c0) - 1, 0)
        while c0 < c1:
            stop = min(c1, cb[k + 1]) if k + 1 < len(cb) else c1
            s0 = sb[k] + c0 - cb[k]
            piece = content[c0:stop]
            if s0 >= 0 and self.source.startswith(piece, s0):
                self.builder.add(piece, s0)
            else:  # a NUL read as U+FFFD, or tab-expanded indentation
                self._words(piece, s0)
            c0 = stop
            k += 1

    def _words(self, piece: str, s0: int) -> None:
        """Emit a piece that is not an exact copy word by word, each word as a whole."""
        limit = len(self.source)
        i, n = 0, len(piece)
        while i < n:
            j = i + 1
            space = piece[i].isspace()
            while j < n and piece[j].isspace() == space:
                j += 1
            a, z = min(max(s0 + i, 0), limit), min(max(s0 + j, 0), limit)
            if space:
                self.builder.space(a, z)
            elif self.source[a:z] == piece[i:j]:
                self.builder.add(piece[i:j], a)
            else:
                self.builder.add_mapped(piece[i:j], a, z)
            i = j

    def _lost(self, text: str, cmap: _Map, cursor: int) -> None:
        """Keep text whose source could not be found, pinned to the cursor's position."""
        self.misses += 1
        at = min(max(cmap.src(cursor), 0), len(self.source))
        self.builder.add_mapped(text, at, at)

    def _code_span(self, content: str, cursor: int, ticks: int) -> int:
        """Offset after the code span opening at ``cursor`` (closed by a run of ``ticks``)."""
        n = len(content)
        p = cursor + ticks
        while True:
            q = content.find("`", p)
            if q < 0:
                self.misses += 1
                return cursor + ticks
            r = q + 1
            while r < n and content[r] == "`":
                r += 1
            if r - q == ticks:
                return r
            p = r

    def _link_tail(self, content: str, cursor: int, *, image: bool) -> int:
        """Offset after ``](url "title")``, ``][ref]``, ``][]`` or ``]`` at ``cursor``;
        mirrors markdown-it's link and image rules."""
        if not content.startswith("]", cursor):
            self.misses += 1
            return cursor
        md = self.md
        n = len(content)
        label_end = pos = cursor + 1
        if pos < n and content[pos] == "(":
            pos = _skip_ws(content, pos + 1)
            res = md.helpers.parseLinkDestination(content, pos, n)
            if res.ok:
                if md.validateLink(md.normalizeLink(res.str)):
                    pos = res.pos
                start = pos
                pos = _skip_ws(content, pos)
                res = md.helpers.parseLinkTitle(content, pos, n)
                if pos < n and start != pos and res.ok:
                    pos = _skip_ws(content, res.pos)
            if pos < n and content[pos] == ")":
                return pos + 1
            if image:
                self.misses += 1
                return label_end
            pos += 1  # markdown-it looks for a reference label from here
        if pos < n and content[pos] == "[":
            close = _label_close(content, pos)
            if close >= 0:
                return close + 1
        return label_end


def _skip_spaces(content: str, pos: int) -> int:
    n = len(content)
    while pos < n and content[pos] in " \t":
        pos += 1
    return pos


def _skip_ws(content: str, pos: int) -> int:
    n = len(content)
    while pos < n and content[pos] in " \t\n":
        pos += 1
    return pos


def _label_close(content: str, pos: int) -> int:
    """Offset of the ``]`` closing the reference label opened at ``pos``, or -1."""
    n = min(len(content), pos + _MAX_LABEL + 1)
    p = pos + 1
    while p < n:
        ch = content[p]
        if ch == "\\":
            p += 2
            continue
        if ch == "]":
            return p
        if ch == "[":
            return -1
        p += 1
    return -1
