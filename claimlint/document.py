"""The Document: the text a reader of the page would see, mapped back to exact source offsets.

Readers build a Document with a DocumentBuilder; the engine reads ``text`` and asks the
Document where a span of it came from (``source_range``) and at which line and column that is
(``position``). Offsets are in characters of the decoded source string.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from claimlint.confusables import fold

BLOCK_BREAK = "\n\n"
# whitespace that is not a lone ASCII space between words: it collapses to one space
_ODD_SPACE = re.compile(r"[^\S ]\s*| \s+")
# A block introduces the list after it when it ends in a colon ("Conditions we treat:"), names
# "the following" ("...anyone with the following conditions."), or is a short line with no
# closing punctuation but a question mark, as headings are ("Ideal candidates", "Who can
# benefit?").
_OPENS_LIST = re.compile(r"(?::|\bfollowing\b[^.!?:;]{0,60}[.:]?)\s*$", re.IGNORECASE)
HEADING_WORDS = 8
# a bibliography entry ("Qi Y, Feng G. Mol Biol Rep. 2012 May;39(5):5683-9."): year;volume:pages,
# a DOI or PubMed id, or a list of authors with initials; it reports a paper, it sells nothing
_CITED = re.compile(
    r"\b(?:19|20)\d\d(?:\s+[A-Z][a-z]{2}(?:\s+\d{1,2})?)?\s*;\s*\d+\s*(?:\(\s*[\w-]+\s*\))?\s*:\s*[A-Za-z]?\d"
    r"|\bdoi\s*:\s*10\.\d{4,}|\bdoi\.org/10\.\d{4,}|\bPMID\s*:?\s*\d{5,}|\bPMC\d{5,}"
    r"|(?:\b[A-Z][\w'\u2019-]+\s+[A-Z]{1,3}(?:,\s+|\.\s*$|\s+(?:and|&)\s+)){3,}")
# what any match of _CITED holds (one author with initials, a year and a ';', or a literal):
# tested first, since _CITED tries its alternatives at every place of a paragraph
_YEAR = re.compile(r"(?:19|20)\d\d")
_ONE_AUTHOR = re.compile(r"[A-Z][\w'\u2019-]+\s+[A-Z]{1,3}(?:,\s|\.\s*$|\s+(?:and|&)\s)")


def _may_cite(text: str) -> bool:
    """False where ``_CITED`` certainly finds nothing (cheap tests first)."""
    return bool("doi" in text or "PMID" in text or "PMC" in text
                or ";" in text and _YEAR.search(text) or _ONE_AUTHOR.search(text))


_AUTHORS_FIRST = re.compile(r"^\W*(?:[A-Z][\w'\u2019-]+\s+[A-Z]{1,3}\b[,.]\s*){2,}")
_SELLER_VOICE = re.compile(r"\b(?:we|our|us|you|your|i|my)\b", re.IGNORECASE)
REFERENCE_WORDS = 40
REFERENCE_CHARS = 1500  # longer blocks are prose, never one entry


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of document text copied from, or standing for, a run of source text.

    When ``text_len == source_len`` the run is an exact copy and maps character by character;
    otherwise (an entity, a collapsed whitespace run) the whole run maps to the whole source run.
    """

    text_start: int
    text_len: int
    source_start: int
    source_len: int


@dataclass(frozen=True)
class Block:
    """A block of text that ends sentences: a paragraph, heading, list item, title, alt text.

    ``lead`` is the text range of the sentence that introduces a list ("Avoid clinics that
    offer:"), so list items can inherit its context.
    """

    start: int
    end: int
    kind: str
    region: str = "main"
    lead: tuple[int, int] | None = None


@dataclass(frozen=True)
class Comment:
    """A source comment (HTML or Markdown), kept for inline suppressions."""

    source_start: int
    source_end: int
    text: str


