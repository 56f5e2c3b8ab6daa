#!/usr/bin/env python3
"""Fit the page-kind model (``claimlint/models/pagekind.json``) on labeled real pages.

    scripts/train_pagekind.py MANIFEST:TEXTS [MANIFEST:TEXTS ...] [--threshold 0.5]
        [--mixed-band 0.2] [--weight none|claims] [--floor 1] [--kind-only-weight mean|N]
        [--cues base|all] [--prior none|labeled]

Each argument pairs a page manifest with the folder holding its page texts (``NNN.txt`` or
``pages/NNN.txt``; third-party text, kept out of git). A manifest line needs only ``file`` and
``kind`` (promotional / mixed / educational): a sentence-labeled manifest
(``own_dev_manifest.jsonl``) and a kind-only one (``pagekind_manifest.jsonl``: URL, title,
kind and the SHA-1 of the saved text, no sentences) both work. When a line carries ``sha1``,
the saved text must still hash to it, so a page re-saved differently is caught, not trained on.

The held-out split is never trained on: a page whose URL is in ``--heldout`` (by default
``corpus/own_heldout_manifest.jsonl``) stops the run. The model is a logistic regression over
``claimlint.pagekind.features`` (a dozen cue counts: ``--cues base``, those of the shipped
model, or ``all``, the reporter's voice too), fitted with plain gradient descent and an L2
penalty; the result is deterministic.

Weighting (``--weight``, default ``none``: every page counts once). ``claims`` fits for what a
wrong kind costs rather than for accuracy: a sentence-labeled page weighs ``--floor`` plus its
labeled claims (a seller's page full of claims taken for an explainer loses them all), and a
kind-only page weighs ``--kind-only-weight``: ``mean`` (the mean weight of the
sentence-labeled pages of its kind) or a number. Weights are scaled to a mean of 1, so the L2
penalty keeps its strength. ``--threshold`` and ``--mixed-band`` are written into the model as
given (``scripts/pagekind_cost.py`` measures other choices by cross-validation; the rules
treat a mixed page as a promotional one, so the band changes the reported kind only).

``--prior labeled`` moves the fitted intercept to the share of explainers among the
sentence-labeled pages (a line with ``sentences`` or a ``claims`` count): the kind-only pages
hold more explainers than the pages claimlint is measured on, and their cues are what the
model should learn from them, not their mix.

The shipped model (``tests/test_train_pagekind.py`` checks that this reproduces it when the
page texts are at hand): every cue, fitted on the kind-only pages and the read splits' kinds
(``corpus/pagekind_read_manifest.jsonl``, written by ``scripts/pagekind_read_manifest.py``
from the labeled splits: fresh2, fresh-read, d2-read and owndev-read; hash-only, no sentence),
the intercept moved to the read splits' share of explainers. Run from the repository root with
the labeled splits saved in ``../corpus`` (third-party text, never committed):

    scripts/train_pagekind.py corpus/pagekind_manifest.jsonl:../corpus/kind \\
        corpus/pagekind_read_manifest.jsonl:../corpus --cues all --prior labeled

``--anchor MODEL`` refits an existing model on new pages when the pages it was fitted on are not
at hand (their texts live outside git): the same cues and standardisation, its weights pulled
toward MODEL's by an L2 penalty whose strength (``--anchor-l2``, and ``kept``: only the intercept)
is chosen by log loss out of fold grouped by site, the intercept then moved to MODEL's share of
explainers. The twelfth round measured it on 600 kind-only pages labeled that round
(``corpus/pagekind12_manifest.jsonl``) and did not ship it (README, docs/accuracy.md):

    scripts/train_pagekind.py corpus/pagekind12_manifest.jsonl:../corpus/kind12 \\
        --anchor claimlint/models/pagekind.json --out candidate.json

No check split (fresh-check, d2-check, owndev-fifth, the shared development pages), no unseen
split and no held-out page trains it, so the check splits measure it out of sample. The
previous model read the own development split and the shared development pages (check splits
among them) with the kind-only pages; the first model read the ``base`` cues of the first two.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
from pathlib import Path

import numpy as np

from claimlint.pagekind import BASE_FEATURES, FEATURES, MODEL, features
from claimlint.pagescore import PAGE_LEVEL, canon

HELDOUT = Path(__file__).resolve().parent.parent / "corpus" / "own_heldout_manifest.jsonl"


def url_key(url: str) -> str:
    """A URL as compared across manifests: no scheme, ``www.``, fragment or trailing slash."""
    u = url.strip().lower().split("#")[0].rstrip("/")
    for scheme in ("https://", "http://"):
        u = u.removeprefix(scheme)
    return u.removeprefix("www.")


def manifest_urls(path: Path | None) -> set[str]:
    if path is None or not path.is_file():
        return set()
    lines = path.read_text(encoding="utf-8").splitlines()
    return {url_key(json.loads(line)["url"]) for line in lines if line.strip()}


def load_pages(pairs: list[str], heldout: Path | None = HELDOUT) -> list[dict]:
    """The labeled pages of each MANIFEST:TEXTS pair whose text was saved: ``file``, ``url``,
    ``kind`` and ``text``. Raises ValueError on a held-out page or a text that no longer
    matches its manifest hash."""
    banned = manifest_urls(heldout)
    pages = []
    for pair in pairs:
        manifest, _, texts = pair.partition(":")
        for n, line in enumerate(Path(manifest).read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            entry = json.loads(line)
            where = f"{manifest}:{n}"
            if entry.get("kind") not in ("promotional", "mixed", "educational"):
                raise ValueError(f"{where}: kind must be promotional, mixed or educational")
            if entry.get("url") and url_key(entry["url"]) in banned:
                raise ValueError(f"{where}: {entry['url']} is in the held-out split {heldout}")
            path = next((p for p in (Path(texts) / entry["file"], Path(texts) / "pages" / entry["file"])
                         if p.is_file()), None)
            if path is None:
                continue  # text not saved here: nothing to learn from
            text = path.read_text(encoding="utf-8")
            if "sha1" in entry and hashlib.sha1(text.encode("utf-8")).hexdigest() != entry["sha1"]:
                raise ValueError(f"{where}: {path} does not match the manifest's sha1 (re-saved?)")
            pages.append({"file": entry["file"], "url": entry.get("url", ""), "kind": entry["kind"],
                          "text": text, "path": str(path.resolve()), "claims": labeled_claims(entry)})
    return pages


def labeled_claims(entry: dict) -> int | None:
    """How many of a manifest page's sentences are labeled as claims (a category other than the
    page-level ones); a line without its sentences may carry that count as ``claims`` (the
    read splits' kinds, ``pagekind_read_manifest.jsonl``); None for a kind-only page."""
    if "sentences" not in entry:
        return int(entry["claims"]) if "claims" in entry else None
    return sum(bool({canon(lab) for lab in s.get("labels", [])} - PAGE_LEVEL) for s in entry["sentences"])


def page_weights(pages: list[dict], scheme: str = "none", floor: float = 1.0,
                 kind_only: str = "mean") -> list[float]:
    """Each page's weight in the fit, scaled to a mean of 1 (so the L2 penalty keeps its
    strength). ``none``: every page 1. ``claims``: a sentence-labeled page weighs ``floor``
    plus its labeled claims, what the rules lose on it when a seller's page is taken for an
    explainer; a kind-only page (no sentences) weighs ``kind_only``: ``mean`` (the mean
    weight of the sentence-labeled pages of its kind), or a number."""
    if scheme == "none":
        raw = [1.0] * len(pages)
    elif scheme == "claims":
        by_kind: dict[str, list[float]] = {}
        for p in pages:
            if p.get("claims") is not None:
                by_kind.setdefault(p["kind"], []).append(floor + p["claims"])
        labeled = [w for ws in by_kind.values() for w in ws]
        overall = sum(labeled) / len(labeled) if labeled else 1.0

        def other(kind: str) -> float:
            if kind_only != "mean":
                return float(kind_only)
            ws = by_kind.get(kind)
            return sum(ws) / len(ws) if ws else overall

        raw = [floor + p["claims"] if p.get("claims") is not None else other(p["kind"]) for p in pages]
    else:
        raise ValueError(f"unknown weighting {scheme!r}: none or claims")
    mean = sum(raw) / len(raw) if raw else 1.0
    return [w / mean for w in raw] if mean > 0 else raw


def load(pairs: list[str], heldout: Path | None = HELDOUT) -> tuple[list[dict[str, float]], list[int]]:
    """Feature rows and labels (1 = educational) of the pages of ``pairs``."""
    pages = load_pages(pairs, heldout)
    return [features(p["text"]) for p in pages], [int(p["kind"] == "educational") for p in pages]


def fit(rows: list[dict[str, float]], labels: list[int], l2: float = 1.0, steps: int = 3000,
        rate: float = 0.1, weights: list[float] | None = None,
        names: tuple[str, ...] = BASE_FEATURES) -> dict:
    """Logistic regression on standardised features by full-batch gradient descent; each
    page's loss counts ``weights[i]`` times (default 1; ``page_weights`` scales them to a mean
    of 1). ``names``: the cues the model reads (default those of the shipped model)."""
    n = len(rows)
    sw = np.ones(n) if weights is None else np.array(weights, dtype=float)
    x = np.array([[r[f] for f in names] for r in rows], dtype=float)
    y = np.array(labels, dtype=float)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    w, b = np.zeros(len(names)), 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(z @ w + b)))
        g = (p - y) * sw
        w = w - rate * (g @ z / n + l2 * w / n)
        b -= rate * float(g.sum()) / n
    return {"weights": dict(zip(names, (round(float(v), 5) for v in w))), "bias": round(b, 5),
            "mean": {f: round(float(v), 5) for f, v in zip(names, mean)},
            "scale": {f: round(float(v), 5) for f, v in zip(names, scale)}}


