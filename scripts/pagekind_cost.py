#!/usr/bin/env python3
"""Fit the page-kind model for what a wrong kind costs the rules, not for accuracy.

    scripts/pagekind_cost.py --dev corpus/own_dev_manifest.jsonl:real-pages/own \\
        --dev ../shared/corpus/pages_dev_manifest.jsonl:real-pages/dev \\
        --extra corpus/pagekind_manifest.jsonl:real-pages/kind \\
        --score real-pages/own --score real-pages/dev [--folds 5] [--seeds 3]

The method of ``scripts/pagekind_cv.py``: K-fold cross-validation by page over the
development pages (``--dev``), the ``--extra`` (kind-only) pages only ever in training folds,
and the rules scored with each page's kind forced to its out-of-fold prediction (each page is
linted once per kind, ``--cache``). Each variant below changes how the model is fitted or
thresholded; all are compared with A, today's fit (development pages, every page weighing 1,
threshold 0.5, mixed band 0.2), on the same folds:

- weights: ``claims`` (``train_pagekind.page_weights``: a sentence-labeled page weighs 1 plus
  its labeled claims, a kind-only page the mean of its kind), ``cost`` (1 plus how much the
  rules' score on the page moves between its labeled kind and the wrong side, from its forced
  findings: tp - r(fp + fn) at category level, r = tp / (fp + fn) of the training pages, the
  page's share of the F1 change), ``best`` (the target is the side the rules score best with,
  not the labeled kind, weighted like ``cost``);
- thresholds: fixed (0.5 / 0.2), or chosen inside each training fold (nested: an inner CV of
  the training folds' development pages gives them out-of-fold probabilities, and the
  threshold and mixed band with the best category F1 there are used on the held fold).

Printed per variant: accuracy (educational vs not, three kinds), then on each ``--score``
folder flagged and category F1 and DISCLOSURE right, averaged over ``--seeds`` fold
assignments, with the paired 95% interval (resampling pages) of the change against A.
``--grid`` also prints every threshold and band on A's and one variant's out-of-fold
probabilities (chosen on the development pages: optimistic, for reading only). ``--floor``
is the weight every page has beyond its cost, ``--l2`` the fits' penalty, ``--only`` picks
variants. ``--write-model VARIANT OUT`` fits one variant on every development page (and the
extra pages if it uses them) and writes it as a page-kind model, for ``rules eval`` with that
model in place of the shipped one.

For the rules the page kind is two-way: the rule pack treats a mixed page as a promotional
one, and an educational page gets no sentence finding, so the mixed band changes only the
reported kind (on the development pages, mixed and promotional give identical findings).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pagekind_cv import KINDS, folds_of, forced_counts, kind_of  # noqa: E402
from train_pagekind import HELDOUT, fit, load_pages, page_weights, probability, url_key  # noqa: E402

from claimlint.pagekind import features  # noqa: E402
from claimlint.pagescore import _summed, paired_change  # noqa: E402

THRESHOLDS = [round(0.25 + 0.05 * i, 2) for i in range(11)]  # 0.25 .. 0.75
BANDS = [0.0, 0.1, 0.2, 0.3]
BASE = (0.5, 0.2)


def utility(c: dict, r: float) -> float:
    """A page's share of category F1 (linearised): tp - r (fp + fn)."""
    tp, fp, fn = c["category"]
    return tp - r * (fp + fn)


def ratio(pages: list[dict]) -> float:
    """tp / (fp + fn) of ``pages`` under their labeled kind: the weight of an error against a
    hit in the linearised F1 (dF1 is proportional to E dT - T dE)."""
    tp = sum(p["counts"][p["kind"]]["category"][0] for p in pages)
    err = sum(sum(p["counts"][p["kind"]]["category"][1:]) for p in pages)
    return tp / err if err else 1.0


def targets_and_weights(train: list[dict], scheme: str, floor: float) -> tuple[list[int], list[float]]:
    """Labels (1 = educational) and weights of the training pages under a weighting scheme."""
    labels = [int(p["kind"] == "educational") for p in train]
    if scheme in ("none", "claims"):
        return labels, page_weights(train, scheme, floor)
    dev = [p for p in train if "counts" in p]
    r = ratio(dev)
    raw: list[float | None] = []
    for i, p in enumerate(train):
        if "counts" not in p:
            raw.append(None)
            continue
        u = {k: utility(p["counts"][k], r) for k in KINDS}
        seller = max(u["promotional"], u["mixed"])
        if scheme == "cost":
            wrong = "promotional" if p["kind"] == "educational" else "educational"
            raw.append(floor + abs(u[p["kind"]] - u[wrong]))
        elif scheme == "best":
            if u["educational"] != seller:
                labels[i] = int(u["educational"] > seller)
            raw.append(floor + abs(u["educational"] - seller))
        else:
            raise ValueError(scheme)
    by_kind: dict[str, list[float]] = {}
    for p, w in zip(train, raw):
        if w is not None:
            by_kind.setdefault(p["kind"], []).append(w)
    mean = {k: sum(v) / len(v) for k, v in by_kind.items()}
    full = [w if w is not None else mean.get(p["kind"], 1.0) for p, w in zip(train, raw)]
    scale = sum(full) / len(full)
    return labels, [w / scale for w in full]


