"""scripts/train_pagekind.py and scripts/pagekind_cv.py: the page-kind model is fitted from
page manifests that carry only a page's kind (no sentence labels), never from the held-out
split, and never from a text that no longer matches its manifest. All copy here is our own."""

from __future__ import annotations

import hashlib
import json
import sys

import pytest

from tests.conftest import ROOT
from tests.readsets import load_script

SELLER = """Knee Injections at Harbor Regenerative Clinic

We offer platelet and stem cell injections for knee and hip pain. Our doctors use your own cells,
and our team will call you the day after your visit. Book your free consultation today, ask about
our payment plans, and read our patient reviews. We have helped hundreds of runners get back on
the trail, and our staff answers every question. Call us now to reserve your evaluation.
"""
EXPLAINER = """Before you pay for a stem cell injection

Researchers have not shown that these injections rebuild cartilage, and the FDA has warned
consumers about unapproved products. Some clinics promise results they cannot deliver, and many
clinics advertise cures for conditions that no study supports. Be wary of clinics that charge
thousands of dollars for experimental treatments. Ask your doctor whether a product is approved,
and whether you would be part of a registered trial; according to published studies the evidence
is limited.
"""


@pytest.fixture()
def kind_only(tmp_path):
    """A kind-only manifest (URL, title, kind, SHA-1; no sentences) and its page texts."""
    lines = []
    for i in range(10):
        seller = i % 2 == 0
        text = SELLER if seller else EXPLAINER
        (tmp_path / f"{i:03}.txt").write_text(text, encoding="utf-8")
        lines.append(json.dumps({"file": f"{i:03}.txt", "url": f"https://example.org/page-{i}",
                                 "title": "", "kind": "promotional" if seller else "educational",
                                 "discloses_risks": False,
                                 "sha1": hashlib.sha1(text.encode("utf-8")).hexdigest()}))
    manifest = tmp_path / "kind.jsonl"
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return manifest


def test_a_kind_only_manifest_trains_the_model(kind_only, tmp_path):
    train = load_script("train_pagekind")
    rows, labels = train.load([f"{kind_only}:{tmp_path}"], heldout=None)
    assert labels == [0, 1] * 5
    model = train.fit(rows, labels, steps=300)
    assert model["weights"]["explaining"] > 0 > model["weights"]["we"]
    # the fitted model reads a seller's page as less educational than an explainer
    from claimlint.pagekind import features

    assert train.probability(model, features(SELLER)) < 0.5 < train.probability(model, features(EXPLAINER))


def test_the_command_line_writes_a_model_from_a_kind_only_manifest(kind_only, tmp_path, monkeypatch):
    train = load_script("train_pagekind")
    out = tmp_path / "model.json"
    monkeypatch.setattr(sys, "argv", ["train_pagekind.py", f"{kind_only}:{tmp_path}",
                                      "--heldout", str(tmp_path / "none.jsonl"), "--out", str(out)])
    train.main()
    model = json.loads(out.read_text(encoding="utf-8"))
    assert model["pages"] == 10 and model["educational_pages"] == 5


def test_a_held_out_page_is_never_trained_on(kind_only, tmp_path):
    train = load_script("train_pagekind")
    heldout = tmp_path / "heldout.jsonl"
    # the same page under another spelling of its URL is still the held-out page
    heldout.write_text(json.dumps({"file": "x.txt", "url": "http://www.example.org/page-3/"}) + "\n",
                       encoding="utf-8")
    with pytest.raises(ValueError, match="held-out"):
        train.load([f"{kind_only}:{tmp_path}"], heldout=heldout)


def test_a_text_that_no_longer_matches_its_hash_is_refused(kind_only, tmp_path):
    train = load_script("train_pagekind")
    (tmp_path / "004.txt").write_text(SELLER + "\nEdited later.\n", encoding="utf-8")
    with pytest.raises(ValueError, match="sha1"):
        train.load([f"{kind_only}:{tmp_path}"], heldout=None)


