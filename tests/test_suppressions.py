from claimlint.lint import lint_text

MD = """# Our clinic

<!-- claimlint-disable SAFETY -- quoting the FDA letter -->
The advert said our injections have no side effects.
<!-- claimlint-enable -->

Our injections have no side effects.

<!-- claimlint-disable-next-line GUARANTEE.guaranteed-results -->
We guarantee lasting relief.

We guarantee lasting relief.
"""


def _rules_by_line(findings):
    return sorted((f.line, f.rule) for f in findings)


def test_markdown_disable_enable_and_next_line():
    found = _rules_by_line(lint_text(MD, kind="markdown"))
    assert (4, "SAFETY.no-side-effects") not in found
    assert (7, "SAFETY.no-side-effects") in found
    assert (10, "GUARANTEE.guaranteed-results") not in found
    assert (12, "GUARANTEE.guaranteed-results") in found
    assert not [f for f in found if f[1] == "SUPPRESSION.unused"]


def test_html_disable_by_category_and_without_rule():
    page = ("<p>Results are guaranteed.</p>\n<!-- claimlint-disable -->\n"
            "<p>No side effects and results are guaranteed.</p>\n<!-- claimlint-enable -->\n"
            "<!-- claimlint-disable GUARANTEE -->\n<p>Results are guaranteed.</p>\n")
    found = _rules_by_line(lint_text(page, kind="html"))
    assert found == [(1, "GUARANTEE.guaranteed-results")]


def test_unused_suppression_is_reported_as_info():
    page = "<!-- claimlint-disable-next-line HYPE -- old copy -->\n<p>Book a visit.</p>\n"
    (finding,) = lint_text(page, kind="html")
    assert finding.rule == "SUPPRESSION.unused" and finding.severity == "info"
    assert (finding.line, finding.column) == (1, 1)
    assert "HYPE" in finding.message


def test_enable_of_one_rule_keeps_the_others_disabled():
    page = ("<!-- claimlint-disable SAFETY, GUARANTEE -->\n<p>No side effects.</p>\n"
            "<!-- claimlint-enable SAFETY -->\n<p>No side effects; results are guaranteed.</p>\n")
    found = _rules_by_line(lint_text(page, kind="html"))
    assert found == [(4, "SAFETY.no-side-effects")]


def test_blanket_disable_survives_an_enable_of_one_rule():
    page = ("<!-- claimlint-disable -->\n<p>No side effects.</p>\n"
            "<!-- claimlint-enable SAFETY -->\n<p>No side effects.</p>\n")
    assert [f.rule for f in lint_text(page, kind="html")] == []
