"""Inline suppressions from source comments, Vale/ESLint style.

``<!-- claimlint-disable RULE-OR-CATEGORY -->`` ... ``<!-- claimlint-enable -->`` and
``<!-- claimlint-disable-next-line RULE -->``, each with an optional ``-- reason``. A
directive that suppresses nothing is itself reported (info), so stale ones get cleaned up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from claimlint.document import Document
from claimlint.findings import Finding

DIRECTIVE = re.compile(
    r"^\s*claimlint-(disable-next-line|disable|enable)\b(.*?)(?:\s--\s*(.*?))?\s*$", re.S
)
UNUSED_RULE = "SUPPRESSION.unused"


@dataclass
class Directive:
    action: str
    selectors: list[str]
    reason: str
    source_start: int
    source_end: int
    range: tuple[int, int] = (0, 0)  # source offsets it covers
    used: bool = False


def selector_matches(selector: str, rule_id: str, category: str) -> bool:
    """A selector names a rule id, a category, or a rule-id prefix."""
    return selector in (rule_id, category) or rule_id.startswith(selector.rstrip(".") + ".")


def parse_directives(doc: Document) -> list[Directive]:
    """Suppression directives in the document's comments, with the source range each covers."""
    directives: list[Directive] = []
    open_ranges: list[Directive] = []
    for comment in doc.comments:
        m = DIRECTIVE.match(comment.text)
        if not m:
            continue
        action = m.group(1)
        selectors = [s for s in re.split(r"[\s,]+", m.group(2).strip()) if s]
        d = Directive(action, selectors, (m.group(3) or "").strip(),
                      comment.source_start, comment.source_end)
        if action == "disable-next-line":
            line, _ = doc.position(comment.source_end)
            d.range = (doc.line_offset(line + 1), doc.line_offset(line + 2))
            directives.append(d)
        elif action == "disable":
            d.range = (comment.source_end, len(doc.source))
            directives.append(d)
            open_ranges.append(d)
        else:  # enable: close what it names; what an open range named besides stays disabled
            still_open = []
            for opened in open_ranges:
                named = set(opened.selectors)
                if selectors and named and not named & set(selectors):
                    still_open.append(opened)
                    continue
                if selectors and not named:
                    continue  # "enable X" does not end a blanket "disable"
                opened.range = (opened.range[0], comment.source_start)
                rest = [x for x in opened.selectors if x not in selectors] if selectors else []
                if rest:
                    piece = Directive("disable", rest, opened.reason, opened.source_start,
                                      opened.source_end, (comment.source_end, len(doc.source)))
                    directives.append(piece)
                    still_open.append(piece)
            open_ranges = still_open
    return directives


def apply_suppressions(doc: Document, findings: list[Finding]) -> list[Finding]:
    """Drop suppressed findings; add an info finding for each unused directive."""
    directives = parse_directives(doc)
    if not directives:
        return findings
    kept = []
    for f in findings:
        suppressed = False
        for d in directives:
            if d.range[0] <= f.start < d.range[1] and (
                    not d.selectors
                    or any(selector_matches(s, f.rule, f.category) for s in d.selectors)):
                d.used = suppressed = True
        if not suppressed:
            kept.append(f)
    used_comments = {d.source_start for d in directives if d.used}
    reported = set()
    for d in directives:
        if d.source_start not in used_comments and d.source_start not in reported:
            reported.add(d.source_start)
            line, col = doc.position(d.source_start)
            end_line, end_col = doc.position(d.source_end)
            what = ", ".join(d.selectors) or "all rules"
            kept.append(Finding(
                path=doc.path, rule=UNUSED_RULE, category="SUPPRESSION", severity="info",
                message=f"This claimlint-{d.action} comment ({what}) suppresses nothing.",
                line=line, column=col, end_line=end_line, end_column=end_col,
                text=doc.source[d.source_start:d.source_end],
                suggestion="Remove the comment, or fix the rule id it names.",
                start=d.source_start, end=d.source_end))
    return kept
