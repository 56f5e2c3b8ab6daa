"""The fixture pages: each gets exactly the rule ids, on exactly the lines, a compliance
reviewer would expect; and every finding's line/column slice of the source file is the claim."""

from pathlib import Path

import pytest

from claimlint.config import Config
from claimlint.lint import lint_path
from tests.conftest import FIXTURES, prose_words, slice_source, words

PAGES = FIXTURES / "pages"

EXPECTED = {
    "aggressive-landing.html": {
        ("HYPE.hype-language", 5), ("DISCLOSURE.no-risk-disclosure", 5),
        ("GUARANTEE.guaranteed-results", 5), ("COMPARATIVE.better-than-standard-care", 5),
        ("REGULATORY.fda-approved", 6), ("SAFETY.no-side-effects", 6),
        ("COST.pressure-to-book", 11),
        ("GUARANTEE.implied-outcome", 14),
        # "regrow cartilage" is a biological effect (MECHANISM) beside the treatment claim
        ("HYPE.hype-language", 15), ("TREATMENT.treats-condition", 15), ("MECHANISM.biological-effect", 15),
        ("MULTI-INDICATION.many-conditions", 15),
        ("GUARANTEE.guaranteed-results", 16),
        ("SAFETY.no-risk", 17), ("SAFETY.no-rejection", 17),
        # one claim, one finding: "over 50 million live stem cells" is a cell count, which
        # already says the vial contains live cells (PRODUCT.contains-stem-cells yields)
        ("PRODUCT.cell-count", 18),
        ("EVIDENCE.proven", 19), ("EVIDENCE.success-rate", 19),
        ("COMPARATIVE.better-than-standard-care", 19),
        # LABELING.md: under the heading "Conditions we treat" each condition listed is a
        # TREATMENT claim (the heading is a list lead, TREATMENT's list_leads); the heading
        # itself names no condition and is not one (real labels leave such lead-ins unlabeled:
        # "These conditions include:", "Diseases that we treat": 12 of 12 on the read sets)
        *(("TREATMENT.treats-condition", line) for line in range(22, 28)),
        ("TESTIMONIAL.patient-story", 29),
        ("COST.insurance-coverage", 30),
        ("HYPE.hype-language", 32), ("CREDENTIALS.superlative-claim", 32),
    },
    # honest pages: a patient page, a regulator's warning quoting false claims, an FAQ
    "university-patient-page.md": set(),
    "regulator-quote.html": set(),
    "faq.md": set(),
    # a title or heading naming the clinic's city is not itself OVERSEAS (LABELING.md keeps it
    # for treatment sold abroad to patients from elsewhere: the travel pitch of lines 7-9);
    # "World-class" on line 6 is an unverifiable credential
    "offshore-clinic.html": {
        ("DISCLOSURE.no-risk-disclosure", 3), ("CREDENTIALS.superlative-claim", 6),
        ("OVERSEAS.treatment-abroad", 7),
        ("OVERSEAS.treatment-abroad", 8), ("CELL-SOURCE.embryonic-or-manipulated", 8),
        ("PRODUCT.cell-count", 8), ("TREATMENT.treats-condition", 10),
    },
    # the same promotional page without and with a short risks section
    "promo-no-risks.html": {
        ("DISCLOSURE.no-risk-disclosure", 5), ("TREATMENT.treats-condition", 5),
        ("TREATMENT.treats-condition", 6), ("COMPARATIVE.better-than-standard-care", 6),
        # "your body's own repair cells to rebuild damaged joints" is a biological effect on
        # tissue (MECHANISM), not a condition treated (LABELING.md)
        ("TREATMENT.treats-condition", 13), ("MECHANISM.biological-effect", 14),
    },
    "promo-with-risks.html": {
        ("TREATMENT.treats-condition", 5), ("TREATMENT.treats-condition", 6),
        ("COMPARATIVE.better-than-standard-care", 6),
        ("TREATMENT.treats-condition", 13), ("MECHANISM.biological-effect", 14),
    },
}


def test_every_fixture_page_has_an_expectation():
    assert {p.name for p in PAGES.iterdir()} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_page_findings(name, linter):
    """The rules (and the claim model): exactly what a reviewer expects."""
    found = {(f.rule, f.line) for f in lint_path(PAGES / name, Config(claim_finder=False))}
    assert found == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_claim_finder_only_adds_review_notes(name, linter):
    """With the claim finder (on by default) every rule finding stays as it is; what it adds is
    a model rule's finding of severity info on a sentence no rule finding of its category is
    on, and on the honest pages it adds nothing."""
    found = lint_path(PAGES / name)
    rules = {(f.rule, f.line) for f in found if not f.rule.endswith(".model-claim")}
    added = [f for f in found if f.rule.endswith(".model-claim")]
    assert rules == EXPECTED[name]
    assert all(f.severity == "info" for f in added)
    assert not any((f.category, f.sentence) == (g.category, g.sentence) for f in added for g in found
                   if g is not f)
    if not EXPECTED[name]:
        assert added == []


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_positions_slice_exactly_the_claim(name, linter):
    path = PAGES / name
    source = path.read_text(encoding="utf-8")
    for f in lint_path(path):
        piece = slice_source(source, f.line, f.column, f.end_line, f.end_column)
        assert piece == source[f.start:f.end]
        assert prose_words(piece) == words(f.text), (f.rule, f.line, piece)


def test_disclosure_depends_on_a_risks_section():
    no_risks = {f.rule for f in lint_path(PAGES / "promo-no-risks.html")}
    with_risks = {f.rule for f in lint_path(PAGES / "promo-with-risks.html")}
    assert "DISCLOSURE.no-risk-disclosure" in no_risks
    assert "DISCLOSURE.no-risk-disclosure" not in with_risks


def test_disclosure_is_reported_once_at_the_first_promotional_mention():
    findings = [f for f in lint_path(PAGES / "promo-no-risks.html") if f.category == "DISCLOSURE"]
    assert len(findings) == 1
    assert (findings[0].line, findings[0].text) == (5, "Stem Cell")
    assert "swelling" in findings[0].suggestion and "infection" in findings[0].suggestion


def test_disclosure_terms_from_config_count_as_disclosure(tmp_path):
    from claimlint.config import config_from_dict

    page = Path(PAGES / "promo-no-risks.html").read_text().replace(
        "Flexible financing", "Read our patient safety notes")
    target = tmp_path / "page.html"
    target.write_text(page)
    assert "DISCLOSURE.no-risk-disclosure" in {f.rule for f in lint_path(target)}
    cfg = config_from_dict({"disclosure-terms": ["patient safety notes"]})
    assert "DISCLOSURE.no-risk-disclosure" not in {f.rule for f in lint_path(target, cfg)}
