import re

from claimlint.findings import Finding
from claimlint.report.github import (
    PER_STEP,
    annotation,
    escape_data,
    escape_property,
    render_github,
)
from tests.clirun import PAGES, run_check


def finding(**kw) -> Finding:
    base = dict(path="site/a.md", rule="SAFETY.no-side-effects", category="SAFETY",
                severity="error", message="No side effects.", line=3, column=5, end_line=3,
                end_column=20, text="no side effects", suggestion="Name them.")
    return Finding(**{**base, **kw})


def test_escaping_follows_the_actions_toolkit():
    assert escape_data("50% off\r\nnow") == "50%25 off%0D%0Anow"
    assert escape_property("a,b: c%\n") == "a%2Cb%3A c%25%0A"


def test_annotation_has_file_line_columns_and_title():
    line = annotation(finding(path="site/odd,name:1.md"))
    assert line == ("::error file=site/odd%2Cname%3A1.md,line=3,col=5,endLine=3,endColumn=20,"
                    "title=claimlint SAFETY.no-side-effects::No side effects.%0ASuggestion: Name them.")
    assert annotation(finding(severity="warning")).startswith("::warning ")
    assert annotation(finding(severity="info")).startswith("::notice ")
    multi = annotation(finding(end_line=4, end_column=2))
    assert "endLine=4" in multi and "endColumn" not in multi


def test_summary_notice_comes_first_when_github_would_hide_annotations():
    many = [finding(line=i) for i in range(1, PER_STEP + 4)] + [finding(severity="warning")]
    out = render_github(many, files=2).splitlines()
    assert out[0].startswith("::notice title=claimlint::")
    assert "3 error" in out[0] and "SARIF" in out[0]
    assert sum(line.startswith("::error ") for line in out) == PER_STEP + 3
    assert out[-1] == ("claimlint: 14 findings (13 errors, 1 warning) in 2 files; "
                       "3 not shown as annotations.")


def test_no_notice_within_the_limits():
    out = render_github([finding()], files=1).splitlines()
    assert not out[0].startswith("::notice")
    assert out[-1] == "claimlint: 1 finding (1 error) in 1 file."
    assert render_github([], files=3) == "claimlint: 0 findings in 3 files.\n"


def test_github_format_from_the_cli(monkeypatch):
    monkeypatch.chdir(PAGES)
    result = run_check("faq.txt", "--format", "github")
    assert result.exit_code == 1
    commands = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert commands
    for line in commands:
        assert re.match(r"::(error|warning|notice) file=faq\.txt,line=\d+,col=\d+,endLine=\d+,"
                        r"(endColumn=\d+,)?title=claimlint [A-Z-]+\.[a-z-]+::\S", line), line


def test_paths_are_relative_to_the_workspace(monkeypatch, tmp_path):
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path))
    assert "file=site/a.md," in annotation(finding(path=str(tmp_path / "site" / "a.md")))
    assert "file=site/a.md," in annotation(finding(path="./site/a.md"))
    assert "file=/elsewhere/a.md," in annotation(finding(path="/elsewhere/a.md"))
