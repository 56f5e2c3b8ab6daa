"""``claimlint diff OLD NEW``: per site, the findings that are new, resolved and unchanged
between two scans, matched by content fingerprint (site, page, rule, claim sentence), not line."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from claimlint.crawl.store import Store, StoreError


def open_scan(ref: str, default_db: str) -> tuple[Store, int]:
    """A scan reference: ``ID`` (in ``default_db``), ``FILE.db`` (its newest scan) or ``FILE.db:ID``."""
    sid: int | None = None
    path, sep, tail = ref.rpartition(":")
    if ref.isdigit() and not Path(ref).is_file():
        path, sid = default_db, int(ref)
    elif sep and path and tail.isdigit():
        sid = int(tail)
    else:
        path = ref
    store = Store(path, readonly=True)
    return store, store.scan(sid)["id"]


def _keyed(store: Store, scan_id: int) -> dict[str, dict[str, list[dict]]]:
    out: dict[str, dict[str, list[dict]]] = {}
    for f in store.findings(scan_id):
        out.setdefault(f["domain"], {}).setdefault(f["fingerprint"], []).append(
            {"rule": f["rule"], "severity": f["severity"], "url": f["url"], "claim": f["text"],
             "sentence": f["sentence"], "region": f["region"], "fetched_at": f["fetched_at"],
             "body_sha256": f["body_sha256"], "fingerprint": f["fingerprint"]})
    return out


def diff_scans(old: tuple[Store, int], new: tuple[Store, int]) -> dict:
    """``{"old":..., "new":..., "sites": [{domain, new, resolved, unchanged}]}``; repeated
    identical claims are matched one for one."""
    a, b = _keyed(*old), _keyed(*new)
    sites = []
    domains = sorted(set(a) | set(b) | {s["domain"] for s in new[0].sites(new[1])}
                     | {s["domain"] for s in old[0].sites(old[1])})
    for domain in domains:
        before, after = a.get(domain, {}), b.get(domain, {})
        entry = {"domain": domain, "new": [], "resolved": [], "unchanged": []}
        for fp in sorted(set(before) | set(after)):
            was, now = before.get(fp, []), after.get(fp, [])
            common = min(len(was), len(now))
            entry["unchanged"] += now[:common]
            entry["new"] += now[common:]
            entry["resolved"] += was[common:]
        sites.append(entry)
    return {"old": _describe(*old), "new": _describe(*new), "sites": sites}


def _describe(store: Store, scan_id: int) -> dict:
    scan = store.scan(scan_id)
    return {"database": store.path, "scan": scan_id, "started_at": scan["started_at"]}


def render_text(result: dict, *, verbose: bool = True) -> str:
    o, n = result["old"], result["new"]
    lines = [f"claimlint diff: scan {o['scan']} ({o['started_at']}) -> scan {n['scan']} ({n['started_at']})"]
    totals = Counter()
    for site in result["sites"]:
        counts = {k: len(site[k]) for k in ("new", "resolved", "unchanged")}
        totals.update(counts)
        lines.append(f"{site['domain']}: {counts['new']} new, {counts['resolved']} resolved, "
                     f"{counts['unchanged']} unchanged")
        if verbose:
            for mark, key in (("+", "new"), ("-", "resolved")):
                for f in site[key]:
                    lines.append(f"  {mark} {key.upper():8} {f['rule']}  {f['url']}\n"
                                 f"      \"{f['sentence'] or f['claim']}\"")
    lines.append(f"total: {totals['new']} new, {totals['resolved']} resolved, "
                 f"{totals['unchanged']} unchanged")
    return "\n".join(lines) + "\n"


def render_json(result: dict) -> str:
    return json.dumps(result, indent=2, ensure_ascii=False) + "\n"


__all__ = ["StoreError", "diff_scans", "open_scan", "render_json", "render_text"]
