#!/usr/bin/env python3
"""Do the page-kind model's new cues pay off? Cross-validated by page, on development pages only.

    scripts/pagekind_cues.py --dev corpus/own_dev_manifest.jsonl:real-pages/own \\
        --dev ../shared/corpus/pages_dev_manifest.jsonl:real-pages/dev \\
        --extra corpus/pagekind_manifest.jsonl:real-pages/kind \\
        [--folds 5] [--seeds 5] [--aside 5] [--errors oof.jsonl]

Every page (the sentence-labeled ``--dev`` pages and the kind-only ``--extra`` pages) is put
in one of K folds; each fold is predicted by models fitted on the other folds, so every page,
kind-only ones included, gets an out-of-fold P(educational). Variants, all on the same folds:

- ``before``: the cues of the shipped model (``BASE_FEATURES``), fitted on the development
  pages of the training folds (how the shipped model was fitted until now);
- ``cues``: every cue of ``claimlint.pagekind`` (the reporter's voice, ``REPORTING`` and
  ``NAMED``, added), development pages;
- ``cues+kind``: every cue, development and kind-only pages of the training folds, the
  intercept moved back to the development pages' share of explainers
  (``train_pagekind.py --prior labeled``);
- ``before+kind``: the old cues on that larger training set (what the last round measured).

Printed for each variant, averaged over ``--seeds`` fold assignments: page-kind accuracy
(educational vs not, and the three kinds) and the count of confident errors (the wrong side
of the threshold by more than 0.15) on the development and on the kind-only pages; the rules'
flagged and category F1 on each sentence-labeled folder, with each page's kind forced to its
out-of-fold prediction (each page is linted once per kind, ``--cache``); DISCLOSURE right on
every folder (the kind-only pages are scored on that verdict only, from their
``discloses_risks``). Changes against ``before`` come with paired 95% intervals from
resampling pages. ``--aside N`` repeats the development figures on the pages whose number is
a multiple of N (those were not read when the cues were written). ``--errors FILE`` writes each
page's out-of-fold probabilities (file, URL, labeled kind, one per variant and seed) for error
analysis; it holds URLs, never page text.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pagekind_cv import folds_of, forced_counts, kind_of  # noqa: E402
from train_pagekind import (  # noqa: E402
    HELDOUT,
    fit,
    labeled_share,
    load_pages,
    prior_corrected,
    probability,
    url_key,
)

from claimlint.pagekind import BASE_FEATURES, FEATURES, features  # noqa: E402
from claimlint.pagescore import _summed, paired_change  # noqa: E402

BEFORE = BASE_FEATURES  # the cues of the shipped model, before the reporter's voice
VARIANTS = {  # name: (cues, train on the kind-only pages too)
    "before": (BEFORE, False),
    "cues": (FEATURES, False),
    "before+kind": (BEFORE, True),
    "cues+kind": (FEATURES, True),
}
THRESHOLD, BAND, CONFIDENT = 0.5, 0.2, 0.15


def out_of_fold(pages: list[dict], names: tuple[str, ...], with_extra: bool, k: int,
                seed: int) -> list[float]:
    """P(educational) of every page from a model fitted on the other folds (their development
    pages, and their kind-only pages when ``with_extra``)."""
    probs = [0.0] * len(pages)
    for held in folds_of(len(pages), k, seed):
        hs = set(held)
        train = [p for i, p in enumerate(pages) if i not in hs and (with_extra or p["claims"] is not None)]
        labels = [int(p["kind"] == "educational") for p in train]
        model = fit([p["row"] for p in train], labels, names=names)
        if with_extra:
            model = prior_corrected(model, labeled_share(train), sum(labels) / len(labels))
        for i in held:
            probs[i] = probability(model, pages[i]["row"])
    return probs


def averaged(pages: list[dict], runs: list[list[float]], idx: list[int]) -> dict[str, dict[str, list[float]]]:
    """Each page's counts under its out-of-fold kind, averaged over the fold assignments."""
    out = {}
    for i in idx:
        total: dict[str, list[float]] = {}
        for run in runs:
            for level, vals in pages[i]["counts"][kind_of(run[i], THRESHOLD, BAND)].items():
                acc = total.setdefault(level, [0.0] * len(vals))
                for j, x in enumerate(vals):
                    acc[j] += x / len(runs)
        out[pages[i]["path"]] = total
    return out


def page_marks(pages: list[dict], runs: list[list[float]], idx: list[int]) -> dict[str, list[float]]:
    """Per page, averaged over fold assignments: right side (educational or not), right of
    three kinds, confident error."""
    marks: dict[str, list[float]] = {"acc2": [], "acc3": [], "confident": []}
    for i in idx:
        edu = pages[i]["kind"] == "educational"
        sides = [(r[i] >= THRESHOLD) == edu for r in runs]
        marks["acc2"].append(sum(sides) / len(runs))
        three = [kind_of(r[i], THRESHOLD, BAND) == pages[i]["kind"] for r in runs]
        marks["acc3"].append(sum(three) / len(runs))
        marks["confident"].append(sum(not s and abs(r[i] - THRESHOLD) > CONFIDENT
                                      for s, r in zip(sides, runs)) / len(runs))
    return marks


