"""The measuring code of the eleventh round's page-level parts (nothing of it ships):
``scripts/train_disclosure.py`` (a fitted DISCLOSURE verdict) reads the rule's own signals on
any page kind, judges each page by models that never saw its site, writes a readable model and
reads read splits only; ``scripts/page_level_oof.py`` (the page-kind model's refits) folds by
site and decides a page's kind as ``claimlint.pagekind.classify`` does."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from claimlint.config import Config
from claimlint.lint import Linter
from tests.readsets import load_script

ROOT = Path(__file__).resolve().parent.parent

# Our own pages, written for this test.
SELLER = ("Welcome to the Renewal Joint Clinic. We offer stem cell therapy for knee pain and our "
          "specialists perform every injection in our office. Call us today to book your free "
          "consultation, and ask about our payment plans for the treatment. " * 4)
DISCLOSED = SELLER + ("Risks: the most common side effects are soreness and swelling where the "
                      "injection was given, and the treatment may not work for every patient.")
BAKERY = "We are a friendly bakery. Our bread is baked every morning and our cakes are sold all day. " * 5


@pytest.fixture(scope="module")
def train():  # noqa: ANN201
    return load_script("train_disclosure")


def test_the_signals_read_the_rules_requirements_and_disclosures_on_any_page_kind(train):
    linter = Linter(Config(page_kind="promotional"))
    for text, req, disclosures in ((SELLER, True, False), (DISCLOSED, True, True), (BAKERY, False, False)):
        doc = linter.load(text.encode("utf-8"), "page.txt")
        doc.page_kind = "educational"  # the rule does not judge an explainer; the signals still read it
        found = linter.engine.run(doc)
        got, seen, finding = train.signals(doc, found, linter.engine)
        assert got == req and (seen >= 1) == disclosures
        assert doc.page_kind == "educational"
        if req:  # the verdict's finding is the rule's own, with its message, why and suggestion
            rule = linter.engine.pack.get(train.RULE)
            assert finding.rule is rule and SELLER[finding.start:finding.end].strip()


def synthetic(n_sites: int = 30) -> list[dict]:
    """Pages whose label follows one feature, three pages per site."""
    pages = []
    for s in range(n_sites):
        for j in range(3):
            want = (s + j) % 2 == 0
            row = {"req": 1.0, "seen": float(not want), "claims": float(want) + 0.1 * j}
            pages.append({"id": f"x/{s}-{j}", "split": "fresh6" if s % 2 else "dev3",
                          "site": f"site{s}.example",
                          "want": want, "req": True, "rule": True, "row": row})
    return pages


def test_out_of_fold_by_site_never_judges_a_page_with_a_model_that_saw_its_site(train, monkeypatch):
    pages = synthetic()
    folds = train.folds_by_site(pages, 5)
    for site in {p["site"] for p in pages}:
        assert len({f for p, f in zip(pages, folds) if p["site"] == site}) == 1
    seen_sites = []
    real_fit = train.fit

    def fit(ps: list[dict], c: float, threshold: float = 0.5) -> dict:
        seen_sites.append({p["site"] for p in ps})
        return real_fit(ps, c, threshold)

    monkeypatch.setattr(train, "fit", fit)
    verdict, chosen = train.out_of_fold(pages, 5)
    assert set(verdict) == {p["id"] for p in pages} and len(chosen) == 5
    assert sum(verdict[p["id"]] == p["want"] for p in pages) >= 0.9 * len(pages)
    outer = [s for s in seen_sites if len(s) >= 0.75 * 30]  # the outer folds' fits (inner fits are smaller)
    assert outer and all(len(s) < 30 for s in outer)


def test_the_model_is_readable_json_with_a_weight_mean_and_scale_per_named_feature(train):
    model = train.fit(synthetic(), 1.0, 0.45)
    assert set(model["weights"]) == set(model["mean"]) == set(model["scale"]) == {"req", "seen", "claims"}
    assert model["threshold"] == 0.45 and json.loads(json.dumps(model)) == model
    assert model["weights"]["seen"] < 0 < model["weights"]["claims"]
    row = train.features(SELLER, "promotional", 0.1, True, 2, {"TREATMENT": 2, "DISCLOSURE": 1})
    assert row["req"] == 1 and row["seen"] == 1 and row["claims"] == pytest.approx(1.0986, abs=1e-3)
    assert {"p_educational", "kind_educational", "cat_TREATMENT", "cue_we"} <= set(row)


def test_the_training_script_reads_read_splits_only(train, tmp_path, monkeypatch):
    """No check split, held-out split or unseen page (the split being labeled as pages 2200 and
    up under ``own/``) is read: the script names the read splits and refuses any other folder."""
    assert set(train.READ) == {"fresh6", "fresh4", "fresh5", "fresh3", "dev3", "fresh2", "fresh-read",
                               "d2-read", "owndev-read"}
    assert {"fresh-check", "d2-check", "owndev-fifth", "dev", "ownheld", "own"} <= set(train.NEVER)
    assert not set(train.READ) & set(train.NEVER)
    for name in ("fresh-check", "own", "ownheld", "fresh7"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "pages_labels.jsonl").write_text("", encoding="utf-8")
        monkeypatch.setattr(sys, "argv", ["train_disclosure.py", str(tmp_path), "--splits", name,
                                          "--out", str(tmp_path / "m.json"),
                                          "--cache", str(tmp_path / "c.json")])
        with pytest.raises(SystemExit, match="not a read split"):
            train.main()
    assert not (tmp_path / "m.json").exists()
    with pytest.raises(SystemExit, match="not a check split"):  # scored as a check split: named ones only
        train.check_inputs(tmp_path / "fresh6", tmp_path / "c.json")


def test_the_page_kind_measure_folds_by_site_and_decides_as_the_run_time_does():
    oof = load_script("page_level_oof")
    from claimlint.pagekind import _model, classify, features

    assert not set(oof.READ) & set(oof.CHECK)
    assert "own" not in oof.READ and "ownheld" not in oof.READ
    pages = [{"site": f"s{i % 7}"} for i in range(40)]
    folds = oof.folds_by_site(pages, 5)
    for site in {p["site"] for p in pages}:
        assert len({f for p, f in zip(pages, folds) if p["site"] == site}) == 1
    model = _model()
    for text in (SELLER, DISCLOSED, "Researchers said the trial enrolled participants. " * 30, "Too short."):
        page = {"words": len(text[:10_000].split())}
        p = oof.probability(model, features(text))
        assert oof.decide(p, page) == classify(text).kind