def test_a_manifest_line_without_a_known_kind_is_refused(tmp_path):
    train = load_script("train_pagekind")
    (tmp_path / "001.txt").write_text(SELLER, encoding="utf-8")
    manifest = tmp_path / "m.jsonl"
    manifest.write_text(json.dumps({"file": "001.txt", "kind": "advert"}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="kind must be"):
        train.load([f"{manifest}:{tmp_path}"], heldout=None)


def _featured_pages(manifest, texts) -> list[dict]:  # noqa: ANN001
    """The pages of a manifest with their page-kind features, as the scripts hold them."""
    from claimlint.pagekind import features

    pages = load_script("train_pagekind").load_pages([f"{manifest}:{texts}"], heldout=None)
    for p in pages:
        p["row"] = features(p["text"])
    return pages


def test_cross_validation_predicts_every_development_page_from_models_that_never_saw_it(kind_only, tmp_path):
    cv = load_script("pagekind_cv")
    train = load_script("train_pagekind")
    pages = _featured_pages(kind_only, tmp_path)
    dev, extra = pages[:6], pages[6:]
    folds = cv.folds_of(len(dev), 3, seed=0)
    assert sorted(i for fold in folds for i in fold) == list(range(len(dev)))
    probs = cv.cross_validate(dev, extra, k=3, seeds=2, words=0, c=0.05)
    assert set(probs) == {"A", "B", "B'"} and all(len(run) == len(dev) for runs in probs.values()
                                                   for run in runs)
    # each development page is judged by its own voice, not by having been seen
    for run in probs["B"]:
        assert all((p >= 0.5) == (d["kind"] == "educational") for d, p in zip(dev, run))
    # the prior correction moves only the intercept, towards the development share
    model = train.fit([p["row"] for p in dev + extra], [int(p["kind"] == "educational") for p in dev + extra])
    shifted = cv.prior_corrected(model, dev[:3], dev + extra)
    assert shifted["weights"] == model["weights"] and shifted["bias"] != model["bias"]


@pytest.fixture()
def sentence_labeled(tmp_path):
    """A sentence-labeled manifest: seller pages with 0..4 labeled claims (a page-level label
    is not a claim), explainers with none."""
    lines = []
    for i in range(8):
        seller = i % 2 == 0
        text = SELLER if seller else EXPLAINER
        (tmp_path / f"s{i}.txt").write_text(text, encoding="utf-8")
        claims = i // 2 if seller else 0
        sentences = ([{"sha1": f"{n:012x}", "labels": ["TREATMENT"]} for n in range(claims)]
                     + [{"sha1": "f" * 12, "labels": ["DISCLOSURE"]}, {"sha1": "e" * 12, "labels": []}])
        lines.append(json.dumps({"file": f"s{i}.txt", "url": f"https://example.org/s-{i}",
                                 "kind": "promotional" if seller else "educational",
                                 "doc_labels": [], "sentences": sentences}))
    manifest = tmp_path / "labeled.jsonl"
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return manifest


def test_claims_weighting_weighs_a_page_by_its_labeled_claims(sentence_labeled, kind_only, tmp_path):
    train = load_script("train_pagekind")
    pages = train.load_pages([f"{sentence_labeled}:{tmp_path}", f"{kind_only}:{tmp_path}"], heldout=None)
    assert [p["claims"] for p in pages[:8]] == [0, 0, 1, 0, 2, 0, 3, 0]
    assert all(p["claims"] is None for p in pages[8:])  # kind-only: no sentences
    assert train.page_weights(pages) == [1.0] * len(pages)
    w = train.page_weights(pages, "claims", floor=1.0)
    assert sum(w) / len(w) == pytest.approx(1.0)
    assert w[6] == pytest.approx(4 * w[0])  # 1 + 3 claims against 1 + 0
    # a kind-only page weighs the mean of the labeled pages of its kind
    seller_mean = sum(w[i] for i in (0, 2, 4, 6)) / 4
    assert w[8] == pytest.approx(seller_mean) and w[9] == pytest.approx(w[1])
    fixed = train.page_weights(pages, "claims", floor=1.0, kind_only="0")
    assert all(x == 0 for x in fixed[8:]) and fixed[6] > fixed[4] > fixed[2] > fixed[0] > 0
    with pytest.raises(ValueError, match="unknown weighting"):
        train.page_weights(pages, "accuracy")


def test_weights_of_one_fit_the_same_model_and_a_heavy_page_pulls_the_fit(kind_only, tmp_path):
    train = load_script("train_pagekind")
    rows, labels = train.load([f"{kind_only}:{tmp_path}"], heldout=None)
    plain = train.fit(rows, labels, steps=200)
    assert train.fit(rows, labels, steps=200, weights=[1.0] * len(rows)) == plain
    # the explainers counting twice as much as the sellers move the intercept their way
    heavy = train.fit(rows, labels, steps=200, weights=[0.5 if y == 0 else 1.5 for y in labels])
    assert heavy["bias"] > plain["bias"]


def test_the_command_line_fits_with_claims_weighting(sentence_labeled, kind_only, tmp_path, monkeypatch):
    train = load_script("train_pagekind")
    out = tmp_path / "model.json"
    argv = ["train_pagekind.py", f"{sentence_labeled}:{tmp_path}", f"{kind_only}:{tmp_path}",
            "--heldout", str(tmp_path / "none.jsonl"), "--out", str(out), "--weight", "claims",
            "--floor", "2", "--kind-only-weight", "1.5", "--threshold", "0.4"]
    monkeypatch.setattr(sys, "argv", argv)
    train.main()
    model = json.loads(out.read_text(encoding="utf-8"))
    assert model["weighting"] == {"scheme": "claims", "floor": 2.0, "kind_only": "1.5"}
    assert model["threshold"] == 0.4 and model["pages"] == 18
    monkeypatch.setattr(sys, "argv", [*argv[:-2], "--kind-only-weight", "lots"])
    with pytest.raises(SystemExit):
        train.main()


def test_cost_fitting_targets_the_side_the_rules_score_best_and_thresholds_follow_f1():
    cost = load_script("pagekind_cost")

    def counts(seller: list[int], edu: list[int]) -> dict:
        page = {k: {"flagged": seller, "category": seller, "disclosure": [1, 0]}
                for k in ("promotional", "mixed")}
        return page | {"educational": {"flagged": edu, "category": edu, "disclosure": [1, 0]}}

    pages = [  # tp, fp, fn under a seller's kind and under an explainer's (which finds nothing)
        {"kind": "promotional", "counts": counts([6, 1, 1], [0, 0, 7])},  # a seller full of claims
        {"kind": "educational", "counts": counts([0, 5, 0], [0, 0, 0])},  # an explainer: 5 false alarms
        {"kind": "mixed", "counts": counts([0, 4, 1], [0, 0, 1])},  # labeled mixed, better silent
        {"kind": "educational", "counts": counts([0, 0, 0], [0, 0, 0])},  # costs nothing either way
    ]
    labels, weights = cost.targets_and_weights(pages, "cost", floor=1.0)
    assert labels == [0, 1, 0, 1]
    assert sum(weights) / 4 == pytest.approx(1.0) and weights[3] == min(weights)
    assert weights[0] > weights[1] > weights[3]
    best, _ = cost.targets_and_weights(pages, "best", floor=1.0)
    assert best == [0, 1, 1, 1]  # the mixed page the rules only err on is fitted as an explainer
    # threshold: the seller scored P(educational) 0.2, the explainer 0.3; at 0.5 the explainer
    # is taken for a seller (5 false alarms); the threshold with the best F1 puts both right
    t, b = cost.best_thresholds(pages[:2], [0.2, 0.3])
    assert 0.2 < t <= 0.3
    assert cost.kind_of(0.3, t, b) == "educational" and cost.kind_of(0.2, t, b) != "educational"


def test_cost_variants_predict_every_development_page_out_of_fold(kind_only, tmp_path):
    cost = load_script("pagekind_cost")
    pages = _featured_pages(kind_only, tmp_path)
    for p in pages:
        seller = [3, 1, 0] if p["kind"] == "promotional" else [0, 2, 0]
        edu = [0, 0, 3] if p["kind"] == "promotional" else [0, 0, 0]
        p["counts"] = {k: {"flagged": seller, "category": seller, "disclosure": [1, 0]}
                       for k in ("promotional", "mixed")} | {
            "educational": {"flagged": edu, "category": edu, "disclosure": [1, 0]}}
    dev, extra = pages[:6], pages[6:]
    for scheme in ("none", "claims", "cost", "best"):
        v = {"extra": True, "weights": scheme, "nested": True, "floor": 1.0}
        kinds = cost.run_variant(dev, extra, v, k=3, seed=0)
        # the voices are plain: every page is judged right from models that never saw it
        assert [k == "educational" for k in kinds] == [p["kind"] == "educational" for p in dev]


def test_prior_labeled_moves_only_the_intercept_to_the_labeled_pages_share(sentence_labeled, kind_only,
                                                                           tmp_path, monkeypatch):
    train = load_script("train_pagekind")
    pages = train.load_pages([f"{sentence_labeled}:{tmp_path}", f"{kind_only}:{tmp_path}"], heldout=None)
    assert train.labeled_share(pages) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="sentence-labeled"):
        train.labeled_share([p for p in pages if p["claims"] is None])
    rows, labels = train.load([f"{kind_only}:{tmp_path}"], heldout=None)
    model = train.fit(rows, labels, steps=200)
    moved = train.prior_corrected(model, share=0.25, trained=0.5)
    assert moved["weights"] == model["weights"]
    assert moved["bias"] == pytest.approx(model["bias"] - 1.0986, abs=1e-4)  # logit 0.25 - logit 0.5
    out = tmp_path / "model.json"
    argv = ["train_pagekind.py", f"{sentence_labeled}:{tmp_path}", f"{kind_only}:{tmp_path}",
            "--heldout", str(tmp_path / "none.jsonl"), "--out", str(out),
            "--cues", "all", "--prior", "labeled"]
    monkeypatch.setattr(sys, "argv", argv)
    train.main()
    written = json.loads(out.read_text(encoding="utf-8"))
    from claimlint.pagekind import BASE_FEATURES, FEATURES

    assert set(written["weights"]) == set(FEATURES) and written["prior"]["share"] == pytest.approx(0.5)
    monkeypatch.setattr(sys, "argv", argv[:-4])
    train.main()
    assert set(json.loads(out.read_text(encoding="utf-8"))["weights"]) == set(BASE_FEATURES)