def fit_anchored(rows: list[dict[str, float]], labels: list[int], anchor: dict, l2: float | None,
                 steps: int = 3000, rate: float = 0.1, weights: list[float] | None = None) -> dict:
    """A refit of ``anchor`` (a page-kind model) on new pages when the pages it was fitted on are
    not at hand: the same cues and standardisation, its weights pulled back toward the anchor's
    by an L2 penalty of strength ``l2`` (``None``: the anchor's weights kept, only the intercept
    fitted), the intercept free (the new pages' share of explainers; ``prior_corrected`` moves
    it). Gradient descent as ``fit``."""
    names = tuple(anchor["weights"])
    n = len(rows)
    sw = np.ones(n) if weights is None else np.array(weights, dtype=float)
    mean = np.array([anchor["mean"][f] for f in names])
    scale = np.array([anchor["scale"][f] for f in names])
    z = (np.array([[r[f] for f in names] for r in rows], dtype=float) - mean) / scale
    y = np.array(labels, dtype=float)
    w0 = np.array([anchor["weights"][f] for f in names])
    w, b = w0.copy(), 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(z @ w + b)))
        g = (p - y) * sw
        if l2 is not None:  # the pull toward w0 taken implicitly: stable at any strength
            c = rate * l2 / n
            w = (w - rate * (g @ z / n) + c * w0) / (1 + c)
        b -= rate * float(g.sum()) / n
    return {"weights": dict(zip(names, (round(float(v), 5) for v in w))), "bias": round(b, 5),
            "mean": dict(anchor["mean"]), "scale": dict(anchor["scale"])}


