"""The Markdown reader: prose only, and every character of it mapped to its exact source."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimlint.document import Document
from claimlint.readers.markdown import _Reader, read_markdown


def read(source: str) -> Document:
    """Read, and insist the reader located every piece of text exactly (no fallbacks)."""
    reader = _Reader(source, "clinic.md")
    doc = reader.read()
    assert reader.misses == 0, "the reader fell back to an approximate position"
    assert doc.kind == "markdown" and doc.path == "clinic.md"
    return doc


def locate(doc: Document, phrase: str, nth: int = 0) -> tuple[str, tuple[int, int]]:
    """The source characters behind the ``nth`` occurrence of ``phrase`` in doc.text, and the
    1-based (line, column) where they start."""
    at = -1
    for _ in range(nth + 1):
        at = doc.text.find(phrase, at + 1)
        assert at >= 0, f"{phrase!r} not in {doc.text!r}"
    start, end = doc.source_range(at, at + len(phrase))
    return doc.source[start:end], doc.position(start)


# -- exact source positions ---------------------------------------------------------------

@pytest.mark.parametrize(
    ("source", "phrase", "original", "line", "column"),
    [
        ("Our **guaranteed** results speak.\n",
         "guaranteed results", "guaranteed** results", 1, 7),
        ("Stem cells with [no side effects](https://x.test) at all.\n",
         "no side effects", "no side effects", 1, 18),
        ("Founded by Smith &amp; Jones in 2009.\n",
         "Smith & Jones", "Smith &amp; Jones", 1, 12),
        ("A *proven* cure for _knee_ pain.\n",
         "proven cure for knee pain", "proven* cure for _knee_ pain", 1, 4),
        ("Now ~~FDA approved~~ FDA registered.\n",
         "FDA approved FDA", "FDA approved~~ FDA", 1, 7),
        ("Success rate: 100\\% \\*guaranteed\\*.\n",
         "100% *guaranteed*", "100\\% \\*guaranteed\\*", 1, 15),
        ("Prices &#36;4,000 &ndash; &#x24;9,000.\n",
         "$4,000 – $9,000", "&#36;4,000 &ndash; &#x24;9,000", 1, 8),
        ("Read [our **risk-free** promise][promise] today.\n\n[promise]: https://x.test/p\n",
         "our risk-free promise today", "our **risk-free** promise][promise] today", 1, 7),
        ("See [reviews][] and [results].\n\n[reviews]: /r\n[results]: /s\n",
         "reviews and results.", "reviews][] and [results].", 1, 6),
        ('Try [cells](https://x.test "Miracle cells") now.\n',
         "cells now", 'cells](https://x.test "Miracle cells") now', 1, 6),
        ("Before: ![healed knee, no surgery](knee.jpg) after.\n",
         "healed knee, no surgery after", "healed knee, no surgery](knee.jpg) after", 1, 11),
        ("Call `1-800-STEM` or *visit* today.\n",
         "or visit today", "or *visit* today", 1, 19),
        ("Clinic in Zürich 🧬 *cures* arthritis.\n",
         "cures arthritis", "cures* arthritis", 1, 21),
        ("Клиника: *лечит* всё. Stem cells **heal**.\n",
         "Stem cells heal", "Stem cells **heal", 1, 23),
        ("Tabs\tbefore *stem\tcells* here.\n",
         "stem cells here", "stem\tcells* here", 1, 14),
    ],
)
def test_inline_markup_maps_to_exact_source(source, phrase, original, line, column):
    doc = read(source)
    assert locate(doc, phrase) == (original, (line, column))


def test_hard_wrapped_paragraph_with_crlf():
    source = ("# Regenerative care\r\n\r\nOur treatment heals\r\nevery joint and is\r\n"
              "*100% safe* for patients.\r\n")
    doc = read(source)
    assert doc.text.startswith("Regenerative care\n\nOur treatment heals every joint")
    assert locate(doc, "heals every joint") == ("heals\r\nevery joint", (3, 15))
    assert locate(doc, "100% safe for patients") == ("100% safe* for patients", (5, 2))
    assert locate(doc, "care") == ("care", (1, 16))


def test_lone_cr_line_endings():
    doc = read("First line\rsecond *line*\r\rThird para\r")
    assert locate(doc, "line second line") == ("line\rsecond *line", (1, 7))
    assert locate(doc, "Third") == ("Third", (4, 1))


def test_hard_breaks():
    doc = read("No pain.  \nNo downtime.\\\n   No *risk*.\n")
    assert doc.text.startswith("No pain. No downtime. No risk.")
    assert locate(doc, "pain. No downtime") == ("pain.  \nNo downtime", (1, 4))
    assert locate(doc, "downtime. No risk") == ("downtime.\\\n   No *risk", (2, 4))


def test_headings_atx_with_closing_hashes_and_setext():
    source = ("## Stem *cell* therapy #1 ##\n\n"
              "#   Spaced   heading   #####   \n\n"
              "Miracle results\n"
              "in *weeks*\n"
              "===============\n\n"
              "Subheading here\n"
              "---\n")
    doc = read(source)
    kinds = [(b.kind, doc.text[b.start:b.end]) for b in doc.blocks]
    assert kinds == [("heading", "Stem cell therapy #1"), ("heading", "Spaced heading"),
                     ("heading", "Miracle results in weeks"), ("heading", "Subheading here")]
    assert locate(doc, "cell therapy #1") == ("cell* therapy #1", (1, 10))
    assert locate(doc, "Spaced heading") == ("Spaced   heading", (3, 5))
    assert locate(doc, "results in weeks") == ("results\nin *weeks", (5, 9))
    assert locate(doc, "Subheading") == ("Subheading", (9, 1))


def test_nested_lists_and_indentation():
    source = ("Our therapies:\n\n"
              "- Knee *repair*\n"
              "  - with **no surgery**\n"
              "    and no rest\n"
              "    1. Ordered *item*\n"
              "-\tTabbed item\n"
              "10. Wide marker text\n")
    doc = read(source)
    items = [doc.text[b.start:b.end] for b in doc.blocks if b.kind == "list_item"]
    assert items == ["Knee repair", "with no surgery and no rest", "Ordered item",
                     "Tabbed item", "Wide marker text"]
    assert locate(doc, "no surgery and no rest") == ("no surgery**\n    and no rest", (4, 12))
    assert locate(doc, "Ordered item") == ("Ordered *item", (6, 8))
    assert locate(doc, "Tabbed item") == ("Tabbed item", (7, 3))
    assert locate(doc, "Wide") == ("Wide", (8, 5))


def test_blockquotes():
    source = ("> Patients say:\n"
              "> *100% success*\n"
              ">  rate, **guaranteed**\n"
              "lazy continuation\n\n"
              "> > Nested quote &copy; clinic\n"
              ">\tTab after marker\n")
    doc = read(source)
    assert locate(doc, "100% success rate") == ("100% success*\n>  rate", (2, 4))
    assert locate(doc, "guaranteed lazy") == ("guaranteed**\nlazy", (3, 12))
    assert locate(doc, "Nested quote © clinic") == ("Nested quote &copy; clinic", (6, 5))
    assert locate(doc, "Tab after") == ("Tab after", (7, 3))
    assert {b.kind for b in doc.blocks} == {"paragraph"}


def test_tables():
    source = ("| Treatment | Claim |\n"
              "|:----------|------:|\n"
              "| PRP       | *cures* arthritis |\n"
              "| Stem cells | safe \\| proven |\n"
              "| Zürich 🧬 | heals &amp;\\| |\n\n"
              "> | In quote | cell |\n"
              "> |---|---|\n"
              "> | quoted **value** | x |\n")
    doc = read(source)
    cells = [doc.text[b.start:b.end] for b in doc.blocks if b.kind == "table_cell"]
    assert cells == ["Treatment", "Claim", "PRP", "cures arthritis", "Stem cells",
                     "safe | proven", "Zürich 🧬", "heals &|", "In quote", "cell",
                     "quoted value", "x"]
    assert locate(doc, "cures arthritis") == ("cures* arthritis", (3, 16))
    assert locate(doc, "safe | proven") == ("safe \\| proven", (4, 16))
    assert locate(doc, "heals &") == ("heals &amp;", (5, 14))
    assert locate(doc, "quoted value") == ("quoted **value", (9, 5))
    assert locate(doc, "x") == ("x", (9, 24))


def test_block_kinds_and_breaks():
    doc = read("# Title\n\nA paragraph.\n\n- an item\n\n| a |\n|---|\n| b |\n")
    assert [(b.kind, doc.text[b.start:b.end]) for b in doc.blocks] == [
        ("heading", "Title"), ("paragraph", "A paragraph."), ("list_item", "an item"),
        ("table_cell", "a"), ("table_cell", "b")]
    assert doc.text == "Title\n\nA paragraph.\n\nan item\n\na\n\nb\n\n"


def test_list_items_after_a_colon_get_a_lead():
    source = ("Avoid clinics that offer:\n\n"
              "- *guaranteed* cures\n"
              "- treatments with no side effects\n\n"
              "Other text.\n\n"
              "- unrelated item\n")
    doc = read(source)
    items = [b for b in doc.blocks if b.kind == "list_item"]
    assert len(items) == 3
    for item in items[:2]:
        assert item.lead is not None
        assert doc.text[item.lead[0]:item.lead[1]] == "Avoid clinics that offer:"
    assert items[2].lead is None


# -- what is left out ---------------------------------------------------------------------

def test_code_front_matter_urls_and_html_are_left_out():
    source = ("---\n"
              "title: FRONTMATTER cures everything\n"
              "---\n"
              "Visit <https://autolink.test/cure> or <info@clinic.test> and "
              "[our page](https://linkurl.test/path \"LINKTITLE\").\n\n"
              "Run `INLINECODE cure` now.\n\n"
              "```python\n"
              "FENCED = 'cure'\n"
              "```\n\n"
              "~~~\n"
              "TILDEFENCE\n"
              "~~~\n\n"
              "    INDENTEDCODE cure\n\n"
              "<div class=\"claim\">\n"
              "RAWHTML cures everything\n"
              "</div>\n\n"
              "![alt words stay](https://image.test/IMAGEURL.png)\n\n"
              "[ref]: https://REFDEF.test\n")
    doc = read(source)
    for absent in ("FRONTMATTER", "autolink", "info@clinic", "linkurl", "LINKTITLE", "https",
                   "INLINECODE", "FENCED", "TILDEFENCE", "INDENTEDCODE", "RAWHTML", "IMAGEURL",
                   "REFDEF", "title:"):
        assert absent not in doc.text
    assert "Visit or and our page." in doc.text
    assert "Run now." in doc.text
    assert "alt words stay" in doc.text


def test_html_comments_are_recorded_with_exact_offsets():
    source = ("<!-- claimlint-disable GUARANTEE -->\n"
              "We *guarantee* results. <!-- claimlint-disable-next-line SAFETY.none -->\n"
              "> Quoted <!--\n"
              "> claimlint-enable -->\n\n"
              "<div>\n"
              "  <!-- inside html block -->\n"
              "</div>\n\n"
              "```\n<!-- in code: not a comment -->\n```\n\n"
              "Text with `<!-- in code span -->` too.\n")
    doc = read(source)
    got = [(doc.source[c.source_start:c.source_end], c.text) for c in doc.comments]
    assert got == [
        ("<!-- claimlint-disable GUARANTEE -->", "claimlint-disable GUARANTEE"),
        ("<!-- claimlint-disable-next-line SAFETY.none -->",
         "claimlint-disable-next-line SAFETY.none"),
        ("<!--\n> claimlint-enable -->", "claimlint-enable"),
        ("<!-- inside html block -->", "inside html block"),
    ]
    assert doc.position(doc.comments[1].source_start) == (2, 25)
    assert "<!--" not in doc.text and "claimlint" not in doc.text
    assert "We guarantee results." in doc.text


def test_empty_and_markup_only_sources():
    assert read("").text == ""
    assert read("\n\n---\n\n```\ncode\n```\n").blocks == []
    doc = read_markdown("# \n\n* * *\n", "x.md")
    assert doc.text == "" and doc.kind == "markdown"


def test_nul_and_control_characters_do_not_break_mapping():
    source = "Safe \0 stem cells\n"
    doc = read(source)
    assert locate(doc, "stem cells") == ("stem cells", (1, 8))


def test_lines_of_unicode_whitespace_trimmed_from_a_paragraph():
    doc = read("\u00a0\nStem cells *cure*\n\f\n\n> \u2003\n> Safe **therapy**\n")
    assert locate(doc, "cells cure") == ("cells *cure", (2, 6))
    assert locate(doc, "Safe therapy") == ("Safe **therapy", (6, 3))


def test_long_document_maps_its_last_words():
    para = "Our **stem cell** therapy is [safe](https://x.test) &amp; proven\nfor knee pain.\n\n"
    doc = read(para * 3000 + "Final *claim* here.\n")
    assert locate(doc, "claim here") == ("claim* here", (9001, 8))
    assert locate(doc, "stem cell therapy", nth=2999)[1] == (8998, 7)


def _stress_document(size: int) -> str:
    """Inputs that a reader searching from the start of a block (or of the file) would make
    quadratic: one huge hard-wrapped paragraph, unclosed brackets, many escapes and entities,
    unmatched backticks, a long table with escaped pipes, many links."""
    units = ["Our *stem* cells [cure ", "a&amp;b \\* `x ``y <z ", "[a](u \"t\") [b][r] \\| "]
    para = "".join(units[i % 3] + ("\n" if i % 4 == 3 else "") for i in range(size // 20))
    table = "| a | b |\n|---|---|\n" + "| x \\| y | z \\| w |\n" * (size // 40)
    return para + "\n\n" + table + "\n[r]: /u\n"


def test_stress_document_is_read_without_misses():
    # Linear time is measured in benchmarks/, not asserted here (no timed tests).
    source = _stress_document(160_000)
    doc = read(source)
    assert doc.kind == "markdown" and "stem" in doc.text


# -- property: random Markdown maps back exactly ------------------------------------------

VOCAB = ["stem", "cells", "cure", "guaranteed", "results", "clinic", "therapy", "arthritis",
         "safe", "proven", "zürich", "são", "naïve", "клиника", "ωmega", "patients", "heal",
         "knee", "no", "side", "effects", "rate"]
VOCAB_SET = set(VOCAB)
WORD_RE = re.compile(r"[^\W_]+")

words = st.lists(st.sampled_from(VOCAB), min_size=1, max_size=3).map(" ".join)
word = st.sampled_from(VOCAB)
inline_piece = st.one_of(
    word,
    word,
    word.map(lambda w: f"*{w}*"),
    word.map(lambda w: f"_{w}_"),
    words.map(lambda w: f"**{w}**"),
    words.map(lambda w: f"~~{w}~~"),
    words.map(lambda w: f"[{w}](https://zzurl.test/p)"),
    words.map(lambda w: f'[{w}](<https://zzurl.test/a b> "zztitle")'),
    words.map(lambda w: f"[{w}][zzref]"),
    words.map(lambda w: f"![{w}](zzimg.png)"),
    st.sampled_from(["`zzcode`", "`` zz`code ``", "<https://zzauto.test/x>", "\\*", "\\_",
                     "\\\\", "\\#", "\\|", "&copy;\\|", "&amp;", "&copy;", "&#169;",
                     "&#x1F9EC;", "🧬", "100%", "<!-- zzcomment -->", "<span>", "</span>"]),
)
separator = st.sampled_from([" ", " ", " ", "  ", "\t"])


@st.composite
def inline_line(draw) -> str:
    pieces = draw(st.lists(inline_piece, min_size=1, max_size=6))
    line = pieces[0]
    if line.startswith("<"):  # would open a raw HTML block at the start of a line
        line = draw(word) + " " + line
    for piece in pieces[1:]:
        line += draw(separator) + piece
    return line


@st.composite
def paragraph_lines(draw, max_lines: int = 3) -> list[str]:
    lines = draw(st.lists(inline_line(), min_size=1, max_size=max_lines))
    out = []
    for i, line in enumerate(lines):
        if i < len(lines) - 1:
            line += draw(st.sampled_from(["", "", "  ", "\\", " "]))
        out.append(line)
    return out


@st.composite
def block(draw) -> str:
    kind = draw(st.sampled_from(["para", "para", "heading", "setext", "list", "quote", "fence",
                                 "indented", "table", "comment"]))
    if kind == "para":
        return "\n".join(draw(paragraph_lines()))
    if kind == "heading":
        hashes = "#" * draw(st.integers(1, 6))
        closing = draw(st.sampled_from(["", "", " #", " ###", " ##   "]))
        return f"{hashes} {draw(inline_line())}{closing}"
    if kind == "setext":
        lines = draw(paragraph_lines(2))
        return "\n".join(lines) + "\n" + draw(st.sampled_from(["===", "---", "======"]))
    if kind == "list":
        marker = draw(st.sampled_from(["-", "*", "+", "1."]))
        pad = " " * (len(marker) + 1)
        items = []
        for _ in range(draw(st.integers(1, 3))):
            lines = draw(paragraph_lines(2))
            item = f"{marker} " + f"\n{pad}".join(lines)
            if draw(st.booleans()):
                item += f"\n{pad}- " + draw(inline_line())
            items.append(item)
        return "\n".join(items)
    if kind == "quote":
        prefix = draw(st.sampled_from(["> ", ">", ">\t", "> > "]))
        return "\n".join(prefix + line for line in draw(paragraph_lines()))
    if kind == "fence":
        return "```\nzzfenced zzcode\n  zzindent\n```"
    if kind == "indented":
        return "    zzindented zzcode"
    if kind == "table":
        rows = draw(st.lists(st.lists(inline_line(), min_size=2, max_size=2), min_size=1,
                             max_size=3))
        lines = ["| " + " | ".join(rows[0]) + " |", "|---|:--:|"]
        lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
        return "\n".join(lines)
    return "<!-- claimlint-disable zzrule -->"


@st.composite
def markdown_document(draw) -> str:
    blocks = draw(st.lists(block(), min_size=1, max_size=6))
    text = "\n\n".join(blocks) + "\n\n[zzref]: https://zzref.test\n"
    if draw(st.booleans()):
        text = "---\nzztitle: zzfront\n---\n" + text
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    return text


def prose_words(text: str) -> list[str]:
    return [w for w in WORD_RE.findall(text) if w in VOCAB_SET]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=markdown_document(), data=st.data())
def test_random_markdown_maps_back_exactly(source, data):
    doc = read(source)
    n = len(source)
    for seg in doc.segments:
        assert 0 <= seg.source_start <= seg.source_start + seg.source_len <= n
        text = doc.text[seg.text_start:seg.text_start + seg.text_len]
        original = source[seg.source_start:seg.source_start + seg.source_len]
        if text == "\n\n":  # a block break: no source of its own
            assert seg.source_len == 0
        elif text.isspace():  # one space standing for a whitespace run or a line break
            assert text == " " and (seg.source_len != 1 or original.isspace())
        elif seg.text_len == seg.source_len:
            assert original == text
    # code, URLs, titles and front matter use only "zz" words: every prose word is in the text
    assert prose_words(doc.text) == prose_words(source)
    tokens = [m.span() for m in re.finditer(r"\S+", doc.text)]
    if not tokens:
        return
    for _ in range(5):
        i = data.draw(st.integers(0, len(tokens) - 1))
        j = data.draw(st.integers(i, min(len(tokens) - 1, i + 12)))
        a, b = tokens[i][0], tokens[j][1]
        s, e = doc.source_range(a, b)
        assert 0 <= s <= e <= n
        assert prose_words(doc.text[a:b]) == prose_words(source[s:e])
