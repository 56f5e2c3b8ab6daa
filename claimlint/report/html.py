"""A self-contained HTML report for a reviewer: per document, its findings (where, rule,
why, suggested rewrite) and the document's readable text with every claim highlighted and
linked to its finding. Documents without findings are listed by name only."""

from __future__ import annotations

import html
from collections import Counter
from typing import Any

from claimlint import __version__
from claimlint.document import BLOCK_BREAK, Document
from claimlint.findings import Finding

# Marks claimlint's own HTML reports, so a later check of their folder does not lint them.
GENERATOR = f"claimlint {__version__}"

CSS = """
body{font:15px/1.5 system-ui,-apple-system,Segoe UI,sans-serif;margin:0;color:#1d1d1f;background:#f6f6f7}
header,main{max-width:980px;margin:0 auto;padding:16px 24px}
header{border-bottom:1px solid #ddd;background:#fff;max-width:none}
h1{font-size:1.4em;margin:.2em 0}h2{font-size:1.15em;margin:0 0 .5em;word-break:break-all}
section.doc{background:#fff;border:1px solid #ddd;border-radius:8px;padding:16px 20px;margin:18px 0}
table{border-collapse:collapse;width:100%;font-size:.93em}
th,td{text-align:left;vertical-align:top;padding:6px 8px;border-top:1px solid #eee}
th{color:#555;font-weight:600}
.sev{font-weight:600;text-transform:uppercase;font-size:.8em;padding:1px 6px;border-radius:4px}
.sev-error{background:#fde2e1;color:#a1120a}.sev-warning{background:#fff1c2;color:#7a5200}
.sev-info{background:#e1ecfd;color:#0b4a9c}
mark{padding:0 1px;border-radius:3px}mark.sev-error{background:#ffc9c5}
mark.sev-warning{background:#ffe58a}mark.sev-info{background:#cfe0ff}
mark sup a{font-size:.7em;text-decoration:none;color:inherit;font-weight:700}
.text{border-left:3px solid #ddd;padding:4px 14px;margin-top:14px;color:#222}
.text p{margin:.5em 0}.suggest{color:#14532d}.why{color:#555;font-size:.9em}
code{font-size:.9em;background:#f0f0f2;padding:0 3px;border-radius:3px}
.summary span{margin-right:14px}
.text p.heading{font-weight:700;font-size:1.05em}
.region{font-size:.72em;text-transform:uppercase;color:#666;border:1px solid #ccc;border-radius:3px;
padding:0 4px;margin-right:4px;vertical-align:1px}
"""


def text_range(doc: Document, f: Finding) -> tuple[int, int] | None:
    """Where a finding's claim is in the document text (findings carry source offsets)."""
    if not f.text:
        return None
    first = None
    at = doc.text.find(f.text)
    while at >= 0:
        first = at if first is None else first
        if doc.source_range(at, at + len(f.text)) == (f.start, f.end):
            return at, at + len(f.text)
        at = doc.text.find(f.text, at + 1)
    return (first, first + len(f.text)) if first is not None else None


def document_view(doc: Document, findings: list[Finding]) -> dict[str, Any]:
    """The document's text, its blocks and where each finding's claim is in it, as plain
    data (picklable, JSON-able): ``{"text": str, "blocks": [[kind, region], ...],
    "claims": [[text start, text end, rule, source start, source end], ...]}``."""
    claims = []
    for f in findings:
        r = text_range(doc, f)
        if r:
            claims.append([r[0], r[1], f.rule, f.start, f.end])
    blocks = [[b.kind, b.region] for b in doc.blocks]
    return {"text": doc.text, "blocks": blocks, "claims": claims}


def marks_for(view: dict[str, Any], findings: list[Finding]) -> list[list[Any]]:
    """Highlights ``[start, end, [finding index, ...]]`` for the findings reported (a
    baseline may have removed some); overlapping claims share one highlight."""
    where = {(rule, s, e): (a, b) for a, b, rule, s, e in view.get("claims", [])}
    spans = sorted((*where[key], i) for i, f in enumerate(findings)
                   if (key := (f.rule, f.start, f.end)) in where)
    marks: list[list[Any]] = []
    for start, end, i in spans:
        if marks and start < marks[-1][1]:
            marks[-1][1] = max(marks[-1][1], end)
            marks[-1][2].append(i)
        else:
            marks.append([start, end, [i]])
    return marks


def _anchor(doc_no: int, i: int) -> str:
    return f"d{doc_no}-f{i + 1}"