def test_cue_comparison_predicts_every_page_out_of_fold_and_pairs_the_variants(sentence_labeled, kind_only,
                                                                               tmp_path):
    cues = load_script("pagekind_cues")
    train = load_script("train_pagekind")
    from claimlint.pagekind import features

    pages = train.load_pages([f"{sentence_labeled}:{tmp_path}", f"{kind_only}:{tmp_path}"], heldout=None)
    for p in pages:
        p["row"] = features(p["text"])
    for names, with_extra in cues.VARIANTS.values():
        probs = cues.out_of_fold(pages, names, with_extra, k=3, seed=0)
        # the two voices are plain, so every page, kind-only ones too, is judged right out of fold
        assert [q >= 0.5 for q in probs] == [p["kind"] == "educational" for p in pages]
    runs = [[0.9, 0.6, 0.1], [0.2, 0.55, 0.1]]
    three = [{"kind": "educational"}, {"kind": "educational"}, {"kind": "promotional"}]
    marks = cues.page_marks(three, runs, [0, 1, 2])
    assert marks["acc2"] == [0.5, 1.0, 1.0]
    assert marks["confident"] == [0.5, 0.0, 0.0]  # 0.2 is the wrong side by 0.3; 0.55 is right
    change, low, high = cues.paired_mean([0, 0, 1, 1], [1, 1, 1, 1])
    assert change == 0.5 and 0 <= low <= change <= high <= 1