def site(url: str) -> str:
    """The site a page belongs to (its host without ``www.``), the unit of a grouped fold."""
    return url_key(url).split("/")[0]


def anchored_cv(pages: list[dict], rows: list[dict[str, float]], anchor: dict,
                strengths: list[float | None], folds: int = 5) -> dict[str, dict[str, float]]:
    """Out-of-fold log loss and accuracy (at 0.5, before any prior correction) of each anchor
    strength, folds grouped by site (a site's pages never train the model that scores them);
    ``anchor`` as it is, only its intercept refitted per fold, is ``None``'s row."""
    sites = sorted({site(p["url"]) for p in pages},
                   key=lambda s: hashlib.sha1(s.encode()).hexdigest())
    fold_of = {s: i % folds for i, s in enumerate(sites)}
    labels = [int(p["kind"] == "educational") for p in pages]
    out = {}
    for l2 in strengths:
        loss = right = 0.0
        for k in range(folds):
            train = [i for i, p in enumerate(pages) if fold_of[site(p["url"])] != k]
            test = [i for i, p in enumerate(pages) if fold_of[site(p["url"])] == k]
            if not train or not test:
                continue
            model = fit_anchored([rows[i] for i in train], [labels[i] for i in train], anchor, l2)
            for i in test:
                q = min(max(probability(model, rows[i]), 1e-9), 1 - 1e-9)
                loss -= math.log(q if labels[i] else 1 - q)
                right += (q >= 0.5) == bool(labels[i])
        out["kept" if l2 is None else str(l2)] = {"log_loss": round(loss / len(pages), 4),
                                                  "accuracy": round(right / len(pages), 4)}
    return out


def prior_corrected(model: dict, share: float, trained: float) -> dict:
    """``model`` with its intercept moved from ``trained``, the share of educational pages it
    was fitted on, to ``share`` (the standard correction for a shifted class prior: the
    kind-only pages hold more explainers than the sentence-labeled pages claimlint is measured
    on)."""
    def logit(q: float) -> float:
        return math.log(q / (1 - q))

    return model | {"bias": round(model["bias"] + logit(share) - logit(trained), 5)}


def labeled_share(pages: list[dict]) -> float:
    """The share of educational pages among the sentence-labeled pages of ``pages``."""
    labeled = [p for p in pages if p.get("claims") is not None]
    if not labeled:
        raise ValueError("no sentence-labeled page to take the share of explainers from")
    return sum(p["kind"] == "educational" for p in labeled) / len(labeled)


