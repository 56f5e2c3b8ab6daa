"""Who is speaking, and where a sentence sits: page kind, hedges, list lead-ins, one finding
per claim. All copy here is our own, written in the style of real clinic and consumer pages."""

from __future__ import annotations

import pytest

from claimlint.config import Config
from claimlint.lint import Linter, lint_path, lint_text, read_document
from claimlint.pagekind import classify
from tests.conftest import FIXTURES

SELLER = """Regenerative Injections at Summit Joint Clinic

We offer stem cell injections for knee and shoulder pain. Our doctors use your own cells.

Book your free consultation today.
"""
EXPLAINER = """What patients should know about stem cell clinics

Researchers have not shown that these injections work for arthritis. The FDA has warned
consumers about unproven stem cell products, and some clinics promise results they cannot
deliver. Be wary of clinics that advertise cures. Ask your doctor whether a product is
FDA-approved, and whether you would be part of a registered clinical trial.

Stem cells may help relieve knee pain, but the evidence is limited and experimental.
"""


def test_page_kind_comes_from_the_page_itself():
    assert classify(SELLER).kind == "promotional"
    assert classify(EXPLAINER).kind == "educational"
    assert classify("").kind == "promotional"  # no voice at all: judged as seller copy


def test_an_explainer_page_makes_no_seller_claims(linter):
    hedged_claim = "Stem cells may help relieve knee pain"
    assert lint_text(EXPLAINER) == []
    # the same sentence on a seller's page is a treatment claim: the hedge does not excuse it
    found = lint_text(SELLER + "\n" + hedged_claim + ".\n")
    assert any(f.category == "TREATMENT" and hedged_claim in f.sentence for f in found)


def test_page_kind_can_be_set_in_configuration(linter):
    cfg = Config(page_kind="promotional")
    found = Linter(cfg).lint_source(EXPLAINER)
    assert {f.category for f in found} >= {"TREATMENT"}
    # the rules are silent on a page set as educational; the claim finder, which reads the
    # page kind as one feature among many, may still mark a sentence for review (info)
    assert Linter(Config(page_kind="educational", claim_finder=False)).lint_source(SELLER) == []
    left = Linter(Config(page_kind="educational")).lint_source(SELLER)
    assert all(f.rule.endswith(".model-claim") and f.severity == "info" for f in left)


@pytest.mark.parametrize("text", [
    "Some patients may see lasting relief from knee pain after our injections.",
    "Our exosome therapy has the potential to repair damaged cartilage.",
])
def test_hedged_seller_claims_are_claims(text, linter):
    assert lint_text(text), text


def test_a_bare_yes_takes_the_claim_its_question_asks(linter):
    page = ("Our regenerative clinic\n\nIs the procedure safe?\n\nYes, we are sure of it.\n\n"
            "Is our cord tissue product FDA-approved? Absolutely.\n\n"
            "Is the injection safe? No injection is free of risk.\n\n"
            "So, is it risk-free? Yes, it is risk-free for most people in our clinic and in every "
            "other clinic we know of.\n")
    found = {(f.line, f.category, f.text) for f in lint_text(page)}
    assert (5, "SAFETY", "Yes, we are sure of it") in found
    assert (7, "REGULATORY", "Absolutely") in found
    # the questions themselves ask (a leading "So," still asks); a no answers nothing; a long
    # yes is judged on its own words ("risk-free" there)
    assert not any(line in (3, 9) for line, _, _ in found)
    assert {(line, cat) for line, cat, _ in found if line == 11} == {(11, "SAFETY")}
    assert not any(text.startswith("So, is") for _, _, text in found)


def test_list_items_inherit_a_treatment_lead_in(linter):
    page = ("Our stem cell clinic\n\nConditions we treat:\n\n- Multiple sclerosis\n- Tremors\n"
            "- Loss of balance\n\nAvoid clinics that offer:\n\n- Guaranteed results\n- Cures for autism\n")
    found = lint_text(page)
    lines = sorted(f.line for f in found if f.category == "TREATMENT")
    # each item under the lead-in (the lead-in itself names no condition: not a claim, as real
    # labels have it); none under the warning
    assert lines == [5, 6, 7]
    assert all(f.rule == "TREATMENT.treats-condition" for f in found)


def test_a_list_item_ending_in_a_colon_leads_the_items_after_it(linter):
    page = "Our clinic\n\n- Neurological disorders:\n- Stroke recovery\n- Spinal cord injury\n"
    found = [f for f in lint_text(page) if f.category == "TREATMENT"]
    assert [f.line for f in found] == [3, 4, 5]