def test_the_shipped_model_is_what_the_script_fits_from_the_committed_manifests(tmp_path, monkeypatch):
    """Runs where the page texts are saved (they are never committed): the shipped model is the
    training script's fit of the committed training manifests, the read splits' kinds
    (``pagekind_read_manifest.jsonl``) and the kind-only pages, with every cue and the labeled
    pages' prior (the command in the script's docstring). No check split trains it."""
    import os
    from pathlib import Path

    corpus = Path(os.environ.get("CLAIMLINT_CORPUS", ROOT.parent / "corpus"))
    pairs = [f"{ROOT / 'corpus' / 'pagekind_manifest.jsonl'}:{corpus / 'kind'}",
             f"{ROOT / 'corpus' / 'pagekind_read_manifest.jsonl'}:{corpus}"]
    splits = ("kind", "fresh2", "fresh-read", "d2-read", "owndev-read")
    if not all((corpus / d / "pages").is_dir() for d in splits):
        pytest.skip("the training page texts are not saved here")
    train = load_script("train_pagekind")
    out = tmp_path / "pagekind.json"
    monkeypatch.setattr(sys, "argv", ["train_pagekind.py", *pairs, "--cues", "all", "--prior", "labeled",
                                      "--out", str(out)])
    train.main()
    from claimlint.pagekind import MODEL

    assert json.loads(out.read_text(encoding="utf-8")) == json.loads(MODEL.read_text(encoding="utf-8"))


