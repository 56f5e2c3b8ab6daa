#!/usr/bin/env python3
"""Label real pages by ../shared/corpus/LABELING.md and build manifests that hold no page text.

A labeling folder holds, per page, `pages/NNN.txt` (the page text as a reader sees it, one
block a line; third-party text, never committed) and `lab/NNN.lab`:

    url: https://example.org/page
    title: The page title
    kind: promotional            # promotional | mixed | educational
    discloses_risks: false
    doc_labels: DISCLOSURE MULTI-INDICATION
    ---
    TREATMENT MECHANISM | One sentence of the page, exactly as in pages/NNN.txt.
    | A sentence that is not a claim.

  label.py split DIR NNN        write lab/NNN.lab from pages/NNN.txt, every sentence unlabeled
  label.py build DIR [--manifest OUT.jsonl] [--split heldout|dev]
                                check every .lab, write DIR/pages_labels.jsonl (for score_pages.py;
                                --labels-out elsewhere)
                                and a manifest (URLs, sentence hashes, labels; no text)

The held-out split is chosen by the SHA-1 of each page's URL (a third of the pages: the value
of its first 8 hex digits is divisible by 3), never by hand, so it stays fixed as pages are added.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

from claimlint.claimmodel import SENTENCE_END  # the claim model cuts sentences as labelers do
from claimlint.pagescore import sentence_hash

CATEGORIES = {
    "GUARANTEE", "TREATMENT", "MECHANISM", "SAFETY", "REGULATORY", "PRODUCT", "EVIDENCE",
    "TESTIMONIAL", "COMPARATIVE", "HYPE", "OVERSEAS", "COST", "CELL-SOURCE", "CREDENTIALS",
}
DOC_LABELS = {"DISCLOSURE", "MULTI-INDICATION"}
KINDS = {"promotional", "mixed", "educational"}
HEADER_KEYS = ("url", "title", "kind", "discloses_risks", "doc_labels")



def split_sentences(page: str) -> list[str]:
    out = []
    for line in page.splitlines():
        line = line.strip()
        if not line:
            continue
        line = re.sub(r"^[-*\u2022\u25cf\u25aa]\s+", "", line)  # list markers are not text
        out.extend(s.strip() for s in SENTENCE_END.split(line) if s.strip())
    return out


def cmd_split(root: Path, page: str) -> None:
    text = (root / "pages" / f"{page}.txt").read_text(encoding="utf-8")
    lab = root / "lab" / f"{page}.lab"
    lab.parent.mkdir(parents=True, exist_ok=True)
    if lab.exists():
        sys.exit(f"{lab} exists; delete it first to split again")
    head = "".join(f"{key}: \n" for key in HEADER_KEYS)
    lab.write_text(head + "---\n" + "".join(f"| {s}\n" for s in split_sentences(text)), encoding="utf-8")
    print(lab)


def parse_lab(path: Path) -> dict:
    head, _, body = path.read_text(encoding="utf-8").partition("\n---\n")
    meta: dict = {}
    for line in head.splitlines():
        key, _, value = line.partition(":")
        meta[key.strip()] = value.strip()
    problems = [f"missing {k}" for k in HEADER_KEYS if k not in meta or (k != "doc_labels" and not meta[k])]
    if meta.get("kind") not in KINDS:
        problems.append(f"kind must be one of {sorted(KINDS)}")
    if meta.get("discloses_risks") not in ("true", "false"):
        problems.append("discloses_risks must be true or false")
    doc_labels = meta.get("doc_labels", "").replace(",", " ").split()
    problems += [f"unknown page label {d}" for d in doc_labels if d not in DOC_LABELS]
    sentences = []
    for n, line in enumerate(body.splitlines(), 1):
        if not line.strip():
            continue
        if "|" not in line:
            problems.append(f"sentence line {n} has no '|'")
            continue
        labels, _, text = line.partition("|")
        cats = labels.replace(",", " ").upper().split()
        problems += [f"line {n}: unknown category {c}" for c in cats if c not in CATEGORIES]
        sentences.append({"text": text.strip(), "labels": cats})
    if problems:
        raise ValueError(f"{path}: " + "; ".join(problems))
    return {"url": meta["url"], "title": meta["title"], "kind": meta["kind"],
            "discloses_risks": meta["discloses_risks"] == "true", "doc_labels": doc_labels,
            "sentences": sentences}


def heldout(url: str) -> bool:
    """Whether a page belongs to the held-out split (never tuned on)."""
    return int(hashlib.sha1(url.encode("utf-8")).hexdigest()[:8], 16) % 3 == 0


def cmd_build(root: Path, manifest: Path | None, split: str | None, out: Path | None) -> None:
    entries, errors = [], []
    for lab in sorted((root / "lab").glob("*.lab")):
        page = lab.stem
        try:
            entry = parse_lab(lab)
        except ValueError as exc:
            errors.append(str(exc))
            continue
        text = (root / "pages" / f"{page}.txt").read_text(encoding="utf-8")
        missing = [s["text"] for s in entry["sentences"] if s["text"] not in text]
        if missing:
            errors.append(f"{lab}: {len(missing)} sentence(s) not in the page text, e.g. {missing[0][:80]!r}")
            continue
        entries.append({"file": f"{page}.txt", **entry})
    seen: dict[str, str] = {}
    for e in entries:
        if e["url"] in seen:
            errors.append(f"{e['file']}: same URL as {seen[e['url']]}")
        seen[e["url"]] = e["file"]
    for err in errors:
        print("ERROR", err, file=sys.stderr)
    chosen = [e for e in entries if split is None or heldout(e["url"]) == (split == "heldout")]
    (out or root / "pages_labels.jsonl").write_text(
        "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in chosen), encoding="utf-8")
    if manifest:
        lines = []
        for e in chosen:
            m = {k: e[k] for k in ("file", "url", "title", "kind", "discloses_risks", "doc_labels")}
            m["sentences"] = [{"sha1": sentence_hash(s["text"]), "labels": s["labels"]}
                              for s in e["sentences"]]
            lines.append(json.dumps(m, ensure_ascii=False) + "\n")
        manifest.write_text("".join(lines), encoding="utf-8")
    kinds = {k: sum(e["kind"] == k for e in chosen) for k in sorted(KINDS)}
    n_sent = sum(len(e["sentences"]) for e in chosen)
    n_claim = sum(bool(s["labels"]) for e in chosen for s in e["sentences"])
    print(f"{len(chosen)} pages {kinds}, {n_sent} sentences, {n_claim} claims, "
          f"{sum('DISCLOSURE' in e['doc_labels'] for e in chosen)} DISCLOSURE pages; {len(errors)} error(s)")
    if errors:
        sys.exit(1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("split")
    s.add_argument("root", type=Path)
    s.add_argument("page")
    b = sub.add_parser("build")
    b.add_argument("root", type=Path)
    b.add_argument("--manifest", type=Path)
    b.add_argument("--split", choices=["dev", "heldout"])
    b.add_argument("--labels-out", type=Path, help="where to write pages_labels.jsonl (default: in DIR)")
    a = ap.parse_args()
    if a.cmd == "split":
        cmd_split(a.root, a.page)
    else:
        cmd_build(a.root, a.manifest, a.split, a.labels_out)


if __name__ == "__main__":
    main()