def probability(model: dict, row: dict[str, float]) -> float:
    """P(educational) of one feature row, as ``claimlint.pagekind.classify`` computes it."""
    w, mean, scale = model["weights"], model["mean"], model["scale"]
    z = model["bias"] + sum(w[f] * (row[f] - mean[f]) / scale[f] for f in w)
    return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("pairs", nargs="+", metavar="MANIFEST:TEXTS")
    ap.add_argument("--threshold", type=float, default=0.5,
                    help="P(educational) from which a page is educational")
    ap.add_argument("--mixed-band", type=float, default=0.2, help="below the threshold by this much: mixed")
    ap.add_argument("--weight", choices=("none", "claims"), default="none",
                    help="how much each page counts in the fit (see above)")
    ap.add_argument("--floor", type=float, default=1.0,
                    help="--weight claims: a page's weight beyond its claims")
    ap.add_argument("--kind-only-weight", default="mean",
                    help="--weight claims: weight of a page without sentence labels (mean or a number)")
    ap.add_argument("--cues", choices=("base", "all"), default="base",
                    help="base: the cues of the shipped model; all: the reporter's voice too")
    ap.add_argument("--prior", choices=("none", "labeled"), default="none",
                    help="labeled: move the intercept to the share of explainers among the "
                         "sentence-labeled pages (when kind-only pages are added)")
    ap.add_argument("--anchor", type=Path, metavar="MODEL",
                    help="refit MODEL (the shipped page-kind model) on these pages, its weights "
                         "pulled toward MODEL's (its own training pages need not be at hand)")
    ap.add_argument("--anchor-l2", nargs="+", default=["1", "10", "100", "1000", "kept"],
                    help="--anchor: strengths to compare out of fold by site ('kept': MODEL's "
                         "weights as they are); the best log loss is fitted on all pages")
    ap.add_argument("--share", type=float,
                    help="--anchor: the share of explainers to move the intercept to "
                         "(default: MODEL's prior share)")
    ap.add_argument("--heldout", type=Path, default=HELDOUT,
                    help="manifest of the held-out split: none of its pages may be trained on")
    ap.add_argument("--out", type=Path, default=MODEL)
    a = ap.parse_args()
    if a.kind_only_weight != "mean":
        try:
            float(a.kind_only_weight)
        except ValueError:
            ap.error(f"--kind-only-weight must be mean or a number, not {a.kind_only_weight!r}")
    try:
        pages = load_pages(a.pairs, a.heldout)
    except ValueError as exc:
        ap.error(str(exc))
    if not pages:
        ap.error("no page text found for any manifest line")
    rows = [features(p["text"]) for p in pages]
    labels = [int(p["kind"] == "educational") for p in pages]
    if a.anchor:
        refit_anchored(a, pages, rows, labels)
        return
    model = fit(rows, labels, weights=page_weights(pages, a.weight, a.floor, a.kind_only_weight),
                names=BASE_FEATURES if a.cues == "base" else FEATURES)
    if a.prior == "labeled":
        try:
            share = labeled_share(pages)
        except ValueError as exc:
            ap.error(str(exc))
        model = prior_corrected(model, share, sum(labels) / len(labels))
        model["prior"] = {"scheme": "labeled", "share": round(share, 5)}
    model.update(threshold=a.threshold, mixed_band=a.mixed_band, pages=len(rows),
                 educational_pages=sum(labels))
    if a.weight != "none":
        model.update(weighting={"scheme": a.weight, "floor": a.floor, "kind_only": a.kind_only_weight})
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    print(f"fitted on {len(rows)} pages ({sum(labels)} educational) -> {a.out}")


def refit_anchored(a: argparse.Namespace, pages: list[dict], rows: list[dict[str, float]],
                   labels: list[int]) -> None:
    """``--anchor``: compare the strengths out of fold, fit the best on every page, move the
    intercept to the anchor's share of explainers and write the model."""
    anchor = json.loads(a.anchor.read_text(encoding="utf-8"))
    strengths = [None if s == "kept" else float(s) for s in a.anchor_l2]
    scores = anchored_cv(pages, rows, anchor, strengths)
    for name, score in scores.items():
        print(f"anchor l2 {name:>6}: out-of-fold log loss {score['log_loss']:.4f}, "
              f"accuracy {score['accuracy']:.3f}")
    best = min(scores, key=lambda k: scores[k]["log_loss"])
    model = fit_anchored(rows, labels, anchor, None if best == "kept" else float(best))
    share = a.share if a.share is not None else anchor.get("prior", {}).get("share")
    if share:
        model = prior_corrected(model, share, sum(labels) / len(labels))
        model["prior"] = {"scheme": "anchor", "share": round(share, 5)}
    model.update(threshold=anchor["threshold"], mixed_band=anchor["mixed_band"],
                 pages=len(rows), educational_pages=sum(labels),
                 anchored={"on": anchor.get("pages"), "l2": best, "cv": scores})
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    print(f"refitted on {len(rows)} pages ({sum(labels)} educational), anchor l2 {best} -> {a.out}")


if __name__ == "__main__":
    main()