L2 = [1.0]  # the fit's L2 penalty (``--l2``)


def fitted(train: list[dict], scheme: str, floor: float) -> dict:
    labels, weights = targets_and_weights(train, scheme, floor)
    return fit([p["row"] for p in train], labels, weights=weights, l2=L2[0])


def best_thresholds(pages: list[dict], probs: list[float]) -> tuple[float, float]:
    """The threshold and mixed band with the best summed category F1 on ``pages`` (ties: the
    one nearest today's 0.5 / 0.2)."""
    def score(t: float, b: float) -> tuple[float, float]:
        f1 = _summed([p["counts"][kind_of(q, t, b)] for p, q in zip(pages, probs)], "category")[2]
        return round(f1, 6), -abs(t - BASE[0]) - abs(b - BASE[1])

    return max(((t, b) for t in THRESHOLDS for b in BANDS), key=lambda tb: score(*tb))


def run_variant(dev: list[dict], extra: list[dict], v: dict, k: int, seed: int) -> list[str]:
    """The out-of-fold kind of every development page under variant ``v``."""
    kinds = [""] * len(dev)
    for held in folds_of(len(dev), k, seed):
        held_set = set(held)
        train_dev = [p for i, p in enumerate(dev) if i not in held_set]
        pool = extra if v["extra"] else []
        t, b = BASE
        if v["nested"]:
            inner = [0.0] * len(train_dev)
            for inner_held in folds_of(len(train_dev), k, seed + 100):
                ih = set(inner_held)
                inner_train = [p for j, p in enumerate(train_dev) if j not in ih] + pool
                model = fitted(inner_train, v["weights"], v["floor"])
                for j in inner_held:
                    inner[j] = probability(model, train_dev[j]["row"])
            t, b = best_thresholds(train_dev, inner)
        model = fitted(train_dev + pool, v["weights"], v["floor"])
        for i in held:
            kinds[i] = kind_of(probability(model, dev[i]["row"]), t, b)
    return kinds


