import pytest

import claimlint
from claimlint.lint import InputError


def test_lint_text_kinds_and_positions():
    for kind, text in [("text", "Results are guaranteed.\n"),
                       ("markdown", "**Results** are guaranteed.\n"),
                       ("html", "<p><b>Results</b> are guaranteed.</p>")]:
        (f,) = claimlint.lint_text(text, kind=kind)
        assert f.rule == "GUARANTEE.guaranteed-results" and f.line == 1
        assert f.text == "Results are guaranteed"


def test_lint_path_and_unreadable(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("We guarantee lasting relief.\n")
    assert [f.rule for f in claimlint.lint_path(page)] == ["GUARANTEE.guaranteed-results"]
    with pytest.raises(InputError, match="nope.md"):
        claimlint.lint_path(tmp_path / "nope.md")


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown kind"):
        claimlint.lint_text("x", kind="pdf")
