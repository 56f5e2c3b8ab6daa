#!/usr/bin/env python3
"""Does a larger page-kind training set help? Cross-validated, on the development pages only.

    scripts/pagekind_cv.py --dev corpus/own_dev_manifest.jsonl:real-pages/own \\
        --dev ../shared/corpus/pages_dev_manifest.jsonl:real-pages/dev \\
        --extra corpus/pagekind_manifest.jsonl:real-pages/kind \\
        --score real-pages/own --score real-pages/dev [--folds 5] [--seeds 3] [--words 0]

The development pages (sentence-labeled, ``--dev``) are split into K folds by page. For each
fold the page-kind model of ``scripts/train_pagekind.py`` is fitted twice: on the other folds'
development pages (A, today's training set) and on those plus every ``--extra`` page (B, the
kind-only set). Both predict the held fold, so every development page gets a prediction from
a model that never saw it, and the extra pages are only ever trained on. B' is B with its
intercept moved back to the development folds' share of educational pages (the extra set
holds more explainers than the pages claimlint is measured on). ``--words N`` adds a variant
C: B's cues plus the N most common words and word pairs of the training folds, with a strong
L2 penalty (needs scikit-learn, used in this script only), to see whether richer features pay
off on the larger set.

Printed: accuracy of educational-vs-not and of the three kinds (P(educational) at or above the
threshold is educational, within the mixed band below it mixed, else promotional), averaged
over ``--seeds`` fold assignments, with paired 95% intervals of B - A and B' - A; then, for each
``--score`` folder (labeled pages, as ``claimlint rules eval`` reads them), the rules' scores
with the page kind forced to each assignment: the labeled kind (the ceiling), the shipped
model (in-sample: it was fitted on these pages), A, B and B' (cross-validated), with the paired
95% interval of the change in F1 between them. Each page is linted once per kind and the
findings reused (``--cache``), so an assignment costs nothing to score.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from train_pagekind import HELDOUT, fit, load_pages, probability, url_key  # noqa: E402

from claimlint.pagekind import BASE_FEATURES, READ_CHARS, _model, features  # noqa: E402

KINDS = ("promotional", "mixed", "educational")


def kind_of(p: float, threshold: float, band: float) -> str:
    return "educational" if p >= threshold else "mixed" if p >= threshold - band else "promotional"


def folds_of(n: int, k: int, seed: int) -> list[list[int]]:
    order = list(range(n))
    random.Random(seed).shuffle(order)
    return [order[i::k] for i in range(k)]


# --- richer features (variant C): cues plus common words and word pairs --------------------

WORD = re.compile(r"[a-z][a-z'-]+")


def grams(text: str) -> Counter:
    words = WORD.findall(text[:READ_CHARS].lower())
    return Counter(words) + Counter(f"{a} {b}" for a, b in zip(words, words[1:]))


def word_model(train: list[dict], size: int, c: float):  # noqa: ANN201
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    df = Counter(g for p in train for g in p["grams"])
    vocab = [g for g, n in df.most_common(size) if n >= 3]

    def matrix(pages: list[dict]) -> np.ndarray:
        rows = []
        for p in pages:
            n = max(60, len(p["text"][:READ_CHARS].split()))
            cues = [p["row"][f] for f in BASE_FEATURES]
            rows.append(cues + [np.log1p(p["grams"][g] * 300 / n) for g in vocab])
        return np.array(rows)

    x = matrix(train)
    scaler = StandardScaler().fit(x)
    y = [int(p["kind"] == "educational") for p in train]
    clf = LogisticRegression(C=c, max_iter=2000).fit(scaler.transform(x), y)
    return lambda pages: clf.predict_proba(scaler.transform(matrix(pages)))[:, 1]


# --- cross-validation ---------------------------------------------------------------------

def cross_validate(dev: list[dict], extra: list[dict], k: int, seeds: int, words: int,
                   c: float) -> dict[str, list[list[float]]]:
    """P(educational) of every development page from models that never saw it, per seed."""
    out: dict[str, list[list[float]]] = {"A": [], "B": [], "B'": []} | ({"C": []} if words else {})
    for seed in range(seeds):
        probs = {name: [0.0] * len(dev) for name in out}
        for held in folds_of(len(dev), k, seed):
            held_set = set(held)
            train = [p for i, p in enumerate(dev) if i not in held_set]
            ma = fit([p["row"] for p in train], [int(p["kind"] == "educational") for p in train])
            mb = fit([p["row"] for p in train + extra],
                     [int(p["kind"] == "educational") for p in train + extra])
            mp = prior_corrected(mb, train, train + extra)
            for i in held:
                probs["A"][i] = probability(ma, dev[i]["row"])
                probs["B"][i] = probability(mb, dev[i]["row"])
                probs["B'"][i] = probability(mp, dev[i]["row"])
            if words:
                predict = word_model(train + extra, words, c)
                for i, p in zip(held, predict([dev[i] for i in held])):
                    probs["C"][i] = float(p)
        for name in out:
            out[name].append(probs[name])
    return out


def prior_corrected(model: dict, dev_train: list[dict], train: list[dict]) -> dict:
    """``model`` with its intercept moved from the training set's share of educational pages
    to the development training folds' share (the extra pages hold more explainers than the
    pages claimlint is measured on): the standard correction for a shifted class prior."""
    def logit(pages: list[dict]) -> float:
        share = sum(p["kind"] == "educational" for p in pages) / len(pages)
        return math.log(share / (1 - share))

    return model | {"bias": model["bias"] + logit(dev_train) - logit(train)}


def correct(dev: list[dict], probs: list[float], threshold: float, band: float, three: bool) -> list[int]:
    if three:
        return [int(kind_of(p, threshold, band) == d["kind"]) for d, p in zip(dev, probs)]
    return [int((p >= threshold) == (d["kind"] == "educational")) for d, p in zip(dev, probs)]


def paired_interval(a: list[float], b: list[float], resamples: int = 2000,
                    seed: int = 0) -> tuple[float, float]:
    rng = random.Random(seed)
    n = len(a)
    diffs = []
    for _ in range(resamples):
        pick = [rng.randrange(n) for _ in range(n)]
        diffs.append(sum(b[i] - a[i] for i in pick) / n)
    diffs.sort()
    return diffs[int(0.025 * (resamples - 1))], diffs[int(0.975 * (resamples - 1))]


# --- the rules' scores with the page kind forced -------------------------------------------

def forced_counts(folder: Path, cache: Path, manifest: Path | None = None
                  ) -> tuple[list, dict[str, dict[str, dict]]]:
    """Each labeled page of ``folder`` (or of ``manifest``, texts in ``folder``) linted once
    per page kind: its per-page counts."""
    from claimlint.cache import code_digest
    from claimlint.config import Config
    from claimlint.lint import Linter
    from claimlint.pagescore import PageScore
    from claimlint.pagescore import load_pages as labeled_pages

    stored = json.loads(cache.read_text(encoding="utf-8")) if cache.is_file() else {}
    version = code_digest()
    if stored.get("version") != version:
        stored = {"version": version, "pages": {}}
    pages = labeled_pages(folder, manifest)
    linter = Linter(Config())
    counts: dict[str, dict[str, dict]] = {}
    for page in pages:
        key = hashlib.sha1(page.text.encode("utf-8")).hexdigest()
        if key not in stored["pages"]:
            stored["pages"][key] = {}
            for kind in KINDS:
                doc = linter.load(page.text.encode("utf-8"), page.file)
                doc.page_kind = kind
                score = PageScore()
                score.add(page, linter.lint_document(doc))
                stored["pages"][key][kind] = next(iter(score.per_page.values()))
        counts[str(Path(page.file).resolve())] = stored["pages"][key]
    cache.write_text(json.dumps(stored), encoding="utf-8")
    return pages, counts


def summary(per_page: dict[str, dict[str, list[int]]]) -> str:
    from claimlint.pagescore import _summed

    fp, fr, ff = _summed(list(per_page.values()), "flagged")
    cp, cr, cf = _summed(list(per_page.values()), "category")
    right = sum(v["disclosure"][0] for v in per_page.values())
    return (f"flagged P/R/F1 {fp:.3f}/{fr:.3f}/{ff:.3f}  category P/R/F1 {cp:.3f}/{cr:.3f}/{cf:.3f}  "
            f"DISCLOSURE right {right} of {len(per_page)}")


def main() -> None:  # noqa: PLR0915
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dev", action="append", required=True, metavar="MANIFEST:TEXTS")
    ap.add_argument("--extra", action="append", default=[], metavar="MANIFEST:TEXTS")
    ap.add_argument("--score", action="append", default=[], type=Path, metavar="FOLDER")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--words", type=int, default=0, help="variant C: this many words and word pairs")
    ap.add_argument("--c", type=float, default=0.05, help="variant C: inverse L2 strength")
    ap.add_argument("--heldout", type=Path, default=HELDOUT)
    ap.add_argument("--cache", type=Path, default=Path(".claimlint_cache/pagekind_cv.json"))
    a = ap.parse_args()

    shipped = _model()
    threshold, band = shipped["threshold"], shipped["mixed_band"]
    dev = load_pages(a.dev, a.heldout)
    seen = {url_key(p["url"]) for p in dev if p["url"]}
    extra_all = load_pages(a.extra, a.heldout)
    extra = [p for p in extra_all if not p["url"] or url_key(p["url"]) not in seen]
    for p in dev + extra:
        p["row"] = features(p["text"])
        p["grams"] = grams(p["text"]) if a.words else Counter()
    kinds = Counter(p["kind"] for p in extra)
    print(f"development pages: {len(dev)} ({Counter(p['kind'] for p in dev)['educational']} educational); "
          f"extra pages: {len(extra)} ({', '.join(f'{k} {kinds[k]}' for k in KINDS)})"
          + (f", {len(extra_all) - len(extra)} dropped as already in the development set"
             if len(extra_all) > len(extra) else ""))

    probs = cross_validate(dev, extra, a.folds, a.seeds, a.words, a.c)
    print(f"\n{a.folds}-fold cross-validation by page, {a.seeds} fold assignments; test folds are "
          "development pages only")
    for three, what in ((False, "educational vs not"), (True, "three kinds")):
        per_page = {name: [sum(col) / len(col) for col in zip(*(correct(dev, s, threshold, band, three)
                                                               for s in runs))]
                    for name, runs in probs.items()}
        line = "  ".join(f"{name} {sum(v) / len(v):.3f}" for name, v in per_page.items())
        print(f"  accuracy, {what:18} {line}")
        for now in ("B", "B'"):
            lo, hi = paired_interval(per_page["A"], per_page[now])
            diff = sum(per_page[now]) / len(dev) - sum(per_page["A"]) / len(dev)
            print(f"  {'':28} {now}-A {diff:+.3f} (95% {lo:+.3f} to {hi:+.3f})")
        if "C" in per_page:
            lo, hi = paired_interval(per_page["B"], per_page["C"])
            diff = sum(per_page["C"]) / len(dev) - sum(per_page["B"]) / len(dev)
            print(f"  {'':28} C-B {diff:+.3f} (95% {lo:+.3f} to {hi:+.3f})")

    if not a.score:
        return
    from claimlint.pagescore import paired_change, render_change

    by_path = {p["path"]: i for i, p in enumerate(dev)}
    a.cache.parent.mkdir(parents=True, exist_ok=True)
    for folder in a.score:
        pages, counts = forced_counts(folder, a.cache)
        names = ("labeled", "shipped (in-sample)", "A", "B", "B'")
        assign: dict[str, dict[str, str]] = {name: {} for name in names}
        for page in pages:
            path = str(Path(page.file).resolve())
            i = by_path.get(path)
            row = features(page.text)
            assign["labeled"][path] = page.kind or "promotional"
            assign["shipped (in-sample)"][path] = kind_of(probability(shipped, row), threshold, band)
            for name in ("A", "B", "B'"):
                if i is not None:  # cross-validated prediction of seed 0
                    assign[name][path] = kind_of(probs[name][0][i], threshold, band)
        common = [p for p in assign["labeled"] if p in assign["A"]]
        scored = {name: {Path(p).name: counts[p][chosen[p]] for p in common}
                  for name, chosen in assign.items()}
        print(f"\n{folder}: {len(common)} pages scored with the page kind forced")
        for name, per_page in scored.items():
            print(f"  {name:20} {summary(per_page)}")
        for now, then in (("B", "A"), ("B'", "A"), ("B'", "shipped (in-sample)"), ("labeled", "A")):
            change = paired_change(scored[now], scored[then], 2000)
            print(f"  {now} against {then}:")
            print("    " + render_change(change).rstrip().replace("\n", "\n    "))


if __name__ == "__main__":
    main()
