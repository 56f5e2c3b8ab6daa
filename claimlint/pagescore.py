"""Accuracy on labeled real pages: the metric of the corpus's reference scorer, in-process.

A labeled page set is either a folder holding ``pages_labels.jsonl`` (one page a line, each
sentence with its text and labels) and ``pages/NNN.txt``, or a manifest that holds no page
text (each sentence as the first 12 hex digits of its SHA-1) plus a folder of page texts, in
which every labeled sentence is found again by its hash.

Scores, exactly as ``score_pages.py`` computes them:

- category level: a labeled (sentence, category) pair is a true positive when a finding of that
  category overlaps the sentence; a finding of a category the sentence does not carry, or on
  text no labeled sentence covers, is a false positive;
- flagged level: a sentence is one unit: any finding on a labeled claim is a hit, any finding
  on an unlabeled sentence (or on unlisted text) a false positive;
- page level: DISCLOSURE is expected exactly on the pages whose ``doc_labels`` hold it.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from claimlint.findings import Finding

PAGE_LEVEL = frozenset({"DISCLOSURE", "MULTI-INDICATION"})
ALIASES = {"CURE": "TREATMENT", "INSURANCE": "COST"}
_NORMS: tuple[Callable[[str], str], ...] = (
    lambda s: s,
    lambda s: s.strip(),
    lambda s: " ".join(s.split()),
    lambda s: " ".join(s.replace("\u2019", "'").replace("\u2018", "'")
                       .replace("\u201c", '"').replace("\u201d", '"').split()),
)
_STARTS = re.compile(r"[.!?:;\n]+[\"')\]\u201d\u2019]*\s*|\n\s*[-*\u2022]\s*|\s+")
_ENDS = re.compile(r"[.!?:;]+[\"')\]\u201d\u2019]*")


def canon(label: str) -> str:
    label = label.upper().replace("_", "-")
    return ALIASES.get(label, label)


def sentence_hash(text: str) -> str:
    """The manifest's sentence key: the first 12 hex digits of the SHA-1 of the UTF-8 text."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


@dataclass
class LabeledPage:
    file: str
    text: str
    # (sentence text as in the page, labels); None: labeled at page level only
    sentences: list[tuple[str, frozenset[str]]] | None
    doc_labels: frozenset[str] = frozenset()
    kind: str = ""


def _spans(text: str) -> Iterator[tuple[int, int]]:
    """Every span between plausible sentence boundaries (any splitter a labeler may use)."""
    starts = sorted({0} | {m.end() for m in _STARTS.finditer(text)})
    ends = sorted({len(text)} | {m.end() for m in _ENDS.finditer(text)}
                  | {m.start() for m in re.finditer(r"\s*\n", text)})
    for a in starts:
        for b in ends:
            if b <= a:
                continue
            if b - a > 1500:
                break
            yield a, b


def find_by_hash(text: str, wanted: set[str]) -> dict[str, str]:
    """The labeled sentences of a page found by hash: {hash: the sentence as in ``text``}."""
    found: dict[str, str] = {}
    for a, b in _spans(text):
        span = text[a:b]
        for norm in _NORMS:
            key = sentence_hash(norm(span))
            if key in wanted and key not in found and span.strip():
                found[key] = span.strip()
        if len(found) == len(wanted):
            break
    return found