def test_a_claims_count_makes_a_line_without_sentences_a_labeled_page(kind_only, tmp_path):
    """The read splits' kinds are committed with each page's count of labeled claims instead of
    its sentences: such a page weighs by its claims and sets the prior like a labeled page."""
    train = load_script("train_pagekind")
    lines = kind_only.read_text(encoding="utf-8").splitlines()
    counted = [json.dumps(json.loads(line) | {"claims": i}) for i, line in enumerate(lines[:4])]
    manifest = tmp_path / "read.jsonl"
    manifest.write_text("\n".join(counted + lines[4:]) + "\n", encoding="utf-8")
    pages = train.load_pages([f"{manifest}:{tmp_path}"], heldout=None)
    assert [p["claims"] for p in pages] == [0, 1, 2, 3] + [None] * 6
    assert train.labeled_share(pages) == pytest.approx(0.5)  # 2 explainers of the 4 counted pages
    w = train.page_weights(pages, "claims", floor=1.0)
    assert w[2] == pytest.approx(3 * w[0])


def test_the_training_manifests_hold_no_check_unseen_or_held_out_page():
    """The read splits and the kind-only pages may train the model; the check splits, this
    round's unseen split and the held-out split may not: none of their URLs is in a committed
    training manifest (the check splits' URLs are compared where their labels are saved)."""
    import os
    from pathlib import Path

    train = load_script("train_pagekind")
    lines = (ROOT / "corpus" / "pagekind_read_manifest.jsonl").read_text(encoding="utf-8").splitlines()
    entries = [json.loads(line) for line in lines if line.strip()]
    fields = {"file", "url", "title", "kind", "discloses_risks", "claims", "sha1"}
    assert len(entries) == 600 and all(set(e) == fields for e in entries)
    assert {e["file"].split("/")[0] for e in entries} == {"fresh2", "fresh-read", "d2-read", "owndev-read"}
    training = {train.url_key(e["url"]) for e in entries}
    training |= train.manifest_urls(ROOT / "corpus" / "pagekind_manifest.jsonl")
    # the read splits are halves or parts of these splits (own_relabel relabels own_dev); every
    # other split (the held-out one, the unseen fresh7, the read splits fresh3, dev3, fresh4,
    # fresh5 and fresh6 the shipped model does not train on, any split labeled later) stays out
    read_from = {"own_fresh_manifest.jsonl", "own_dev_manifest.jsonl", "own_dev2_manifest.jsonl",
                 "own_fresh2_manifest.jsonl", "own_relabel_manifest.jsonl"}
    others = [p for p in (ROOT / "corpus").glob("own_*_manifest.jsonl") if p.name not in read_from]
    assert {"own_heldout_manifest.jsonl", "own_fresh4_manifest.jsonl", "own_fresh5_manifest.jsonl",
            "own_fresh6_manifest.jsonl", "own_fresh7_manifest.jsonl", "own_fresh3_manifest.jsonl",
            "own_dev3_manifest.jsonl"} <= {p.name for p in others}
    for path in others:
        assert not training & train.manifest_urls(path), path.name
    corpus = Path(os.environ.get("CLAIMLINT_CORPUS", ROOT.parent / "corpus"))
    for split in ("fresh-check", "d2-check", "owndev-fifth", "dev"):
        labels = corpus / split / "pages_labels.jsonl"
        if labels.is_file():
            assert not training & train.manifest_urls(labels), split


def test_the_read_manifest_is_written_from_labeled_splits_without_their_sentences(tmp_path):
    """``pagekind_read_manifest.py`` keeps a page's kind, URL, claim count and text hash, never a
    sentence, and its hash is the one ``train_pagekind.py`` checks."""
    make = load_script("pagekind_read_manifest")
    train = load_script("train_pagekind")
    split = tmp_path / "fresh2"
    (split / "pages").mkdir(parents=True)
    (split / "pages" / "1.txt").write_text(SELLER, encoding="utf-8")
    sentences = [{"text": "We offer platelet and stem cell injections for knee and hip pain.",
                  "labels": ["TREATMENT", "MECHANISM"]},
                 {"text": "Call us now to reserve your evaluation.", "labels": []},
                 {"text": "x", "labels": ["DISCLOSURE"]}]
    entry = {"file": "1.txt", "url": "https://example.org/knee", "title": "Knee", "kind": "promotional",
             "discloses_risks": False, "doc_labels": ["DISCLOSURE"], "sentences": sentences}
    unsaved = entry | {"file": "2.txt", "url": "https://example.org/gone"}  # no text saved: left out
    (split / "pages_labels.jsonl").write_text(json.dumps(entry) + "\n" + json.dumps(unsaved) + "\n",
                                              encoding="utf-8")
    rows = make.entries(tmp_path, ("fresh2",))
    assert rows == [{"file": "fresh2/pages/1.txt", "url": "https://example.org/knee", "title": "Knee",
                     "kind": "promotional", "discloses_risks": False, "claims": 1,
                     "sha1": hashlib.sha1(SELLER.encode("utf-8")).hexdigest()}]
    manifest = tmp_path / "read.jsonl"
    manifest.write_text(json.dumps(rows[0]) + "\n", encoding="utf-8")
    pages = train.load_pages([f"{manifest}:{tmp_path}"], heldout=None)
    assert [(p["kind"], p["claims"]) for p in pages] == [("promotional", 1)]