def averaged(dev: list[dict], runs: list[list[str]], idx: list[int]) -> dict[str, dict[str, list[float]]]:
    """Per-page counts averaged over fold assignments (so one assignment's luck cancels)."""
    out = {}
    for i in idx:
        p = dev[i]
        total: dict[str, list[float]] = {}
        for run in runs:
            for level, vals in p["counts"][run[i]].items():
                acc = total.setdefault(level, [0.0] * len(vals))
                for j, x in enumerate(vals):
                    acc[j] += x / len(runs)
        out[p["path"]] = total
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dev", action="append", required=True, metavar="MANIFEST:TEXTS")
    ap.add_argument("--extra", action="append", default=[], metavar="MANIFEST:TEXTS")
    ap.add_argument("--score", action="append", required=True, type=Path, metavar="FOLDER")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--floor", type=float, default=1.0, help="weight every page has on top of its cost")
    ap.add_argument("--l2", type=float, default=1.0, help="L2 penalty of every fit (A's too)")
    ap.add_argument("--grid", default="", help="print the threshold grid for this variant too")
    ap.add_argument("--only", default="", help="comma-separated variant names to run (A always runs)")
    ap.add_argument("--write-model", nargs=2, metavar=("VARIANT", "OUT"),
                    help="fit VARIANT on every development page (and the extra pages if it uses "
                         "them) and write it as a page-kind model to OUT, instead of measuring")
    ap.add_argument("--heldout", type=Path, default=HELDOUT)
    ap.add_argument("--cache", type=Path, default=Path(".claimlint_cache/pagekind_cv.json"))
    a = ap.parse_args()
    L2[0] = a.l2

    dev = load_pages(a.dev, a.heldout)
    seen = {url_key(p["url"]) for p in dev if p["url"]}
    extra = [p for p in load_pages(a.extra, a.heldout) if not p["url"] or url_key(p["url"]) not in seen]
    a.cache.parent.mkdir(parents=True, exist_ok=True)
    by_path = {p["path"]: p for p in dev}
    for folder in a.score:
        pages, counts = forced_counts(folder, a.cache)
        for page in pages:
            path = str(Path(page.file).resolve())
            if path in by_path:
                by_path[path]["counts"], by_path[path]["folder"] = counts[path], str(folder)
    dev = [p for p in dev if "counts" in p]  # only pages the rules can be scored on
    sets = {str(f): [i for i, p in enumerate(dev) if p["folder"] == str(f)] for f in a.score}
    for p in dev + extra:
        p["row"] = features(p["text"])
    print(f"development pages scored: {len(dev)}; extra (training only): {len(extra)}; "
          f"{a.folds}-fold CV by page, {a.seeds} fold assignments")

    variants = {
        "A": {"extra": False, "weights": "none", "nested": False},
        "A+thr": {"extra": False, "weights": "none", "nested": True},
        "claims": {"extra": False, "weights": "claims", "nested": False},
        "claims+thr": {"extra": False, "weights": "claims", "nested": True},
        "cost": {"extra": False, "weights": "cost", "nested": False},
        "cost+thr": {"extra": False, "weights": "cost", "nested": True},
        "best": {"extra": False, "weights": "best", "nested": False},
        "best+thr": {"extra": False, "weights": "best", "nested": True},
        "B": {"extra": True, "weights": "none", "nested": False},
        "B+claims": {"extra": True, "weights": "claims", "nested": False},
        "B+claims+thr": {"extra": True, "weights": "claims", "nested": True},
        "B+cost": {"extra": True, "weights": "cost", "nested": False},
        "B+cost+thr": {"extra": True, "weights": "cost", "nested": True},
        "B+best": {"extra": True, "weights": "best", "nested": False},
        "B+best+thr": {"extra": True, "weights": "best", "nested": True},
    }
    if a.write_model:
        name, out = a.write_model
        v = variants[name] | {"floor": a.floor}
        pool = extra if v["extra"] else []
        t, b = BASE
        if v["nested"]:
            probs = [0.0] * len(dev)
            for held in folds_of(len(dev), a.folds, 0):
                hs = set(held)
                model = fitted([p for i, p in enumerate(dev) if i not in hs] + pool, v["weights"], v["floor"])
                for i in held:
                    probs[i] = probability(model, dev[i]["row"])
            t, b = best_thresholds(dev, probs)
        model = fitted(dev + pool, v["weights"], v["floor"])
        model.update(threshold=t, mixed_band=b, pages=len(dev) + len(pool),
                     educational_pages=sum(p["kind"] == "educational" for p in dev + pool),
                     weighting={"scheme": v["weights"], "floor": a.floor, "l2": a.l2})
        Path(out).write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
        print(f"{name} fitted on {model['pages']} pages, threshold {t} band {b} -> {out}")
        return
    if a.only:
        keep = {"A", *a.only.split(",")}
        variants = {n: v for n, v in variants.items() if n in keep}
    runs: dict[str, list[list[str]]] = {}
    for name, v in variants.items():
        v["floor"] = a.floor
        runs[name] = [run_variant(dev, extra, v, a.folds, seed) for seed in range(a.seeds)]

    def acc(run: list[str], three: bool) -> float:
        if three:
            return sum(k == p["kind"] for k, p in zip(run, dev)) / len(dev)
        return sum((k == "educational") == (p["kind"] == "educational") for k, p in zip(run, dev)) / len(dev)

    for name, rs in runs.items():
        a2 = sum(acc(r, False) for r in rs) / len(rs)
        a3 = sum(acc(r, True) for r in rs) / len(rs)
        parts = [f"{name:13} kind acc {a2:.3f} / {a3:.3f}"]
        for folder, idx in sets.items():
            now = averaged(dev, rs, idx)
            then = averaged(dev, runs["A"], idx)
            ff = _summed(list(now.values()), "flagged")[2]
            cf = _summed(list(now.values()), "category")[2]
            right = sum(v["disclosure"][0] for v in now.values())
            line = f"  | {Path(folder).name}: flag {ff:.3f} cat {cf:.3f} disc {right:.1f}"
            if name != "A":
                ch = paired_change(now, then, 2000)
                for level in ("flagged", "category"):
                    c = ch[level]
                    line += f" d.{level[:3]} {c['change']:+.3f} [{c['low']:+.3f},{c['high']:+.3f}]"
            parts.append(line)
        print("".join(parts), flush=True)

    if a.grid:
        v = variants.get(a.grid) or variants["A"]
        for name, vv in (("A", variants["A"]), (a.grid, v)):
            probs = []
            for seed in range(a.seeds):
                pr = [0.0] * len(dev)
                for held in folds_of(len(dev), a.folds, seed):
                    hs = set(held)
                    pool = extra if vv["extra"] else []
                    train = [p for i, p in enumerate(dev) if i not in hs] + pool
                    model = fitted(train, vv["weights"], vv["floor"])
                    for i in held:
                        pr[i] = probability(model, dev[i]["row"])
                probs.append(pr)
            print(f"\ngrid on {name}'s out-of-fold probabilities (chosen on the dev pages: optimistic)")
            for t in THRESHOLDS:
                cells = []
                for b in BANDS:
                    rs = [[kind_of(q, t, b) for q in pr] for pr in probs]
                    cells.append("  ".join(
                        f"{_summed(list(averaged(dev, rs, idx).values()), 'category')[2]:.3f}"
                        for idx in sets.values()))
                print(f"  t={t:.2f} " + " | ".join(f"b={b}: {c}" for b, c in zip(BANDS, cells)))


if __name__ == "__main__":
    main()