def test_headings_and_following_sentences_lead_lists(linter):
    """A short heading ("Ideal candidates", "What can our therapy treat?") or a sentence naming
    "the following" leads the list under it; a heading about whom to avoid leads nothing."""
    page = ("Our exosome clinic\n\nIdeal candidates\n\n- Knee arthritis\n- Torn rotator cuff\n\n"
            "Our shots are recommended for patients with the following symptoms.\n\n- Fatigue\n\n"
            "Who should not have exosome injections\n\n- Active infection\n- Chronic fatigue\n")
    found = [f for f in lint_text(page) if f.category == "TREATMENT"]
    assert sorted({f.line for f in found}) == [5, 6, 8, 10]


def test_a_paragraph_after_a_heading_ends_its_lead():
    d = read_document("Ideal candidates\n\nWe explain our work here.\n\n- Knee arthritis\n", "text", "p")
    items = [b for b in d.blocks if b.kind == "list_item"]
    assert items and items[0].lead is None


def test_one_claim_one_finding(linter):
    found = lint_text("Our exosome therapy cures Parkinson disease.")
    assert [f.rule for f in found] == ["TREATMENT.cures-disease"]


def test_fixture_pages_never_report_one_claim_twice(linter):
    """No two findings of one category overlap: one claim, one finding."""
    for page in sorted((FIXTURES / "pages").iterdir()):
        found = [f for f in lint_path(page) if f.category not in ("DISCLOSURE", "MULTI-INDICATION")]
        for i, f in enumerate(found):
            for g in found[i + 1:]:
                overlap = f.start < g.end and g.start < f.end
                assert not (overlap and f.category == g.category), (page.name, f.rule, g.rule, f.text)


def test_disclosure_needs_a_seller_page(linter):
    promo = "Stem cell therapy for knees.\n\nOur stem cell injections help athletes recover.\n"
    assert "DISCLOSURE.no-risk-disclosure" in {f.rule for f in lint_text(promo)}
    honest = promo + "\nRisks include infection, and results vary.\n"
    assert "DISCLOSURE.no-risk-disclosure" not in {f.rule for f in lint_text(honest)}
    assert lint_text(EXPLAINER) == []


def test_page_kind_model_is_the_shipped_one_and_reads_as_numbers():
    from claimlint.pagekind import FEATURES, _model

    model = _model()
    # every cue, the reporter's voice too (scripts/train_pagekind.py --cues all)
    assert set(model["weights"]) == set(FEATURES) == set(model["mean"]) == set(model["scale"])
    assert 0 < model["threshold"] < 1 and model["pages"] >= 200
    # the explaining voice pushes towards educational, a business's "we/our" away from it
    assert model["weights"]["explaining"] > 0 > model["weights"]["we"]


def test_training_script_separates_the_two_voices(tmp_path):
    import importlib.util
    import json

    from tests.conftest import ROOT

    spec = importlib.util.spec_from_file_location("train_pagekind", ROOT / "scripts" / "train_pagekind.py")
    train = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(train)
    manifest = tmp_path / "m.jsonl"
    lines = []
    for i in range(12):
        seller = i % 2 == 0
        (tmp_path / f"{i:03}.txt").write_text(SELLER if seller else EXPLAINER, encoding="utf-8")
        lines.append(json.dumps({"file": f"{i:03}.txt", "kind": "promotional" if seller else "educational",
                                 "sentences": []}))
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows, labels = train.load([f"{manifest}:{tmp_path}"])
    assert labels == [0, 1] * 6
    model = train.fit(rows, labels, steps=300)
    assert model["weights"]["explaining"] > 0 and model["weights"]["we"] < 0


@pytest.mark.parametrize("text,rules", [
    # coordinated negators are one negation, two in a row cancel out
    ("We cannot and do not guarantee any specific results from our injections.", []),
    ("Our injections are not without risk, but we guarantee results.", ["GUARANTEE.guaranteed-results"]),
    # a limit said of the matched words takes the claim back
    ("Scientific evidence supporting its efficacy is limited or preliminary.", []),
    ("Scientific evidence supporting its efficacy is overwhelming.", ["EVIDENCE.proven"]),
])
def test_negation_and_stated_limits(text, rules, linter):
    assert [f.rule for f in lint_text(text)] == rules


def test_a_cited_paper_is_no_claim_but_the_sellers_sentence_citing_it_is(linter):
    text = ("Stem Cell Injections at Summit Joint Clinic\n\n"
            "We offer stem cell injections for knee pain. Book your visit today.\n\n"
            "Our stem cell injections regrow cartilage (J Ortho Res. 2014;21(4):311).\n\n"
            "Sources\n\n"
            "Marlow KT, Ferris AB, Quint J. Stem cell injections regrow cartilage in arthritic knees. "
            "J Ortho Res. 2014 Mar;21(4):311-9.\n")
    doc = linter.load(text.encode(), "p.txt")
    lines = {f.line for f in linter.lint_document(doc) if f.category == "MECHANISM"}
    assert lines == {5}