@dataclass
class Document:
    """Extracted text plus everything needed to point back at the source."""

    path: str
    kind: str
    source: str
    text: str
    segments: list[Segment]
    blocks: list[Block]
    comments: list[Comment] = field(default_factory=list)
    encoding_note: str | None = None  # set by the loader when it fell back from UTF-8
    written: str | None = None  # the text as written, where ``text`` reads look-alike letters
    _page_kind: str | None = field(default=None, repr=False)  # decided on first use
    _seg_starts: list[int] = field(default_factory=list, repr=False)
    _line_starts: list[int] = field(default_factory=list, repr=False)
    _block_starts: list[int] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._seg_starts = [s.text_start for s in self.segments]
        self._line_starts = line_starts(self.source)
        self._block_starts = [b.start for b in self.blocks]

    @property
    def quoted(self) -> str:
        """The text as the page writes it, for quoting: ``text`` with any look-alike letters
        from another alphabet as written (``claimlint.confusables``); offsets are the same."""
        return self.written if self.written is not None else self.text

    @property
    def page_kind(self) -> str:
        """Who is speaking: promotional, mixed or educational (``claimlint.pagekind``),
        decided from the text the first time it is asked, unless it was set (configuration)."""
        if self._page_kind is None:
            from claimlint.pagekind import classify

            self._page_kind = classify(self.text).kind
        return self._page_kind

    @page_kind.setter
    def page_kind(self, kind: str) -> None:
        self._page_kind = kind

    def source_offset(self, text_offset: int, *, end: bool = False) -> int:
        """Source offset of a text offset; ``end=True`` maps an exclusive end position."""
        probe = text_offset - 1 if end else text_offset
        i = bisect_right(self._seg_starts, probe) - 1
        if i < 0:
            return self.segments[0].source_start if self.segments else 0
        seg = self.segments[i]
        inside = probe - seg.text_start
        if inside >= seg.text_len:  # in text the reader inserted (block breaks): no source
            return seg.source_start + seg.source_len
        if seg.text_len == seg.source_len:
            return seg.source_start + inside + (1 if end else 0)
        return seg.source_start + (seg.source_len if end else 0)

    def source_range(self, start: int, end: int) -> tuple[int, int]:
        """Source range of the text range ``[start, end)``."""
        s = self.source_offset(start)
        e = self.source_offset(end, end=True) if end > start else s
        return s, max(s, e)

    def position(self, source_offset: int) -> tuple[int, int]:
        """1-based (line, column) of a source offset, columns counted in characters."""
        i = bisect_right(self._line_starts, source_offset) - 1
        return i + 1, source_offset - self._line_starts[i] + 1

    def source_line(self, line: int) -> str:
        """The source line ``line`` (1-based) without its line ending."""
        start = self._line_starts[line - 1]
        end = self._line_starts[line] if line < len(self._line_starts) else len(self.source)
        return self.source[start:end].rstrip("\r\n")

    def line_offset(self, line: int) -> int:
        """Source offset where 1-based ``line`` starts (the source's end past the last line)."""
        if line > len(self._line_starts):
            return len(self.source)
        return self._line_starts[line - 1]

    def block_index(self, text_offset: int) -> int | None:
        """Index of the block containing a text offset (None between blocks)."""
        i = bisect_right(self._block_starts, text_offset) - 1
        return i if i >= 0 and text_offset < self.blocks[i].end else None

    def block_at(self, text_offset: int) -> Block | None:
        """The block containing a text offset."""
        i = self.block_index(text_offset)
        return None if i is None else self.blocks[i]


def line_starts(source: str) -> list[int]:
    """Offsets where each line starts; CRLF, LF and lone CR all end a line."""
    starts = [0]
    i, n = 0, len(source)
    find = source.find
    while True:
        j = find("\n", i)
        k = find("\r", i, j if j >= 0 else n)
        if k >= 0:  # a CR before the next LF
            if k + 1 < n and source[k + 1] == "\n":
                starts.append(k + 2)
                i = k + 2
            else:
                starts.append(k + 1)
                i = k + 1
            continue
        if j < 0:
            return starts
        starts.append(j + 1)
        i = j + 1


def _words_at_most(text: str, n: int) -> bool:
    """``len(text.split()) <= n``, without splitting a long text whole."""
    return len(text.split(None, n)) <= n


