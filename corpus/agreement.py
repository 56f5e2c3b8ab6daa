#!/usr/bin/env python3
"""How far two labelers of the same pages agree, by the metric of ``score_pages.py``.

    corpus/agreement.py PAGES GOLD.jsonl OTHER.jsonl [--json]

PAGES holds the page texts (``NNN.txt`` or ``pages/NNN.txt``; third-party text, kept out of
git); GOLD and OTHER are hash-only manifests of the same pages, labeled independently by
``../shared/corpus/LABELING.md``. OTHER's labeled sentences are scored as if a linter had
flagged them, so the figures read like claimlint's and bound what any linter can reach
against GOLD's labelers. Example (the shared dev pages, relabeled blind):

    corpus/agreement.py real-pages/dev ../shared/corpus/pages_dev_manifest.jsonl \\
        corpus/dev_relabel_manifest.jsonl
"""

from __future__ import annotations

import argparse
import json
from bisect import bisect_right
from pathlib import Path
from types import SimpleNamespace

from claimlint.pagescore import PAGE_LEVEL, PageScore, load_pages


def as_findings(text: str, sentences: list, doc_labels: frozenset) -> list[SimpleNamespace]:
    """One finding per label of each labeled sentence, positioned like a linter's."""
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]  # as PageScore counts lines

    def line_col(offset: int) -> tuple[int, int]:
        line = bisect_right(starts, offset) - 1
        return line + 1, offset - starts[line] + 1

    found = []
    for sent, labels in sentences:
        at = text.find(sent)
        if at < 0:
            continue
        for cat in sorted(labels - PAGE_LEVEL):
            (line, col), (end_line, end_col) = line_col(at), line_col(at + len(sent))
            found.append(SimpleNamespace(category=cat, rule=f"{cat}.labeler", line=line, column=col,
                                         end_line=end_line, end_column=end_col))
    for cat in sorted(doc_labels & PAGE_LEVEL):
        found.append(SimpleNamespace(category=cat, rule=f"{cat}.labeler", line=1, column=1,
                                     end_line=1, end_column=2))
    return found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("pages", type=Path)
    ap.add_argument("gold", type=Path)
    ap.add_argument("other", type=Path)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    other = {Path(p.file).name: p for p in load_pages(args.pages, args.other)}
    score = PageScore()
    for page in load_pages(args.pages, args.gold):
        mine = other.get(Path(page.file).name)
        if mine is not None:
            score.add(page, as_findings(page.text, mine.sentences, mine.doc_labels))
    table = score.table()
    d = score.disclosure
    if args.json:
        print(json.dumps({**table, "disclosure": dict(d)}, indent=2))
        return
    for name, row in table.items():
        counts = f"tp={row['tp']} fp={row['fp']} fn={row['fn']}"
        print(f"{name:18} P={row['precision']} R={row['recall']}  {counts}")
    print(f"disclosure pages: agree on {d['tp'] + d['tn']} of {sum(d.values())} "
          f"(tp={d['tp']} fp={d['fp']} fn={d['fn']} tn={d['tn']})")


if __name__ == "__main__":
    main()
