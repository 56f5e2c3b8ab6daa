#!/usr/bin/env python3
"""Would deciding who is speaking per section, rather than per page, pay off? (issue 8)

    scripts/section_speaker.py CORPUS [CORPUS ...] [--min-words 30 60 100] [--beta 0.3 0.5 1]

CORPUS is a folder of labeled real pages, as ``claimlint rules eval`` takes it. Use the
development splits only: the held-out split is scored once, by ``claimlint rules eval``.

Each page is linted once with every rule allowed to fire; the findings are then kept or dropped
by the speaker of the section they sit in, so one lint serves every variant. Today only an
educational speaker silences the sentence rules (every rule's ``pages`` is promotional and
mixed), and document rules (DISCLOSURE) keep the page's kind. The script prints, with the
reference scorer's metric (``claimlint.pagescore``), the category- and flagged-level P, R and
F1 of each variant below, with its F1 change from today's engine and that change's 95% interval
(paired bootstrap over pages, as ``claimlint rules eval --against`` prints it):

- ``page``: today's engine, one kind per page (equal to ``claimlint rules eval``);
- ``labeled-page``: the page kind the labeler gave (the ceiling of a better page model);
- ``blend MIN BETA``: the page split into sections at its headings (a heading block, or a short
  block of at most ``HEADING_WORDS`` words with no closing punctuation, as the Document reads
  list lead-ins); a section of at least MIN words is educational when the page model's
  probability on the blend ``(1 - l) * logit(page) + l * logit(section)`` reaches the model's
  threshold, with ``l = BETA * min(1, words / 300)``; a shorter section takes the page's kind;
- ``section ceiling``: each section switched to the other speaker exactly when that raises
  the claims found minus the false alarms on its page. It reads the labels: a bound, not a
  method.
"""

from __future__ import annotations

import argparse
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from claimlint.config import Config
from claimlint.document import HEADING_WORDS, Document
from claimlint.findings import Finding
from claimlint.lint import Linter
from claimlint.pagekind import _model, classify, features
from claimlint.pagescore import PAGE_LEVEL, LabeledPage, PageScore, canon, load_pages, paired_change

_CLOSED = re.compile(r"[.!;,]\s*$")
SECTION_WORDS = 300  # a section this long speaks fully for itself (times BETA)


@dataclass
class Section:
    start: int  # source offsets
    end: int
    text: str

    @property
    def words(self) -> int:
        return len(self.text.split())


@dataclass
class Page:
    labeled: LabeledPage
    educational: float  # the page model's probability
    kind: str  # the page model's kind
    findings: list[Finding]  # every rule allowed to fire
    sections: list[Section] = field(default_factory=list)


def heading_like(doc: Document, i: int) -> bool:
    block = doc.blocks[i]
    if block.kind in ("heading", "title"):
        return True
    text = doc.text[block.start:block.end]
    return block.kind == "paragraph" and len(text.split()) <= HEADING_WORDS and not _CLOSED.search(text)


def sections(doc: Document) -> list[Section]:
    """The page's sections: each starts at a heading-like block and runs to the next one."""
    groups: list[list[int]] = []
    for i in range(len(doc.blocks)):
        if not groups or heading_like(doc, i):
            groups.append([i])
        else:
            groups[-1].append(i)
    out = []
    for g in groups:
        first, last = doc.blocks[g[0]], doc.blocks[g[-1]]
        start, _ = doc.source_range(first.start, first.end)
        _, end = doc.source_range(last.start, last.end)
        out.append(Section(start, end, doc.text[first.start:last.end]))
    return out


def load(linter: Linter, folder: Path) -> list[Page]:
    pages = []
    for labeled in load_pages(folder):
        doc = linter.load(labeled.text.encode("utf-8"), labeled.file)
        kind = classify(doc.text)
        doc.page_kind = "promotional"  # every rule may fire; the speaker filters afterwards
        pages.append(Page(labeled, kind.educational, kind.kind, linter.lint_document(doc), sections(doc)))
    return pages