class DocumentBuilder:
    """Collects text runs with their source offsets; collapses whitespace like a browser.

    Readers call ``add`` for text copied from the source (and ``add_mapped`` for text that
    stands for different source characters, like ``&amp;``), ``end_block`` after every
    block element, and ``comment`` for comments. Whitespace runs become one space mapped to
    the whole run; whitespace at the start or end of a block is dropped.
    """

    def __init__(self, path: str, kind: str, source: str) -> None:
        self.path, self.kind, self.source = path, kind, source
        self._parts: list[str] = []
        self._len = 0
        self._segments: list[Segment] = []
        self._blocks: list[Block] = []
        self._comments: list[Comment] = []
        self._block_start = 0
        self._block_part = 0  # index in _parts where the current block begins
        self._joined: tuple[tuple[int, int], str] = ((-1, -1), "")  # _block_text's last answer
        self._pending_space: tuple[int, int] | None = None  # source range of a whitespace run
        self._lead: tuple[int, int] | None = None

    def _emit(self, text: str, source_start: int, source_len: int) -> None:
        self._parts.append(text)
        self._segments.append(Segment(self._len, len(text), source_start, source_len))
        self._len += len(text)

    def _flush_space(self) -> None:
        if self._pending_space is not None:
            if self._len > self._block_start:
                start, end = self._pending_space
                self._emit(" ", start, end - start)
            self._pending_space = None

    def space(self, source_start: int, source_end: int) -> None:
        """Record whitespace (or an inline break) between words at this source range."""
        if self._pending_space is None:
            self._pending_space = (source_start, source_end)
        else:
            self._pending_space = (self._pending_space[0], max(source_end, self._pending_space[1]))

    def add(self, text: str, source_start: int) -> None:
        """Add text copied verbatim from ``source[source_start:source_start+len(text)]``.

        Runs of words separated by single spaces are copied as one segment; any other
        whitespace (newlines, tabs, several spaces) collapses to one mapped space.
        """
        if text.isprintable() and "  " not in text:  # no whitespace but single spaces
            if text:
                self._add_run(text, source_start)
            return
        i = 0
        for m in _ODD_SPACE.finditer(text):
            if m.start() > i:
                self._add_run(text[i:m.start()], source_start + i)
            self.space(source_start + m.start(), source_start + m.end())
            i = m.end()
        if i < len(text):
            self._add_run(text[i:], source_start + i)

    def _add_run(self, run: str, source_start: int) -> None:
        """A run whose whitespace is single ASCII spaces (possibly at its ends)."""
        if run[0] == " ":
            self.space(source_start, source_start + 1)
            run, source_start = run[1:], source_start + 1
            if not run:
                return
        trailing = run[-1] == " "
        if trailing:
            run = run[:-1]
        self._flush_space()
        self._emit(run, source_start, len(run))
        if trailing:
            self.space(source_start + len(run), source_start + len(run) + 1)

    def add_mapped(self, text: str, source_start: int, source_end: int) -> None:
        """Add text that stands for ``source[source_start:source_end]`` as a whole."""
        if not text:
            return
        if text.isspace():
            self.space(source_start, source_end)
            return
        self._flush_space()
        self._emit(text, source_start, source_end - source_start)

    def end_block(self, kind: str = "paragraph", region: str = "main") -> Block | None:
        """Close the current block; returns it, or None when it held no text.

        A list item gets as ``lead`` the nearest preceding block that ends with a colon
        ("Avoid clinics that offer:", or an item "Neurological disorders:" heading the items
        after it); any other non-item block ends the list's lead.
        """
        self._pending_space = None
        if self._len == self._block_start:
            return None
        if kind in ("paragraph", "list_item") and self._is_reference():
            kind = "reference"
        lead = self._lead if kind == "list_item" else None
        block = Block(self._block_start, self._len, kind, region, lead)
        if self._opens_list(kind):  # "Conditions we treat:", also an item heading its sub-list
            self._lead = (block.start, block.end)
        elif kind != "list_item":
            self._lead = None
        self._blocks.append(block)
        end_source = self._segments[-1].source_start + self._segments[-1].source_len
        self._parts.append(BLOCK_BREAK)
        self._segments.append(Segment(self._len, len(BLOCK_BREAK), end_source, 0))
        self._len += len(BLOCK_BREAK)
        self._block_start = self._len
        self._block_part = len(self._parts)
        return block

    def _block_text(self) -> str:
        """The text of the block being closed, joined once for the checks that read it."""
        key = (self._block_part, len(self._parts))
        if self._joined[0] != key:
            self._joined = (key, "".join(self._parts[self._block_part:]))
        return self._joined[1]

    def _is_reference(self) -> bool:
        """Is the block just written an entry of a list of references: a paper's citation,
        opening with its authors, or short and in no one's first or second person?"""
        if self._len - self._block_start > REFERENCE_CHARS:
            return False
        text = self._block_text()
        if not _may_cite(text) or not _CITED.search(text):
            return False
        return (_AUTHORS_FIRST.match(text) is not None
                or _words_at_most(text, REFERENCE_WORDS) and not _SELLER_VOICE.search(text))

    def _opens_list(self, kind: str) -> bool:
        """Does the block just written introduce the list items that may follow it?"""
        tail = self._parts[-1]
        if tail.endswith(":"):
            return True
        if kind == "list_item":
            return False
        text = self._block_text()
        if kind == "heading" or (text[-1] not in ".!;," and _words_at_most(text, HEADING_WORDS)):
            return True
        return _OPENS_LIST.search(text[-80:]) is not None

    def comment(self, source_start: int, source_end: int, text: str) -> None:
        """Record a source comment (for inline suppressions)."""
        self._comments.append(Comment(source_start, source_end, text))

    def build(self) -> Document:
        """Finish the last block and return the Document."""
        self.end_block()
        written = "".join(self._parts)
        text = fold(written)
        return Document(self.path, self.kind, self.source, text, self._segments, self._blocks,
                        self._comments, written=None if text is written else written)
