"""The reviewer's HTML report: findings per document and the document's text with each
claim highlighted and linked."""

import re
from html.parser import HTMLParser

from claimlint.report.html import document_view, marks_for, text_range
from tests.clirun import PAGES, run_check
from tests.test_docx import make_docx


class Marks(HTMLParser):
    """Collects the text inside <mark> elements and checks tags are balanced."""

    def __init__(self):
        super().__init__()
        self.stack, self.marks, self.ids = [], [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag in ("meta", "br", "link"):
            return
        self.stack.append(tag)
        if tag == "mark":
            self.marks.append("")

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-3:])
        self.stack.pop()

    def handle_data(self, data):
        if "mark" in self.stack and "sup" not in self.stack:
            self.marks[-1] += data


def parse(report: str) -> Marks:
    parser = Marks()
    parser.feed(report)
    assert parser.stack == []
    return parser


def test_html_page_claims_are_highlighted_in_the_readable_text(tmp_path):
    out = tmp_path / "report.html"
    result = run_check(str(PAGES / "clinic.html"), str(PAGES / "honest.txt"), "--format", "html",
                       "--output", str(out), "--no-cache")
    assert result.exit_code == 1
    report = out.read_text()
    parsed = parse(report)
    assert "no side effects" in parsed.marks
    assert "<b>" not in "".join(parsed.marks)  # the reader's text, not the HTML source
    assert "1 document without findings" in report and "honest.txt" in report
    for href in re.findall(r'href="#([^"]+)"', report):
        assert href in parsed.ids
    assert "Suggestion:" in report


def test_cached_run_gives_the_same_report(tmp_path):
    args = (str(PAGES / "clinic.html"), "--format", "html", "--cache-dir", str(tmp_path / "c"))
    first = run_check(*args).stdout
    second = run_check(*args).stdout
    assert first == second and "<mark" in second


def test_docx_report_shows_paragraphs_with_marks(tmp_path):
    path = tmp_path / "draft.docx"
    path.write_bytes(make_docx())
    report = run_check(str(path), "--format", "html", "--no-cache").stdout
    parsed = parse(report)
    assert "no side effects" in parsed.marks and "zero adverse reactions" in parsed.marks
    assert '<p class="heading">Knee care at Riverside</p>' in report
    assert '<span class="region">header</span> Riverside: <mark' in report
    assert '<span class="region">comment</span> Legal:' in report


def test_markup_in_copy_is_escaped(tmp_path):
    page = tmp_path / "x.txt"
    page.write_text('<script>alert(1)</script> Results are guaranteed & "free".\n')
    report = run_check(str(page), "--format", "html", "--no-cache").stdout
    assert "<script>alert" not in report and "&lt;script&gt;" in report


def test_text_range_prefers_the_occurrence_at_the_finding(linter):
    doc = linter.load(b"Results are guaranteed.\n\nResults are guaranteed.\n", "x.txt")
    found = linter.lint_document(doc)
    assert [text_range(doc, f) for f in found] == [(0, 22), (25, 47)]
    view = document_view(doc, found)
    assert [m[:2] for m in marks_for(view, found)] == [[0, 22], [25, 47]]
    assert [m[:2] for m in marks_for(view, found[1:])] == [[25, 47]]  # after a baseline


def test_report_with_a_baseline_highlights_only_new_claims(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    page = tmp_path / "p.txt"
    page.write_text("Results are guaranteed.\n")
    assert run_check("p.txt", "--write-baseline", "b.json").exit_code == 0
    page.write_text("Our injections have no side effects.\n\nResults are guaranteed.\n")
    report = run_check("p.txt", "--baseline", "b.json", "--format", "html").stdout
    parsed = parse(report)
    assert parsed.marks == ["no side effects"]
