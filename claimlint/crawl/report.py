"""``claimlint report``: a scan's sites ranked by the weight of their findings, as one
self-contained offline HTML file for investigators, or JSON / CSV with the same content."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from html import escape

from claimlint.crawl.store import Store
from claimlint.report.html import GENERATOR

WEIGHT = {"error": 5, "warning": 2, "info": 1}
PROBLEM_STATES = ("error", "skipped", "empty", "duplicate")


def collect(store: Store, scan_id: int | None = None) -> dict:
    """Everything a report shows, as plain data (the JSON format is exactly this)."""
    scan = store.scan(scan_id)
    sid = scan["id"]
    findings = store.findings(sid)
    pages = store.pages(sid)
    findings_by_site: dict[int, list] = {}
    for f in findings:
        findings_by_site.setdefault(f["site_id"], []).append(f)
    pages_by_site: dict[int, list] = {}
    for p in pages:
        pages_by_site.setdefault(p["site_id"], []).append(p)
    not_crawled: dict[int, list] = {}
    for row in store.db.execute(
            "SELECT site_id, reason, COUNT(*), MIN(url) FROM queue WHERE scan_id=? AND kind='page' "
            "AND state='skipped' AND reason LIKE 'crawl-trap%' GROUP BY site_id, reason "
            "ORDER BY site_id, reason", (sid,)):
        not_crawled.setdefault(row[0], []).append({"reason": row[1], "urls": row[2], "example": row[3]})
    sites = []
    for site in store.sites(sid):
        mine = findings_by_site.get(site["id"], [])
        site_pages = pages_by_site.get(site["id"], [])
        by_page: dict[int, list] = {}
        for f in mine:
            by_page.setdefault(f["page_id"], []).append(_finding(f))
        # a check that could not run (SKIPPED.*) is reported, but is not the clinic's claim
        severities = Counter(f["severity"] for f in mine if f["category"] != "SKIPPED")
        sites.append({
            "domain": site["domain"], "seeds": json.loads(site["seeds"]), "state": site["state"],
            "reason": site["reason"], "robots": json.loads(site["robots"] or "{}"),
            "score": sum(WEIGHT.get(s, 1) * n for s, n in severities.items()),
            "findings": len(mine), "severities": dict(severities),
            "rules": dict(Counter(f["rule"] for f in mine).most_common()),
            "pages_checked": sum(p["state"] == "ok" for p in site_pages),
            "urls_seen": len(site_pages), "bytes": site["bytes"],
            "pages": [{"url": p["url"], "requested_url": p["requested_url"], "fetched_at": p["fetched_at"],
                       "body_sha256": p["body_sha256"], "status": p["status"],
                       "region_counts": dict(Counter(f["region"] for f in by_page.get(p["id"], []))),
                       "redirect_chain": json.loads(p["redirect_chain"] or "[]"),
                       "encoding_note": p["encoding_note"], "findings": by_page[p["id"]]}
                      for p in site_pages if p["id"] in by_page],
            "problems": [{"url": p["url"], "state": p["state"], "status": p["status"], "reason": p["reason"]}
                         for p in site_pages if p["state"] in PROBLEM_STATES or p["lint_state"] == "error"],
            "not_crawled": not_crawled.get(site["id"], []),
        })
    sites.sort(key=lambda s: (-s["score"], -s["findings"], s["domain"]))
    for rank, site in enumerate(sites, 1):
        site["rank"] = rank
    return {"scan": {"id": sid, "status": scan["status"], "started_at": scan["started_at"],
                     "finished_at": scan["finished_at"], "claimlint_version": scan["version"],
                     "command": scan["command"], "manifest_sha256": scan["manifest_sha256"],
                     "database": store.path},
            "summary": {"sites": len(sites), "findings": len(findings),
                        "pages_checked": sum(s["pages_checked"] for s in sites),
                        "sites_with_findings": sum(1 for s in sites if s["findings"]),
                        "urls_not_crawled": sum(g["urls"] for s in sites for g in s["not_crawled"])},
            "sites": sites}


def _finding(f) -> dict:  # noqa: ANN001
    return {"rule": f["rule"], "category": f["category"], "severity": f["severity"],
            "message": f["message"], "why": f["why"], "suggestion": f["suggestion"], "claim": f["text"],
            "sentence": f["sentence"], "region": f["region"], "line": f["line"], "column": f["col"],
            "url": f["url"], "fetched_at": f["fetched_at"], "body_sha256": f["body_sha256"],
            "fingerprint": f["fingerprint"], "evidence": _evidence(f)}


def _evidence(f) -> dict | None:  # noqa: ANN001
    """Where an archived page's bytes are: WARC file, offset, length, record id, digest, date."""
    if f["warc_file"] is None:
        return None
    return {"warc_file": f["warc_file"], "offset": f["warc_offset"], "length": f["warc_length"],
            "record_id": f["record_id"], "payload_digest": f["payload_digest"],
            "capture_date": f["capture_date"], "target_uri": f["target_uri"]}


def render_json(data: dict) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