def paired_mean(a: list[float], b: list[float], resamples: int = 2000,
                seed: int = 0) -> tuple[float, float, float]:
    """Mean of b - a with a 95% interval from resampling the pages."""
    rng = random.Random(seed)
    n = len(a)
    diffs = sorted(sum(b[j] - a[j] for j in (rng.randrange(n) for _ in range(n))) / n
                   for _ in range(resamples))
    return (sum(b) - sum(a)) / n, diffs[int(0.025 * (resamples - 1))], diffs[int(0.975 * (resamples - 1))]


def report(pages: list[dict], runs: dict[str, list[list[float]]], groups: dict[str, list[int]]) -> None:
    for group, idx in groups.items():
        if not idx:
            continue
        labeled = pages[idx[0]]["claims"] is not None
        print(f"\n{group}: {len(idx)} pages" + ("" if labeled else " (kind and DISCLOSURE only)"))
        base_marks = page_marks(pages, runs["before"], idx)
        base_counts = averaged(pages, runs["before"], idx)
        for name, rs in runs.items():
            marks = page_marks(pages, rs, idx)
            counts = averaged(pages, rs, idx)
            right = [c["disclosure"][0] for c in counts.values()]
            acc2, acc3 = sum(marks["acc2"]) / len(idx), sum(marks["acc3"]) / len(idx)
            line = (f"  {name:12} kind {acc2:.3f} / {acc3:.3f}"
                    f"  confident errors {sum(marks['confident']):5.1f}  DISCLOSURE {sum(right):6.1f}")
            if labeled:
                line += (f"  flagged F1 {_summed(list(counts.values()), 'flagged')[2]:.3f}"
                         f"  category F1 {_summed(list(counts.values()), 'category')[2]:.3f}")
            print(line)
            if name == "before":
                continue
            parts = []
            d, lo, hi = paired_mean(base_marks["acc2"], marks["acc2"])
            parts.append(f"kind {d:+.3f} ({lo:+.3f} to {hi:+.3f})")
            d, lo, hi = paired_mean([c["disclosure"][0] for c in base_counts.values()], right)
            n = len(idx)
            parts.append(f"DISCLOSURE {d * n:+.1f} pages ({lo * n:+.1f} to {hi * n:+.1f})")
            if labeled:
                c = paired_change(counts, base_counts, 2000)["category"]
                parts.append(f"category F1 {c['change']:+.3f} ({c['low']:+.3f} to {c['high']:+.3f})")
            print(f"  {'':12} against before: " + ", ".join(parts))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dev", action="append", required=True, metavar="MANIFEST:TEXTS")
    ap.add_argument("--extra", action="append", default=[], metavar="MANIFEST:TEXTS")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--aside", type=int, default=0, help="also report dev pages numbered a multiple of this")
    ap.add_argument("--only", default="", help="comma-separated variants (before always runs)")
    ap.add_argument("--errors", type=Path, help="write each page's out-of-fold probabilities here")
    ap.add_argument("--heldout", type=Path, default=HELDOUT)
    ap.add_argument("--cache", type=Path, default=Path(".claimlint_cache/pagekind_cv.json"))
    a = ap.parse_args()

    dev = load_pages(a.dev, a.heldout)
    seen = {url_key(p["url"]) for p in dev if p["url"]}
    extra = [p for p in load_pages(a.extra, a.heldout) if not p["url"] or url_key(p["url"]) not in seen]
    a.cache.parent.mkdir(parents=True, exist_ok=True)
    pages, groups = [], {}
    for pair, group in [(x, True) for x in a.dev] + [(x, False) for x in a.extra]:
        manifest, _, texts = pair.partition(":")
        _, counts = forced_counts(Path(texts), a.cache, None if group else Path(manifest))
        mine = [p for p in (dev if group else extra) if p["path"] in counts]
        for p in mine:
            p["counts"] = counts[p["path"]]
            p["row"] = features(p["text"])
            if not group:
                p["claims"] = None
        groups[Path(texts).name or texts] = list(range(len(pages), len(pages) + len(mine)))
        pages += mine
    if a.aside:
        groups[f"development pages numbered a multiple of {a.aside}"] = [
            i for i, p in enumerate(pages) if p["claims"] is not None
            and Path(p["file"]).stem.isdigit() and int(Path(p["file"]).stem) % a.aside == 0]
    variants = {n: v for n, v in VARIANTS.items() if not a.only or n == "before" or n in a.only.split(",")}
    print(f"{len(pages)} pages ({sum(p['claims'] is not None for p in pages)} sentence-labeled), "
          f"{a.folds}-fold CV by page over all of them, {a.seeds} fold assignments; "
          f"cues before: {len(BEFORE)}, now: {len(FEATURES)}")
    runs = {name: [out_of_fold(pages, names, with_extra, a.folds, seed) for seed in range(a.seeds)]
            for name, (names, with_extra) in variants.items()}
    report(pages, runs, groups)
    if a.errors:
        with a.errors.open("w", encoding="utf-8") as fh:
            for i, p in enumerate(pages):
                probs = {n: [round(r[i], 4) for r in rs] for n, rs in runs.items()}
                fh.write(json.dumps({"file": p["file"], "url": p["url"], "kind": p["kind"],
                                     "labeled": p["claims"] is not None, "p": probs}) + "\n")


if __name__ == "__main__":
    main()
