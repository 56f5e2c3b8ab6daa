"""scripts/measure_claim_model.py: its fast page counts are the reference metric's, its heads
only ever remove sentence findings, and it refuses check and held-out splits."""

from __future__ import annotations

from pathlib import Path

import pytest

from claimlint.config import Config
from claimlint.lint import Linter
from claimlint.pagescore import PageScore, load_pages
from tests.readsets import load_measure_script, write_readset

# Our own copy, written for this test.
PAGES = {
    "001.txt": ("https://www.knee-renew.example/stem-cells", "promotional", [
        ("Our stem cell injections cure arthritis for good.", ["TREATMENT"]),
        ("Stem cell therapy is completely safe with no side effects.", ["SAFETY"]),
        ("Book your free consultation today.", []),
        ("Our exosome treatment regenerates damaged cartilage and heals torn ligaments.", ["MECHANISM"]),
        ("Parking is available behind the clinic.", []),
    ]),
    "002.txt": ("https://knee-renew.example/prices", "promotional", [
        ("Patients see results in two weeks, guaranteed.", ["EFFICACY"]),
        ("We treat back pain, knee pain and hip pain with stem cells.", ["TREATMENT"]),
        ("Call us on weekdays.", []),
    ]),
    "003.txt": ("https://health-guide.example/what-are-stem-cells", "educational", [
        ("Stem cells can develop into bone, cartilage or fat.", []),
        ("Some clinics claim that stem cells cure every disease, which the FDA warns against.", []),
        ("Ask your doctor about the risks before any injection.", []),
    ]),
}


@pytest.fixture(scope="module")
def measure():
    return load_measure_script("measure_claim_model")


@pytest.fixture(scope="module")
def labeled(tmp_path_factory) -> Path:
    return write_readset(tmp_path_factory.mktemp("readset"), PAGES)


@pytest.fixture(scope="module")
def prepared(measure, labeled, linter):
    return measure.prepare(linter, "readset", labeled)


def reference(linter, labeled: Path, keep=lambda finding: True) -> dict[str, dict]:
    linter = Linter(Config(claim_model=False))  # the rules alone, as the script scores them
    score = PageScore()
    for page in load_pages(labeled):
        findings = linter.lint_document(linter.load(page.text.encode("utf-8"), page.file))
        score.add(page, [f for f in findings if keep(f)])
    return {f"readset/{name}": counts for name, counts in score.per_page.items()}


def test_rules_only_counts_are_the_reference_metric(measure, prepared, labeled, linter):
    assert len(prepared) == 3
    assert sum(len(p["items"]) for p in prepared) > 3  # the rules fired: the check is not empty
    assert measure.table(prepared, None) == reference(linter, labeled)


def test_heads_drop_sentence_findings_never_page_level_ones(measure, prepared, labeled, linter):
    for p in prepared:  # every sentence scored as no claim, every category as wrong
        p["flagged_p"] = [0.0] * len(p["flagged_x"])
        p["keep_p"] = [0.0] * len(p["keep_x"])
    dropped = measure.table(prepared, (0.5, 0.0))
    assert dropped == reference(linter, labeled, keep=lambda f: f.category == "DISCLOSURE")
    assert any(c["disclosure"] == [1, 0] for c in dropped.values())


def test_the_best_category_of_a_sentence_always_stays(measure):
    where = [0, 0, 1, None]
    keep_p = {0: 0.2, 1: 0.1, 2: 0.05}
    assert measure.keep_mask(where, {0: 0.9, 1: 0.9}, keep_p, 0.5, 0.3) == [True, False, True, True]
    assert measure.keep_mask(where, {0: 0.9, 1: 0.1}, keep_p, 0.5, 0.15) == [True, False, False, True]


def test_pages_of_one_site_share_a_fold(measure, prepared):
    sites = {p["name"]: p["site"] for p in prepared}
    assert sites["readset/001.txt"] == sites["readset/002.txt"] == "knee-renew.example"
    assert sites["readset/003.txt"] == "health-guide.example"


@pytest.mark.parametrize("folder, refused", [
    ("/data/corpus/fresh-check", True), ("/data/corpus/owndev-fifth", True),
    ("/data/corpus/ownheld", True), ("/data/corpus/own/pages", True), ("/data/corpus/dev", True),
    ("/data/corpus/fresh4", False), ("/data/corpus/owndev-read", False),
])
def test_check_and_held_out_splits_are_refused(measure, folder, refused):
    assert measure.refused(Path(folder)) is refused


def test_the_fit_is_deterministic(measure, prepared):
    first, second = measure.fit(prepared, 0.3), measure.fit(prepared, 0.3)
    assert first == second
    assert set(first) == {"flagged", "keep"}


def test_min_sites_leaves_out_words_seen_on_too_few_sites(measure):
    rows = [{"w:rare": 1.0, "w:common": 1.0, "kind:promotional": 1.0}] * 4 + [{"w:common": 1.0}] * 4
    labels = [True] * 4 + [False] * 4
    sites = ["a.example"] * 4 + ["b.example", "c.example", "d.example", "e.example"]
    every = measure.fit_head(rows, labels, 1.0)["weights"]
    pruned = measure.fit_head(rows, labels, 1.0, sites=sites, min_sites=3)["weights"]
    assert "w:rare" in every and "w:rare" not in pruned
    assert "kind:promotional" in pruned  # only words, word pairs and heading words are counted by site


def test_several_c_are_chosen_out_of_fold_with_the_thresholds(measure, prepared):
    one = measure.cross_validate(prepared, 2, "site", 0.3, "category")
    assert one["c"] == one["c_chosen"] == 0.3 and set(one["c_by_fold"].values()) == {0.3}
    several = measure.cross_validate(prepared, 2, "site", (0.1, 0.3), "category")
    assert several["c"] == (0.1, 0.3) and several["c_chosen"] in (0.1, 0.3)
    assert set(several["c_by_fold"].values()) <= {0.1, 0.3}
    assert set(several["ALL"]) == set(one["ALL"]) == {"rules", "hybrid", "change"}
