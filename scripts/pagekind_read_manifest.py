#!/usr/bin/env python3
"""Write the page kinds of the read splits as a hash-only manifest the page-kind model may train on.

    scripts/pagekind_read_manifest.py CORPUS [--out corpus/pagekind_read_manifest.jsonl]
        [--splits fresh2,fresh-read,d2-read,owndev-read]

CORPUS is the folder holding the labeled splits (``fresh2``, ``fresh-read``, ``d2-read``,
``owndev-read``: each ``pages_labels.jsonl`` and ``pages/NNN.txt``; third-party text, never
committed). Each line of the result holds a page's ``file`` (relative to CORPUS), URL, title,
kind, ``discloses_risks``, the count of its labeled claims and the SHA-1 of its saved text: no sentence, so no
third-party text enters git. ``train_pagekind.py`` reads it like any other manifest; the
count of claims makes a line a sentence-labeled page for ``--prior labeled`` and
``--weight claims``.

``--splits`` names the splits to list (default ``READ_SPLITS``, those the shipped model trains
on; the later read splits ``fresh3`` and ``dev3`` are written only for measuring, to a file
outside the repository: ``--splits fresh2,fresh-read,d2-read,owndev-read,fresh3,dev3 --out
/tmp/read.jsonl``).

Only read splits are listed: the check splits (``fresh-check``, ``d2-check``,
``owndev-fifth``, the shared development pages), this round's unseen split and the held-out
split are never trained on (``tests/test_train_pagekind.py`` checks the committed file
against their URLs).
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

from claimlint.pagescore import PAGE_LEVEL, canon

READ_SPLITS = ("fresh2", "fresh-read", "d2-read", "owndev-read")  # the shipped model's training pages
# Read splits the shipped model does not train on: a refit with them was measured (out of fold
# level, the check splits a little worse) and not shipped; see docs/accuracy.md, ninth round.
MEASURED_SPLITS = ("fresh3", "dev3")
OUT = Path(__file__).resolve().parent.parent / "corpus" / "pagekind_read_manifest.jsonl"


def entries(corpus: Path, splits: tuple[str, ...] = READ_SPLITS) -> list[dict]:
    """One manifest entry per labeled page of ``splits`` whose text is saved under ``corpus``."""
    out = []
    for split in splits:
        labels = corpus / split / "pages_labels.jsonl"
        for line in labels.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            e = json.loads(line)
            path = corpus / split / "pages" / e["file"]
            if not path.is_file():
                continue
            claims = sum(bool({canon(lab) for lab in s.get("labels", [])} - PAGE_LEVEL)
                         for s in e.get("sentences", []))
            out.append({"file": f"{split}/pages/{e['file']}", "url": e["url"], "title": e.get("title", ""),
                        "kind": e["kind"], "discloses_risks": bool(e["discloses_risks"]), "claims": claims,
                        "sha1": hashlib.sha1(path.read_text(encoding="utf-8").encode("utf-8")).hexdigest()})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--splits", default=",".join(READ_SPLITS),
                    help="comma-separated read splits (default: those the shipped model trains on)")
    a = ap.parse_args()
    splits = tuple(s for s in a.splits.split(",") if s)
    unknown = set(splits) - set(READ_SPLITS) - set(MEASURED_SPLITS)
    if unknown:
        ap.error(f"not a read split: {', '.join(sorted(unknown))}")
    rows = entries(a.corpus, splits)
    a.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(rows)} pages -> {a.out}")


if __name__ == "__main__":
    main()