def _z(text: str) -> float:
    model, feats = _model(), features(text)
    return model["bias"] + sum(w * (feats[f] - model["mean"][f]) / model["scale"][f]
                               for f, w in model["weights"].items())


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def blend(min_words: int, beta: float):  # noqa: ANN201
    """A section decision: educational or not per section, None where the page decides."""
    threshold = _model()["threshold"]

    def decide(page: Page) -> list[bool | None]:
        zp = _logit(page.educational) if page.educational > 0 else -30.0  # a too-short page
        out: list[bool | None] = []
        for s in page.sections:
            if s.words < min_words:
                out.append(None)
                continue
            lam = beta * min(1.0, s.words / SECTION_WORDS)
            z = (1 - lam) * zp + lam * _z(s.text)
            out.append(1 / (1 + math.exp(-max(-30.0, min(30.0, z)))) >= threshold)
        return out

    return decide


def kept(page: Page, page_edu: bool, section_edu: list[bool | None]) -> list[Finding]:
    """The findings the engine would report with these speakers."""
    out = []
    for f in page.findings:
        if canon(f.category) in PAGE_LEVEL:
            edu = page_edu  # document rules keep the page's kind
        else:
            edu = next((page_edu if e is None else e for s, e in zip(page.sections, section_edu)
                        if s.start <= f.start < s.end), page_edu)
        if not edu:
            out.append(f)
    return out


def _cat(page: Page, findings: list[Finding]) -> tuple[int, int]:
    score = PageScore()
    score.add(page.labeled, findings)
    row = score.table()["ALL(category)"]
    return row["tp"], row["fp"]


def ceiling(page: Page) -> list[bool | None]:
    """Each section's speaker switched exactly when that raises the page's category-level
    claims found minus false alarms (tp - fp)."""
    page_edu = page.kind == "educational"
    choice: list[bool | None] = [None] * len(page.sections)
    for i in range(len(page.sections)):
        tp0, fp0 = _cat(page, kept(page, page_edu, choice))
        trial = list(choice)
        trial[i] = not page_edu
        tp1, fp1 = _cat(page, kept(page, page_edu, trial))
        if (tp1 - tp0) - (fp1 - fp0) > 0:
            choice = trial
    return choice


def scored(pages: list[Page], decide, labeled_page: bool = False) -> PageScore:  # noqa: ANN001
    total = PageScore()
    for page in pages:
        page_edu = page.labeled.kind == "educational" if labeled_page else page.kind == "educational"
        total.add(page.labeled, kept(page, page_edu, decide(page)))
    return total


def score(pages: list[Page], decide, labeled_page: bool = False) -> dict:  # noqa: ANN001
    """Category- and flagged-level tp, fp, fn, precision and recall."""
    table = scored(pages, decide, labeled_page).table()
    return {level: table[f"ALL({level})"] for level in ("category", "flagged")}


def render(name: str, now: PageScore, then: PageScore) -> str:
    """One variant's figures, with its F1 change from ``then`` and the change's 95% interval
    (paired bootstrap over pages, as ``claimlint rules eval --against`` prints it)."""
    table, change = now.table(), paired_change(now.per_page, then.per_page)
    parts = []
    for level in ("category", "flagged"):
        row, c = table[f"ALL({level})"], change[level]
        parts.append(f"{level} P={row['precision']} R={row['recall']} F1={c['now']:.4f} "
                     f"({c['change']:+.4f}, {c['low']:+.4f} to {c['high']:+.4f})")
    return f"{name:<18} " + " | ".join(parts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpora", nargs="+", type=Path, metavar="CORPUS")
    ap.add_argument("--min-words", nargs="+", type=int, default=[30, 60, 100])
    ap.add_argument("--beta", nargs="+", type=float, default=[0.3, 0.5, 0.7, 1.0])
    a = ap.parse_args()
    linter = Linter(Config(claim_finder=False))  # the rules' speaker handling, without the finder
    for folder in a.corpora:
        pages = load(linter, folder)
        print(f"{folder}: {len(pages)} pages, {sum(len(p.sections) for p in pages)} sections")
        today = scored(pages, lambda p: [None] * len(p.sections))
        print(render("page", today, today))
        print(render("labeled-page", scored(pages, lambda p: [None] * len(p.sections), True), today))
        for min_words in a.min_words:
            for beta in a.beta:
                print(render(f"blend {min_words} {beta}", scored(pages, blend(min_words, beta)), today))
        print(render("section ceiling", scored(pages, ceiling), today))


if __name__ == "__main__":
    main()