def load_pages(folder: Path, manifest: Path | None = None) -> list[LabeledPage]:
    """Labeled pages from ``folder/pages_labels.jsonl``, or from a hash-only ``manifest``
    whose page texts are ``folder/NNN.txt`` or ``folder/pages/NNN.txt``."""
    pages = []
    src = manifest or folder / "pages_labels.jsonl"
    for n, line in enumerate(src.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            name = entry["file"]
            if "sentences" in entry:
                sentences, doc_labels = entry["sentences"], entry.get("doc_labels", [])
            else:  # labeled for who speaks and what it discloses only
                sentences, doc_labels = None, _disclosure_verdict(entry)
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ValueError(f"{src}:{n}: not a labeled page ({exc})") from exc
        path = next((p for p in (folder / "pages" / name, folder / name) if p.is_file()), None)
        if path is None:
            continue  # a page whose text was not saved is not scored
        text = path.read_text(encoding="utf-8")
        if sentences is None:
            pairs = None
        elif manifest is not None:
            found = find_by_hash(text, {s["sha1"] for s in sentences})
            pairs = [(found[s["sha1"]], s["labels"]) for s in sentences if s["sha1"] in found]
        else:
            pairs = [(s["text"], s["labels"]) for s in sentences]
        pages.append(LabeledPage(
            str(path), text,
            None if pairs is None else [(t, frozenset(canon(x) for x in labels)) for t, labels in pairs],
            frozenset(canon(x) for x in doc_labels), entry.get("kind", "")))
    return pages


def _disclosure_verdict(entry: dict) -> list[str]:
    """The page labels of a page labeled for its kind and ``discloses_risks`` only (no
    sentences): LABELING.md's DISCLOSURE verdict, a promotional or mixed page that states no
    risk, side effect or limit. Such a page is scored on that verdict, never on sentences."""
    if entry["kind"] not in ("promotional", "mixed", "educational") or not isinstance(
            entry["discloses_risks"], bool):
        raise TypeError("a page without sentences needs kind and discloses_risks")
    return ["DISCLOSURE"] if entry["kind"] != "educational" and not entry["discloses_risks"] else []


def _offset(starts: list[int], line: int, column: int) -> int:
    line = max(1, min(line, len(starts)))
    return starts[line - 1] + max(0, column - 1)


@dataclass
class PageScore:
    """Counts of the reference metric; add pages with ``add``."""

    tp: Counter = field(default_factory=Counter)
    fp: Counter = field(default_factory=Counter)
    fn: Counter = field(default_factory=Counter)
    flagged: Counter = field(default_factory=Counter)  # tp, fp, fn of sentences as units
    disclosure: Counter = field(default_factory=Counter)  # tp, fp, fn, tn of pages
    misses: list[str] = field(default_factory=list)
    false: list[str] = field(default_factory=list)
    per_page: dict[str, dict[str, list[int]]] = field(default_factory=dict)  # for intervals

    def add(self, page: LabeledPage, findings: list[Finding]) -> None:
        before = self._totals()
        self._add(page, findings)
        after = self._totals()
        self.per_page[Path(page.file).name] = {k: [a - b for a, b in zip(after[k], before[k])]
                                              for k in after}

    def _totals(self) -> dict[str, list[int]]:
        d = self.disclosure
        return {"flagged": [self.flagged["tp"], self.flagged["fp"], self.flagged["fn"]],
                "category": [sum(self.tp.values()), sum(self.fp.values()), sum(self.fn.values())],
                "disclosure": [d["tp"] + d["tn"], d["fp"] + d["fn"]]}

    def _add(self, page: LabeledPage, findings: list[Finding]) -> None:
        if page.sentences is not None:
            self._add_sentences(page, findings)
        want = "DISCLOSURE" in page.doc_labels
        got = any(canon(f.category) == "DISCLOSURE" for f in findings)
        self.disclosure["tp" if want and got else "fn" if want else "fp" if got else "tn"] += 1

    def _add_sentences(self, page: LabeledPage, findings: list[Finding]) -> None:
        text = page.text
        starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
        labeled = []
        for sent, labels in page.sentences:
            at = text.find(sent)
            if at >= 0:
                labeled.append((at, at + len(sent), labels, sent))
        hits: dict[int, set[str]] = defaultdict(set)
        for f in findings:
            cat = canon(f.category)
            if cat in PAGE_LEVEL or f.rule.startswith("SUPPRESSION."):
                continue
            a = _offset(starts, f.line, f.column)
            b = max(a + 1, _offset(starts, f.end_line, f.end_column))
            owners = [i for i, (s, e, _, _) in enumerate(labeled) if a < e and b > s]
            if not owners:
                self.fp[cat] += 1
                self.flagged["fp"] += 1
                self.false.append(f"{cat} {f.rule}: {text[a:b]!r} in {text[max(0, a - 60):b + 60]!r}")
                continue
            for i in owners:
                hits[i].add(cat)
        for i, (_, _, labels, sent) in enumerate(labeled):
            got = hits.get(i, set())
            real = labels - PAGE_LEVEL
            for cat in sorted(real):
                if cat in got:
                    self.tp[cat] += 1
                else:
                    self.fn[cat] += 1
                    self.misses.append(f"{cat}: {sent[:160]!r}")
            for cat in sorted(got - labels):
                self.fp[cat] += 1
                self.false.append(f"{cat}: {sent[:160]!r} (labels {sorted(labels)})")
            if real:
                self.flagged["tp" if got else "fn"] += 1
            elif got:
                self.flagged["fp"] += 1

    def table(self) -> dict[str, dict]:
        """Per category, then ALL(category) and ALL(flagged): tp, fp, fn, precision, recall."""
        def row(tp: int, fp: int, fn: int) -> dict:
            return {"tp": tp, "fp": fp, "fn": fn,
                    "precision": round(tp / (tp + fp), 3) if tp + fp else None,
                    "recall": round(tp / (tp + fn), 3) if tp + fn else None}

        rows = {c: row(self.tp[c], self.fp[c], self.fn[c])
                for c in sorted(set(self.tp) | set(self.fn) | set(self.fp))}
        rows["ALL(category)"] = row(sum(self.tp.values()), sum(self.fp.values()), sum(self.fn.values()))
        rows["ALL(flagged)"] = row(self.flagged["tp"], self.flagged["fp"], self.flagged["fn"])
        return rows

    def as_dict(self) -> dict:
        return {"sentences": self.table(), "disclosure_pages": dict(self.disclosure)}

    def render(self, show: int = 0) -> str:
        lines = [f"{cat:18} P={r['precision']} R={r['recall']}  tp={r['tp']} fp={r['fp']} fn={r['fn']}"
                 for cat, r in self.table().items()]
        d = self.disclosure
        right = d["tp"] + d["tn"]
        lines.append(f"disclosure pages: right on {right} of {sum(d.values())} "
                     f"(tp={d['tp']} fp={d['fp']} fn={d['fn']} tn={d['tn']})")
        lines += [f"MISS {m}" for m in self.misses[:show]]
        lines += [f"FALSE {m}" for m in self.false[:show]]
        return "\n".join(lines) + "\n"


def _f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _summed(pages: list[dict[str, list[int]]], level: str) -> tuple[float, float, float]:
    return _f1(*(sum(p[level][i] for p in pages) for i in range(3)))


def _interval(values: list[float]) -> tuple[float, float]:
    values = sorted(values)
    return values[int(0.025 * (len(values) - 1))], values[int(0.975 * (len(values) - 1))]


def intervals(per_page: dict[str, dict[str, list[int]]], resamples: int = 1000, seed: int = 0
              ) -> dict[str, dict[str, tuple[float, float]]]:
    """95% intervals of P, R and F1 (flagged and category level) by resampling whole pages
    with replacement: how much the figures could move on another set of pages like these."""
    rng = random.Random(seed)
    pages = list(per_page.values())
    out = {}
    for level in ("flagged", "category"):
        draws = [_summed([rng.choice(pages) for _ in pages], level) for _ in range(resamples)]
        out[level] = {name: _interval([d[i] for d in draws]) for i, name in enumerate(("P", "R", "F1"))}
    return out


def paired_change(now: dict[str, dict[str, list[int]]], then: dict[str, dict[str, list[int]]],
                  resamples: int = 1000, seed: int = 0) -> dict[str, dict[str, float]]:
    """F1 now against F1 then on the pages both scored, with a 95% interval of the change
    from resampling those pages (the same resample for both, so page difficulty cancels)."""
    names = sorted(set(now) & set(then))
    if not names:
        raise ValueError("no page in common with the earlier scores")
    rng = random.Random(seed)
    out = {}
    for level in ("flagged", "category"):
        a = _summed([then[n] for n in names], level)[2]
        b = _summed([now[n] for n in names], level)[2]
        changes = []
        for _ in range(resamples):
            pick = [rng.choice(names) for _ in names]
            changes.append(_summed([now[n] for n in pick], level)[2]
                           - _summed([then[n] for n in pick], level)[2])
        lo, hi = _interval(changes)
        out[level] = {"then": a, "now": b, "change": b - a, "low": lo, "high": hi, "pages": len(names)}
    return out


def render_intervals(found: dict, resamples: int, pages: int) -> str:
    lines = [f"95% intervals ({resamples} resamples of the {pages} pages):"]
    for level, metrics in found.items():
        lines.append(f"  {level:9}" + "  ".join(f"{m} [{lo:.3f}, {hi:.3f}]"
                                                for m, (lo, hi) in metrics.items()))
    return "\n".join(lines) + "\n"


def render_change(change: dict) -> str:
    lines = []
    for level, c in change.items():
        lines.append(f"{level} F1 {c['then']:.3f} -> {c['now']:.3f}: {c['change']:+.3f} "
                     f"(95% interval {c['low']:+.3f} to {c['high']:+.3f}, {c['pages']} pages in common)")
    return "\n".join(lines) + "\n"