def _highlighted(view: dict[str, Any], findings: list[Finding], doc_no: int) -> str:
    text = view["text"]
    rank = {"info": 0, "warning": 1, "error": 2}
    out: list[str] = []
    pos = 0
    for start, end, idx in marks_for(view, findings):
        worst = max((findings[i].severity for i in idx), key=lambda s: rank.get(s, 1))
        title = "; ".join(f"{findings[i].rule}: {findings[i].message}" for i in idx)
        sups = "".join(f'<a href="#{_anchor(doc_no, i)}-row">[{i + 1}]</a>' for i in idx)
        out.append(html.escape(text[pos:start]))
        extra = "".join(f'<span id="{_anchor(doc_no, i)}"></span>' for i in idx[1:])
        out.append(f'<mark class="sev-{worst}" id="{_anchor(doc_no, idx[0])}" '
                   f'title="{html.escape(title)}">{extra}{html.escape(text[start:end])}'
                   f"<sup>{sups}</sup></mark>")
        pos = end
    out.append(html.escape(text[pos:]))
    body = "".join(out)
    paragraphs = [p for p in body.split(BLOCK_BREAK) if p.strip()]
    blocks = view.get("blocks") or []
    if len(blocks) != len(paragraphs):  # not one paragraph per block: no labels
        blocks = [["paragraph", "main"]] * len(paragraphs)
    html_blocks = []
    for p, (kind, region) in zip(paragraphs, blocks):
        label = f'<span class="region">{html.escape(region)}</span> ' if region != "main" else ""
        cls = ' class="heading"' if kind == "heading" else ""
        html_blocks.append(f"<p{cls}>{label}{p}</p>")
    return "".join(html_blocks)


def _document(doc_no: int, path: str, findings: list[Finding], view: dict | None) -> str:
    counts = Counter(f.severity for f in findings)
    rows = []
    for i, f in enumerate(findings):
        link = (f'<a href="#{_anchor(doc_no, i)}">{i + 1}</a>' if view else str(i + 1))
        rows.append(
            f'<tr id="{_anchor(doc_no, i)}-row"><td>{link}</td><td>{f.line}:{f.column}</td>'
            f'<td><span class="sev sev-{f.severity}">{f.severity}</span></td>'
            f"<td><code>{html.escape(f.rule)}</code><br>&ldquo;{html.escape(f.text)}&rdquo;</td>"
            f"<td>{html.escape(f.message)}"
            f'<div class="suggest"><b>Suggestion:</b> {html.escape(f.suggestion)}</div>'
            + (f'<details class="why"><summary>Why</summary>{html.escape(f.why)}</details>'
               if f.why else "") + "</td></tr>")
    levels = ", ".join(f"{counts[s]} {s}{'s' if counts[s] != 1 and s != 'info' else ''}"
                       for s in ("error", "warning", "info") if counts[s])
    parts = [f'<section class="doc"><h2>{html.escape(path)}</h2>',
             f"<p>{len(findings)} finding{'s' if len(findings) != 1 else ''} ({levels})</p>",
             "<table><tr><th>#</th><th>Line:col</th><th>Severity</th><th>Rule and claim</th>"
             "<th>What is wrong, and a compliant alternative</th></tr>", *rows, "</table>"]
    if view:
        parts.append(f'<div class="text">{_highlighted(view, findings, doc_no)}</div>')
    parts.append("</section>")
    return "\n".join(parts)


def render_html(findings: list[Finding], *, paths: list[str], views: dict[str, dict],
                errors: list[dict] | None = None, title: str = "claimlint report") -> str:
    """The report: ``paths`` are every checked file in order, ``views`` the document views
    of files with findings (from ``document_view``)."""
    by_path: dict[str, list[Finding]] = {}
    for f in findings:
        by_path.setdefault(f.path, []).append(f)
    counts = Counter(f.severity for f in findings)
    ordered = list(dict.fromkeys([*paths, *by_path]))
    sections = [_document(n, p, by_path[p], views.get(p))
                for n, p in enumerate(ordered) if p in by_path]
    clean = [p for p in ordered if p not in by_path]
    summary = "".join(f'<span class="sev sev-{s}">{counts[s]} {s}</span>'
                      for s in ("error", "warning", "info") if counts[s])
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f'<meta name="generator" content="{GENERATOR}">',
           f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>",
           f"<header><h1>{html.escape(title)}</h1>",
           f'<p class="summary">{len(findings)} finding{"s" if len(findings) != 1 else ""} in '
           f"{len(by_path)} of {len(ordered)} document{'s' if len(ordered) != 1 else ''} "
           f"{summary}</p>",
           f"<p>claimlint {__version__}. Highlighted text is what a reader of each document sees; "
           "line and column refer to the source file (for Word documents: paragraph and "
           "character).</p></header><main>"]
    if errors:
        out.append('<section class="doc"><h2>Could not be checked</h2><ul>')
        out.extend(f"<li><code>{html.escape(e['path'])}</code>: {html.escape(e.get('error', ''))}"
                   "</li>" for e in errors)
        out.append("</ul></section>")
    out.extend(sections)
    if clean:
        out.append(f'<section class="doc"><details><summary>{len(clean)} document'
                   f"{'s' if len(clean) != 1 else ''} without findings</summary><ul>")
        out.extend(f"<li><code>{html.escape(p)}</code></li>" for p in clean)
        out.append("</ul></details></section>")
    out.append("</main></body></html>")
    return "\n".join(out) + "\n"