CSV_FIELDS = ["rank", "site", "score", "kind", "url", "fetched_at", "body_sha256", "rule", "category",
              "severity", "region", "claim", "sentence", "message", "why", "suggestion", "line", "column",
              "state", "reason", "warc_file", "warc_offset", "warc_length", "warc_record_id"]


# OWASP "CSV Injection": a cell a spreadsheet would read as a formula starts with one of these
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def csv_cell(value: object) -> object:
    """A cell safe to open in a spreadsheet: text that would start a formula is prefixed with
    a single quote, as OWASP recommends (numbers are left as they are)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def render_csv(data: dict) -> str:
    """One row per finding, plus one row per page that could not be checked (kind=problem)
    and one per group of URLs the crawl did not fetch (kind=not-crawled). Cells are
    neutralised against formula injection (``csv_cell``)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    rows = []
    for site in data["sites"]:
        base = {"rank": site["rank"], "site": site["domain"], "score": site["score"]}
        for page in site["pages"]:
            for f in page["findings"]:
                ev = f.get("evidence") or {}
                rows.append({**base, **f, "kind": "finding", "state": "ok",
                             "warc_file": ev.get("warc_file"), "warc_offset": ev.get("offset"),
                             "warc_length": ev.get("length"), "warc_record_id": ev.get("record_id")})
        for p in site["problems"]:
            rows.append({**base, "kind": "problem", "url": p["url"], "state": p["state"],
                         "reason": p["reason"]})
        for group in site["not_crawled"]:
            rows.append({**base, "kind": "not-crawled", "url": group["example"], "state": "skipped",
                         "reason": f"{group['urls']} URL(s) not crawled: {group['reason']}"})
        if site["state"] == "failed" and not site["problems"]:
            rows.append({**base, "kind": "problem", "state": "failed", "reason": site["reason"]})
    for row in rows:
        writer.writerow({k: csv_cell(v) for k, v in row.items()})
    return out.getvalue()


def highlight(sentence: str, claim: str) -> str:
    """The sentence, HTML-escaped, with the claim marked."""
    i = sentence.lower().find(claim.lower()) if claim else -1
    if i < 0:
        return escape(sentence) + (f" (<mark>{escape(claim)}</mark>)" if claim else "")
    j = i + len(claim)
    return f"{escape(sentence[:i])}<mark>{escape(sentence[i:j])}</mark>{escape(sentence[j:])}"


CSS = """
body{font:15px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2430;
background:#f6f7f9}
header.top{background:#1d2a44;color:#fff;padding:18px 28px}header.top h1{margin:0;font-size:22px}
header.top p{margin:4px 0 0;color:#c9d3e6;font-size:13px}main{padding:18px 28px;max-width:1150px}
table{border-collapse:collapse;width:100%;background:#fff;margin:8px 0 20px}
th,td{border:1px solid #dde2ea;padding:6px 9px;text-align:left;vertical-align:top;font-size:14px}
th{background:#eef1f6}td.num{text-align:right}section.site{background:#fff;border:1px solid #dde2ea;
border-radius:6px;padding:12px 18px;margin:18px 0}h2{margin:6px 0 4px;font-size:19px}
.rank{display:inline-block;background:#1d2a44;color:#fff;border-radius:12px;padding:0 9px;margin-right:6px}
.finding{border-left:4px solid #c0392b;padding:6px 12px;margin:10px 0;background:#fcfcfd}
.finding.warning{border-color:#d68910}.finding.info{border-color:#2e86c1}
.sentence{font-size:16px;margin:2px 0 6px}mark{background:#ffe08a;padding:0 2px;border-radius:2px}
.meta,.why,.suggestion{font-size:13px;color:#444;margin:2px 0}.suggestion{color:#1e6b3a}
.sev{font-weight:600;text-transform:uppercase;font-size:12px}.sev.error{color:#c0392b}
.sev.warning{color:#b9770e}.sev.info{color:#2e86c1}
.page{margin:14px 0 4px;font-weight:600;word-break:break-all}
.hash{font-family:ui-monospace,monospace;font-size:12px;color:#555;word-break:break-all}
.state-failed{color:#c0392b;font-weight:600}.muted{color:#777;font-size:13px}
details{margin:8px 0}summary{cursor:pointer;font-weight:600}
"""