def test_out_of_fold_by_site_never_predicts_a_page_from_its_own_site(kind_only, tmp_path):
    """``pagekind_oof.py``: pages of one site share a fold, and every training page gets a
    prediction from models fitted without its fold; the publisher cues read who publishes."""
    oof = load_script("pagekind_oof")
    assert oof.site("https://news.example.co.uk/a/b") == "example.co.uk"
    assert oof.site("http://www.example.org/x") == oof.site("https://blog.example.org/y") == "example.org"
    pages = _featured_pages(kind_only, tmp_path)
    for i, p in enumerate(pages):
        p["url"] = f"https://site{i // 2}.example{i // 2}.com/page-{i}"
        p["claims"] = 0  # sentence-labeled, for the prior
    folds = oof.site_folds(pages, 3, seed=1)
    assert all(folds[i] == folds[i + 1] for i in range(0, len(pages), 2))
    from claimlint.pagekind import FEATURES

    probs = oof.out_of_fold(pages, [], tuple(FEATURES), k=3, seeds=2)
    assert len(probs) == len(pages) and all(0 < p < 1 for p in probs)
    cues = oof.publisher_features("Stem cells | City University Hospital\nBy Jane Roe, medically reviewed by "
                                  "Dr. Lee. March 3, 2024. References: doi 10.1/x")
    assert cues["p_title_site"] == 1.0 and cues["p_inst"] > 0 and cues["p_byline"] > 0
    assert cues["p_date"] > 0 and cues["p_refs"] > 0 and cues["p_dr"] > 0
    seller = oof.publisher_features("Knee injections\nCall (555) 123-4567, Suite 200. Hours: Mon-Fri")
    assert seller["p_contact"] > 0 and seller["p_title_site"] == 0.0 and seller["p_inst"] == 0.0


def test_layout_and_grammar_cues_read_how_a_page_is_written_not_what_it_says():
    """``pagekind_oof.py``'s measured-only variants ``layout`` and ``grammar``: bare short lines,
    bullets and capitals are shares of the page's lines; tense, third person, years,
    percentages and exclamation marks are rates per 300 words."""
    oof = load_script("pagekind_oof")
    menu = "Home\nAbout us\nBOOK NOW\n\u2022 Knee pain\n\u2022 Hip pain\nWe treat joints without surgery."
    cues = oof.layout_features(menu)
    assert cues["l_short"] == pytest.approx(5 / 6) and cues["l_bullet"] == pytest.approx(2 / 6)
    assert cues["l_caps"] == pytest.approx(1 / 6)
    report = ("In 2019 she travelled to a clinic abroad. She paid for an injection and was told it "
              "had worked for 80% of patients. Her doctor was not convinced.")
    story = oof.layout_features(report)
    assert story["g_past"] > 0 and story["g_third"] > 0 and story["g_years"] > 0 and story["g_percent"] > 0
    assert story["g_exclaim"] == 0 and story["l_short"] == 0
    assert set(oof.layout_features("")) == set(cues) and all(v == 0 for v in oof.layout_features("").values())


def test_the_read_manifest_writer_lists_only_read_splits(tmp_path, monkeypatch):
    make = load_script("pagekind_read_manifest")
    assert not set(make.MEASURED_SPLITS) & set(make.READ_SPLITS)
    monkeypatch.setattr(sys, "argv", ["pagekind_read_manifest.py", str(tmp_path), "--splits", "fresh2,fresh4",
                                      "--out", str(tmp_path / "read.jsonl")])
    with pytest.raises(SystemExit):
        make.main()
    assert not (tmp_path / "read.jsonl").exists()


