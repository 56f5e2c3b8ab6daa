#!/usr/bin/env python3
"""Fit the page-kind model (``claimlint/models/pagekind.json``) on labeled real pages.

    scripts/train_pagekind.py MANIFEST:TEXTS [MANIFEST:TEXTS ...] [--threshold 0.5]

Each argument pairs a page manifest (URLs, sentence hashes, labels, each page's ``kind``) with
the folder holding its page texts (``NNN.txt`` or ``pages/NNN.txt``; third-party text, kept
out of git). Use the development splits only: the held-out split is never trained on. The
model is a logistic regression over ``claimlint.pagekind.features`` (a dozen cue counts),
fitted with plain gradient descent and an L2 penalty; the result is deterministic.

Example (the splits this repository ships):

    scripts/train_pagekind.py corpus/own_dev_manifest.jsonl:real-pages/own \\
        ../shared/corpus/pages_dev_manifest.jsonl:real-pages/dev
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from claimlint.pagekind import FEATURES, MODEL, features


def load(pairs: list[str]) -> tuple[list[dict[str, float]], list[int]]:
    rows, labels = [], []
    for pair in pairs:
        manifest, _, texts = pair.partition(":")
        for line in Path(manifest).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            entry = json.loads(line)
            path = next((p for p in (Path(texts) / entry["file"], Path(texts) / "pages" / entry["file"])
                         if p.is_file()), None)
            if path is None:
                continue
            rows.append(features(path.read_text(encoding="utf-8")))
            labels.append(int(entry["kind"] == "educational"))
    return rows, labels


def fit(rows: list[dict[str, float]], labels: list[int], l2: float = 1.0, steps: int = 3000,
        rate: float = 0.1) -> dict:
    n = len(rows)
    mean = {f: sum(r[f] for r in rows) / n for f in FEATURES}
    scale = {f: math.sqrt(sum((r[f] - mean[f]) ** 2 for r in rows) / n) or 1.0 for f in FEATURES}
    z = [[(r[f] - mean[f]) / scale[f] for f in FEATURES] for r in rows]
    w, b = [0.0] * len(FEATURES), 0.0
    for _ in range(steps):
        grad, gb = [0.0] * len(FEATURES), 0.0
        for x, y in zip(z, labels):
            p = 1 / (1 + math.exp(-(sum(wi * xi for wi, xi in zip(w, x)) + b)))
            for i, xi in enumerate(x):
                grad[i] += (p - y) * xi
            gb += p - y
        w = [wi - rate * (g / n + l2 * wi / n) for wi, g in zip(w, grad)]
        b -= rate * gb / n
    return {"weights": dict(zip(FEATURES, (round(x, 5) for x in w))), "bias": round(b, 5),
            "mean": {f: round(v, 5) for f, v in mean.items()},
            "scale": {f: round(v, 5) for f, v in scale.items()}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("pairs", nargs="+", metavar="MANIFEST:TEXTS")
    ap.add_argument("--threshold", type=float, default=0.5,
                    help="P(educational) from which a page is educational")
    ap.add_argument("--mixed-band", type=float, default=0.2, help="below the threshold by this much: mixed")
    ap.add_argument("--out", type=Path, default=MODEL)
    a = ap.parse_args()
    rows, labels = load(a.pairs)
    model = fit(rows, labels)
    model.update(threshold=a.threshold, mixed_band=a.mixed_band, pages=len(rows),
                 educational_pages=sum(labels))
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    print(f"fitted on {len(rows)} pages ({sum(labels)} educational) -> {a.out}")


if __name__ == "__main__":
    main()
