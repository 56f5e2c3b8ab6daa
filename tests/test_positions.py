"""Property: for generated text, Markdown and HTML documents full of claims, every finding's
reported line/column range is inside the source and slices out exactly the claim's words."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimlint.lint import Linter, read_document
from tests.conftest import prose_words, slice_source, words

CLAIMS = ["results are guaranteed", "no side effects", "completely safe",
          "we guarantee lasting relief", "cures arthritis", "FDA-approved stem cells"]
FILLER = ["Our", "clinic", "Zürich", "café", "patients", "naïve", "🏥", "visit", "knee", "team"]


def _wrap(kind: str, word: str, style: int) -> str:
    if kind == "markdown":
        return [word, f"**{word}**", f"*{word}*", f"[{word}](https://x.test/{style})"][style % 4]
    if kind == "html":
        return [word, f"<b>{word}</b>", f"<a href='/{style}'>{word}</a>",
                word.replace("a", "&#97;", 1)][style % 4]
    return word


@st.composite
def documents(draw):
    kind = draw(st.sampled_from(["text", "markdown", "html"]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    paragraphs = []
    for _ in range(draw(st.integers(1, 5))):
        words = []
        for _ in range(draw(st.integers(1, 4))):
            words += draw(st.lists(st.sampled_from(FILLER), max_size=4))
            claim = draw(st.sampled_from(CLAIMS)).split()
            words += [_wrap(kind, w, draw(st.integers(0, 3))) for w in claim]
        sep = draw(st.sampled_from([" ", "  ", "\t", newline]))
        text = sep.join(words) + "."
        if kind == "html":
            text = f"<p>{text}</p>"
        elif draw(st.booleans()):
            text = draw(st.sampled_from(["\t", "  "])) + text if kind == "text" else "- " + text
        paragraphs.append(text)
    return kind, (newline * 2).join(paragraphs) + newline


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(documents())
def test_reported_positions_slice_the_claim(linter: Linter, case):
    kind, source = case
    doc = read_document(source, kind, "generated")
    findings = linter.lint_document(doc)
    for f in findings:
        assert 0 <= f.start < f.end <= len(source)
        piece = slice_source(source, f.line, f.column, f.end_line, f.end_column)
        assert piece == source[f.start:f.end]
        assert prose_words(piece) == words(f.text), (kind, piece, f.text)
    assert findings, "every generated document holds claims"