def _anchor(train) -> dict:  # noqa: ANN001
    """A page-kind model fitted on our two pages, as an anchor to refit."""
    rows = [train.features(t) for t in (SELLER, EXPLAINER) * 5]
    return train.fit(rows, [0, 1] * 5, names=train.FEATURES) | {
        "threshold": 0.5, "mixed_band": 0.2, "pages": 10, "prior": {"share": 0.3}}


def test_an_anchored_refit_moves_from_the_anchor_as_its_strength_falls(kind_only):
    """A strong pull keeps the anchor's weights, a weak one follows the new pages; 'kept'
    changes only the intercept; the anchor's standardisation is kept so its weights apply."""
    train = load_script("train_pagekind")
    anchor = _anchor(train)
    pages = train.load_pages([f"{kind_only}:{kind_only.parent}"], heldout=None)
    rows = [train.features(p["text"]) for p in pages]
    flipped = [1 - int(p["kind"] == "educational") for p in pages]  # the new pages disagree
    kept = train.fit_anchored(rows, flipped, anchor, None)
    assert kept["weights"] == {f: round(v, 5) for f, v in anchor["weights"].items()}
    assert kept["mean"] == anchor["mean"] and kept["scale"] == anchor["scale"]

    def distance(l2: float) -> float:
        w = train.fit_anchored(rows, flipped, anchor, l2)["weights"]
        return sum(abs(w[f] - anchor["weights"][f]) for f in w)

    assert distance(1000) < distance(10) < distance(0.01)
    weak = train.fit_anchored(rows, flipped, anchor, 0.01)
    seller = train.probability(weak, train.features(SELLER))
    assert seller > 0.5  # it learned the flipped labels


def test_anchored_cross_validation_never_scores_a_site_with_a_model_that_saw_it(kind_only, monkeypatch):
    train = load_script("train_pagekind")
    anchor = _anchor(train)
    pages = train.load_pages([f"{kind_only}:{kind_only.parent}"], heldout=None)
    for i, p in enumerate(pages):  # five sites of two pages each
        p["url"] = f"https://www.site-{i // 2}.example/page-{i}"
    rows = [train.features(p["text"]) for p in pages]
    seen = []
    real = train.fit_anchored

    def spy(rows_, labels_, anchor_, l2):  # noqa: ANN001, ANN202
        seen.append({id(r) for r in rows_})
        return real(rows_, labels_, anchor_, l2)

    monkeypatch.setattr(train, "fit_anchored", spy)
    scores = train.anchored_cv(pages, rows, anchor, [10.0, None], folds=5)
    assert set(scores) == {"10.0", "kept"}
    assert all(0 <= s["accuracy"] <= 1 and s["log_loss"] >= 0 for s in scores.values())
    assert len(seen) == 10  # five folds, two strengths: each fold leaves one site's two pages out
    for trained in seen:
        assert len(trained) == 8
    by_site = {}
    for i, p in enumerate(pages):
        by_site.setdefault(train.site(p["url"]), set()).add(id(rows[i]))
    assert len(by_site) == 5
    for trained in seen:  # a fold's model never saw any page of a site it leaves out
        assert sum(not (pages_ & trained) for pages_ in by_site.values()) == 1


def test_the_command_line_refits_an_anchor_and_moves_its_prior(kind_only, tmp_path, monkeypatch):
    train = load_script("train_pagekind")
    anchor_file = tmp_path / "anchor.json"
    anchor_file.write_text(json.dumps(_anchor(train)), encoding="utf-8")
    out = tmp_path / "refit.json"
    monkeypatch.setattr(sys, "argv", ["train_pagekind", f"{kind_only}:{kind_only.parent}", "--anchor",
                                      str(anchor_file), "--anchor-l2", "10", "kept", "--out", str(out),
                                      "--heldout", str(tmp_path / "none.jsonl")])
    train.main()
    model = json.loads(out.read_text(encoding="utf-8"))
    assert model["anchored"]["l2"] in ("10.0", "kept") and set(model["anchored"]["cv"]) == {"10.0", "kept"}
    assert model["prior"] == {"scheme": "anchor", "share": 0.3}
    assert model["threshold"] == 0.5 and model["pages"] == 10
    explainer, seller = (train.probability(model, train.features(t)) for t in (EXPLAINER, SELLER))
    assert explainer > seller
