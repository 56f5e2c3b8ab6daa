"""scripts/train_pagekind.py and scripts/pagekind_cv.py: the page-kind model is fitted from
page manifests that carry only a page's kind (no sentence labels), never from the held-out
split, and never from a text that no longer matches its manifest. All copy here is our own."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys

import pytest

from tests.conftest import ROOT

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


def _load(name: str):  # noqa: ANN202
    sys.path.insert(0, str(ROOT / "scripts"))
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
    train = _load("train_pagekind")
    rows, labels = train.load([f"{kind_only}:{tmp_path}"], heldout=None)
    assert labels == [0, 1] * 5
    model = train.fit(rows, labels, steps=300)
    assert model["weights"]["explaining"] > 0 > model["weights"]["we"]
    # the fitted model reads a seller's page as less educational than an explainer
    from claimlint.pagekind import features

    assert train.probability(model, features(SELLER)) < 0.5 < train.probability(model, features(EXPLAINER))


def test_the_command_line_writes_a_model_from_a_kind_only_manifest(kind_only, tmp_path, monkeypatch):
    train = _load("train_pagekind")
    out = tmp_path / "model.json"
    monkeypatch.setattr(sys, "argv", ["train_pagekind.py", f"{kind_only}:{tmp_path}",
                                      "--heldout", str(tmp_path / "none.jsonl"), "--out", str(out)])
    train.main()
    model = json.loads(out.read_text(encoding="utf-8"))
    assert model["pages"] == 10 and model["educational_pages"] == 5


def test_a_held_out_page_is_never_trained_on(kind_only, tmp_path):
    train = _load("train_pagekind")
    heldout = tmp_path / "heldout.jsonl"
    # the same page under another spelling of its URL is still the held-out page
    heldout.write_text(json.dumps({"file": "x.txt", "url": "http://www.example.org/page-3/"}) + "\n",
                       encoding="utf-8")
    with pytest.raises(ValueError, match="held-out"):
        train.load([f"{kind_only}:{tmp_path}"], heldout=heldout)


def test_a_text_that_no_longer_matches_its_hash_is_refused(kind_only, tmp_path):
    train = _load("train_pagekind")
    (tmp_path / "004.txt").write_text(SELLER + "\nEdited later.\n", encoding="utf-8")
    with pytest.raises(ValueError, match="sha1"):
        train.load([f"{kind_only}:{tmp_path}"], heldout=None)


def test_a_manifest_line_without_a_known_kind_is_refused(tmp_path):
    train = _load("train_pagekind")
    (tmp_path / "001.txt").write_text(SELLER, encoding="utf-8")
    manifest = tmp_path / "m.jsonl"
    manifest.write_text(json.dumps({"file": "001.txt", "kind": "advert"}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="kind must be"):
        train.load([f"{manifest}:{tmp_path}"], heldout=None)


def test_cross_validation_predicts_every_development_page_from_models_that_never_saw_it(kind_only, tmp_path):
    cv = _load("pagekind_cv")
    train = _load("train_pagekind")
    from claimlint.pagekind import features

    pages = train.load_pages([f"{kind_only}:{tmp_path}"], heldout=None)
    for p in pages:
        p["row"] = features(p["text"])
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
