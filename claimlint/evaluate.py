"""Accuracy of the rule pack on labeled copy: precision, recall and F1 per category.

Input is JSON Lines, one labeled passage a line: ``{"text": ..., "labels": [CATEGORY, ...],
"source": ...}`` (``labels: []`` marks copy that must not be flagged). The passages of one
source are written as the paragraphs of one plain-text document (one page: who is speaking is
decided per source, as on a real page), linted as ``claimlint check`` would, and each finding
is mapped to the passage it overlaps. A (passage, category) label is a true positive when a
finding of that category overlaps it; a finding of a category the passage does not carry is
a false positive. Page-level categories are left out of the sentence-level score.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from claimlint.findings import Finding
from claimlint.lint import Linter, read_document

PAGE_LEVEL = frozenset({"DISCLOSURE", "MULTI-INDICATION"})


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Evaluation:
    by_category: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    false_positives: list[tuple[str, Finding]] = field(default_factory=list)
    misses: list[tuple[str, str]] = field(default_factory=list)  # (category, passage)
    flagged: set[int] = field(default_factory=set)  # passages with any finding
    claims: set[int] = field(default_factory=set)  # passages labeled with a claim
    passages: int = 0

    @property
    def overall(self) -> Score:
        total = Score()
        for s in self.by_category.values():
            total.tp, total.fp, total.fn = total.tp + s.tp, total.fp + s.fp, total.fn + s.fn
        return total


def load_corpus(path: Path) -> list[dict]:
    """Read labeled passages; a malformed line is an error naming the line."""
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            text, labels = row["text"], row.get("labels", [])
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{n}: not a labeled passage ({exc})") from exc
        if not isinstance(text, str) or not isinstance(labels, list):
            raise ValueError(f"{path}:{n}: 'text' must be a string and 'labels' a list")
        rows.append({"text": text, "labels": set(labels), "source": str(row.get("source", ""))})
    return rows


def evaluate(rows: list[dict], linter: Linter) -> Evaluation:
    """Score the linter's findings against the labels (one document per source)."""
    texts = [" ".join(r["text"].split("\n\n")).strip() for r in rows]
    groups: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        groups[row.get("source", "")].append(i)
    docs, owners = [], []
    for name, members in groups.items():
        starts, pos = [], 0
        for i in members:
            starts.append(pos)
            pos += len(texts[i]) + 2
        source = "\n\n".join(texts[i] for i in members) + "\n"
        docs.append(read_document(source, "text", name or "<corpus>"))
        owners.append((starts, members))
    found: dict[int, set[str]] = defaultdict(set)
    result = Evaluation()
    for findings, (starts, members) in zip(linter.lint_documents(docs), owners):
        for f in findings:
            if f.category in PAGE_LEVEL or f.rule.startswith("SUPPRESSION."):
                continue
            i = members[bisect_right(starts, f.start) - 1]
            found[i].add(f.category)
            result.flagged.add(i)
            if f.category not in rows[i]["labels"]:
                result.by_category[f.category].fp += 1
                result.false_positives.append((texts[i], f))
    for i, row in enumerate(rows):
        for category in row["labels"] - PAGE_LEVEL:
            if category in found[i]:
                result.by_category[category].tp += 1
            else:
                result.by_category[category].fn += 1
                result.misses.append((category, texts[i]))
    result.claims = {i for i, r in enumerate(rows) if r["labels"] - PAGE_LEVEL}
    result.passages = len(rows)
    return result


def render(result: Evaluation, *, details: bool = True) -> str:
    """The score table, then each false positive and miss."""
    lines = [f"{'category':<18} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>10} {'recall':>8} {'f1':>6}"]
    rows = sorted(result.by_category.items()) + [("OVERALL", result.overall)]
    for name, s in rows:
        lines.append(f"{name:<18} {s.tp:>4} {s.fp:>4} {s.fn:>4} {s.precision:>10.3f} "
                     f"{s.recall:>8.3f} {s.f1:>6.3f}")
    claims, flagged = result.claims, result.flagged
    honest = result.passages - len(claims)
    lines.append(f"\nflagged: {len(flagged & claims)} of {len(claims)} claim passages, "
                 f"{len(flagged - claims)} of {honest} passages without a claim")
    if details:
        if result.false_positives:
            lines.append("\nFalse positives:")
            for text, f in result.false_positives:
                lines.append(f"  {f.rule} on {f.text!r}: {text[:160]!r}")
        if result.misses:
            lines.append("\nMisses:")
            for category, text in result.misses:
                lines.append(f"  {category}: {text[:160]!r}")
    return "\n".join(lines) + "\n"
