"""claimlint.pagekind's cues: each one on sentences we wrote ourselves, in the style of a news
report of one clinic, a guide to costs, a trial summary and a seller's own page."""

from __future__ import annotations

import pytest

from claimlint.pagekind import BASE_FEATURES, FEATURES, _model, classify, cue_counts, features


@pytest.mark.parametrize("cue,text,count", [
    # a business spoken of in the third person, and what it charges
    ("reported", "The clinic charges $7,500 for a single injection into the knee.", 2),
    ("reported", "That company did not answer questions about its cord blood products.", 1),
    ("reported", "Our clinic offers knee injections.", 0),  # its own voice, not reported
    # prices told as a range or a figure of the market, not a price list
    ("prices", "Prices range from $3,000 to $10,000, and the cost of a second round is lower.", 2),
    ("prices", "Ask about our price.", 0),
    # a trial reported
    ("trial", "The study (NCT01234567) enrolled 40 participants and compared the cells with a placebo.", 4),
    ("trial", "A systematic review and a meta-analysis found small effects in one cohort.", 3),
    ("trial", "Join our trial of happy patients.", 0),
    # the page's own disclaimer
    ("disclaimer", "This page is for informational purposes only and is not medical advice.", 2),
    ("disclaimer", "It is not a substitute for professional medical advice.", 1),
    ("disclaimer", "Get expert medical advice from our surgeons.", 0),
    # words attributed to a named person: told by the capitals, so on the text as written
    ("named", "The results were promising, said Dr. Maria Lopez, who runs the trial.", 1),
    ("named", "Jane Roe, a nurse in Ohio, said she paid in cash.", 0),  # "Roe, a nurse ... said": no
    ("named", "Tom Baker told reporters the clinic had closed.", 1),
    ("named", "according to John Smith of the state medical board, no license was issued", 1),
    ("named", "according to our doctors, the results speak for themselves", 0),
])
def test_each_reporting_cue_counts_its_own_voice(cue, text, count):
    assert cue_counts(text)[cue] == count


def test_every_cue_is_counted_for_training_and_only_the_models_cues_for_a_verdict():
    text = "The clinic charges $5,000, said Dr. Ann Lee. " * 20
    assert set(cue_counts(text)) == set(FEATURES) and set(features(text)) == set(FEATURES)
    only = cue_counts(text, BASE_FEATURES)
    assert set(only) == set(BASE_FEATURES)  # a cue the shipped model has no weight for is not counted
    assert set(_model()["weights"]) <= set(FEATURES)
    assert classify(text).kind in ("promotional", "mixed", "educational")


def test_a_model_with_the_reporters_voice_reads_a_news_report_as_an_explainer(monkeypatch):
    """A model file names the cues it reads: one that weighs the reporter's voice moves a page
    written about a clinic towards educational, and its seller's page stays a seller's."""
    import claimlint.pagekind as pagekind

    names = ("selling", "we", "reported", "named")
    model = {"weights": {"selling": -1.0, "we": -1.0, "reported": 1.0, "named": 1.0}, "bias": 0.0,
             "mean": dict.fromkeys(names, 0.5), "scale": dict.fromkeys(names, 1.0),
             "threshold": 0.5, "mixed_band": 0.2}
    monkeypatch.setattr(pagekind, "_model", lambda: model)
    report = ("Harbor Clinic charges patients up to $9,000 for the injections, said Dr. Paul Grant, "
              "a surgeon who has studied them. The clinic did not reply. ") * 6
    seller = ("We offer stem cell injections at our clinic. Our doctors treat knee pain. "
              "Book your consultation with our team today. ") * 6
    assert pagekind.classify(report).kind == "educational"
    assert pagekind.classify(seller).kind == "promotional"


def test_fast_cue_counts_equal_counting_each_cue_regex():
    """Cue counts come from look-ahead-guarded regexes and one count of the page's words;
    they must equal counting each cue's own regex, on pages that hold every cue."""
    import random
    import re
    from pathlib import Path

    from claimlint import pagekind

    def plain(text: str) -> dict[str, int]:
        low = text[:pagekind.READ_CHARS].lower()
        counts = {"selling": len(pagekind.SELLING.findall(low)),
                  "explaining": len(pagekind.EXPLAINING.findall(low))}
        counts.update({n: len(re.findall(rx, low))
                       for n, rx in (pagekind.VOICES | pagekind.REPORTING).items()})
        counts["named"] = len(pagekind.NAMED.findall(text[:pagekind.READ_CHARS]))
        return counts

    root = Path(__file__).resolve().parent.parent / "fixtures"
    pages = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(root.rglob("*"))
             if p.suffix in (".txt", ".md", ".html")]
    words = " ".join(pages).split()
    rng = random.Random(3)
    pages += [" ".join(rng.choice(words) for _ in range(400)) for _ in range(50)]
    pages.append("We've offered it. Ours, us; I/my/me: they're ours — n't 'n't studies trial trials $5?")
    assert len(pages) > 60
    for text in pages:
        assert cue_counts(text) == plain(text)