def render_html(data: dict) -> str:
    """One self-contained HTML page (inline CSS, no scripts, no external resources)."""
    scan, summary = data["scan"], data["summary"]
    out = ["<!doctype html><html lang='en'><head><meta charset='utf-8'>",
           f"<meta name='generator' content='{GENERATOR}'>",
           "<meta name='viewport' content='width=device-width,initial-scale=1'>",
           f"<title>claimlint report: scan {scan['id']}</title><style>{CSS}</style></head><body>",
           "<header class='top'><h1>Marketing claims found on clinic websites</h1>",
           f"<p>Scan {scan['id']} · started {escape(scan['started_at'] or '')} · finished "
           f"{escape(scan['finished_at'] or 'not finished')} · "
           f"claimlint {escape(scan['claimlint_version'] or '')}"
           f" · {summary['sites']} sites, {summary['pages_checked']} pages checked, "
           f"{summary['findings']} findings</p></header><main>",
           "<h2>Sites ranked by findings</h2>",
           "<p class='muted'>Score = 5 per error + 2 per warning + 1 per info finding. "
           "Each finding below shows the sentence as published with the claim highlighted, "
           "the page address, when it was fetched (UTC) and the SHA-256 of the page as received.</p>",
           "<table><tr><th>#</th><th>Site</th><th>Score</th><th>Findings</th><th>Errors</th>"
           "<th>Warnings</th><th>Pages checked</th><th>Status</th></tr>"]
    for s in data["sites"]:
        status = escape(s["state"]) + (f": {escape(s['reason'])}" if s["reason"] else "")
        out.append(f"<tr><td class='num'>{s['rank']}</td><td><a href='#site-{s['rank']}'>"
                   f"{escape(s['domain'])}</a></td><td class='num'>{s['score']}</td>"
                   f"<td class='num'>{s['findings']}</td>"
                   f"<td class='num'>{s['severities'].get('error', 0)}</td>"
                   f"<td class='num'>{s['severities'].get('warning', 0)}</td>"
                   f"<td class='num'>{s['pages_checked']}</td>"
                   f"<td class='state-{escape(s['state'])}'>{status}</td></tr>")
    out.append("</table>")
    for s in data["sites"]:
        out.append(_site_html(s))
    archived = any(f.get("evidence") for s in data["sites"] for p in s["pages"] for f in p["findings"])
    where = ("archived pages are identified by WARC file, record offset and length, record ID and "
             "payload digest (shown with each page); their text is in the archive, not in "
             if archived else "every fetch is stored with its raw body in ")
    out.append(f"<p class='muted'>Evidence: {where}"
               f"{escape(scan['database'])}; "
               f"manifest SHA-256 {escape(scan['manifest_sha256'] or 'not written')}."
               f"</p></main></body></html>\n")
    return "".join(out)


def _site_html(s: dict) -> str:
    out = [f"<section class='site' id='site-{s['rank']}'><h2><span class='rank'>{s['rank']}</span>"
           f"{escape(s['domain'])}</h2><p class='meta'>Score {s['score']} · {s['findings']} findings on "
           f"{len(s['pages'])} of {s['pages_checked']} pages checked · started from "
           f"{escape(', '.join(s['seeds']))}</p>"]
    if s["rules"]:
        rules = ", ".join(f"{escape(r)} ({n})" for r, n in s["rules"].items())
        out.append(f"<p class='meta'>Rules: {rules}</p>")
    if s["reason"]:
        out.append(f"<p class='state-failed'>{escape(s['reason'])}</p>")
    for page in s["pages"]:
        out.append(f"<div class='page'>{escape(page['url'])}</div><div class='hash'>fetched "
                   f"{escape(page['fetched_at'] or '')} UTC · SHA-256 {escape(page['body_sha256'] or '')}"
                   + (f" · reached from {escape(page['requested_url'])}"
                      if page["requested_url"] != page["url"] else "") + "</div>")
        ev = page["findings"][0].get("evidence") if page["findings"] else None
        if ev:
            out.append(f"<div class='hash'>archived in {escape(ev['warc_file'])} at offset {ev['offset']} "
                       f"(length {ev['length']}) · record {escape(ev['record_id'] or '')} · payload "
                       f"{escape(ev['payload_digest'] or '')}</div>")
        for f in page["findings"]:
            out.append(
                f"<div class='finding {escape(f['severity'])}'><div class='sentence'>"
                f"{highlight(f['sentence'] or f['claim'], f['claim'])}</div>"
                f"<div class='meta'><span class='sev {escape(f['severity'])}'>{escape(f['severity'])}</span> "
                f"{escape(f['message'])} · rule {escape(f['rule'])} · "
                f"in the page {escape(f['region'] or 'main')}"
                f" · line {f['line']}</div><div class='why'>Why: {escape(f['why'] or '')}</div>"
                f"<div class='suggestion'>Suggestion: {escape(f['suggestion'] or '')}</div></div>")
    for group in s["not_crawled"]:
        out.append(f"<p class='state-failed'>{group['urls']} URLs not crawled: {escape(group['reason'])} "
                   f"(for example {escape(group['example'])}); raise --max-similar-urls to crawl them.</p>")
    if s["problems"]:
        out.append(f"<details><summary>{len(s['problems'])} URLs not checked (and why)</summary><table>"
                   "<tr><th>URL</th><th>Outcome</th><th>Reason</th></tr>")
        for p in s["problems"]:
            out.append(f"<tr><td class='hash'>{escape(p['url'])}</td><td>{escape(p['state'])}</td>"
                       f"<td>{escape(p['reason'] or '')}</td></tr>")
        out.append("</table></details>")
    out.append("</section>")
    return "".join(out)


def render(store: Store, scan_id: int | None, fmt: str) -> str:
    data = collect(store, scan_id)
    return {"json": render_json, "csv": render_csv, "html": render_html}[fmt](data)
