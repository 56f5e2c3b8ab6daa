"""Word documents: findings located by paragraph (line) and character (column), with
headers, footers, tables and comments read in the documented order."""

import io
import json

import docx
import pytest

from claimlint.lint import InputError, Linter, kind_for
from claimlint.readers.docx import read_docx
from tests.clirun import run_check


def make_docx() -> bytes:
    d = docx.Document()
    d.add_heading("Knee care at Riverside", 1)                                   # 1
    d.add_paragraph("")                                                           # 2 (empty)
    body = d.add_paragraph("Welcome.\tOur stem cell injections have no side effects.")  # 3
    d.add_paragraph("Results are not guaranteed; ask about the risks.")          # 4
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Plan"                                                # 5
    table.cell(0, 1).text = "Café package: results are guaranteed."               # 6
    merged = table.cell(1, 0).merge(table.cell(1, 1))
    merged.text = "Free parking"                                                  # 7
    d.add_paragraph("Line one\nstill the same paragraph.")                        # 8
    section = d.sections[0]
    section.header.paragraphs[0].text = "Riverside: zero adverse reactions."     # 9
    section.footer.paragraphs[0].text = "© Riverside"                             # 10
    second = section.footer.add_paragraph("Say goodbye to knee pain forever.")    # 11
    assert second is not None
    d.add_comment(body.runs[0], text="Legal: no side effects is a claim we cannot make.",
                  author="Reviewer")                                              # 12
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


@pytest.fixture(scope="module")
def data() -> bytes:
    return make_docx()


def test_paragraph_order_one_per_line(data):
    doc = read_docx(data, "x.docx")
    lines = doc.source.split("\n")
    assert lines[0] == "Knee care at Riverside"
    assert lines[1] == ""
    assert lines[2] == "Welcome. Our stem cell injections have no side effects."  # tab -> space
    assert lines[4:7] == ["Plan", "Café package: results are guaranteed.", "Free parking"]
    assert lines[7] == "Line one still the same paragraph."
    assert lines[8:11] == ["Riverside: zero adverse reactions.", "© Riverside",
                           "Say goodbye to knee pain forever."]
    assert lines[11] == "Legal: no side effects is a claim we cannot make."
    assert len(lines) == 12
    regions = {b.region for b in doc.blocks}
    assert regions == {"main", "header", "footer", "comment"}
    assert doc.blocks[0].kind == "heading"


def test_findings_are_located_by_paragraph_and_character(data, linter):
    found = linter.lint_document(linter.load(data, "x.docx"))
    where = {(f.rule, f.line, f.column, f.end_column, f.region) for f in found}
    assert ("SAFETY.no-side-effects", 3, 40, 55, "main") in where
    assert ("GUARANTEE.guaranteed-results", 6, 15, 37, "main") in where
    assert ("SAFETY.no-side-effects", 9, 12, 34, "header") in where
    assert any(f.line == 11 and f.region == "footer" for f in found)
    assert not any(f.line == 4 for f in found)  # "not guaranteed" is negated
    assert any(f.line == 12 and f.region == "comment" for f in found)  # comments are read
    doc = read_docx(data, "x.docx")
    for f in found:
        line = doc.source.split("\n")[f.line - 1]
        assert line[f.column - 1:f.end_column - 1] == f.text


def test_check_docx_from_the_cli(data, tmp_path):
    path = tmp_path / "draft.docx"
    path.write_bytes(data)
    assert kind_for(str(path)) == "docx"
    result = run_check(str(path), "--format", "json", "--no-cache")
    assert result.exit_code == 1
    found = json.loads(result.stdout)["findings"]
    assert {(f["line"], f["column"]) for f in found} >= {(3, 40), (6, 15), (9, 12)}
    text = run_check(str(path), "--no-cache").stdout
    assert "3 | Welcome. Our stem cell injections have no side effects." in text


def test_docx_in_a_directory_is_checked(data, tmp_path):
    (tmp_path / "drafts").mkdir()
    (tmp_path / "drafts" / "a.docx").write_bytes(data)
    result = run_check(str(tmp_path / "drafts"), "--format", "json")
    assert json.loads(result.stdout)["summary"]["files"] == 1


def test_not_a_word_document(tmp_path):
    with pytest.raises(InputError, match="not a Word"):
        Linter(lazy=True).load(b"PK\x03\x04 not really a zip", "x.docx")
    bad = tmp_path / "bad.docx"
    bad.write_text("plain text pretending")
    result = run_check(str(bad))
    assert result.exit_code == 2 and "bad.docx" in result.output
