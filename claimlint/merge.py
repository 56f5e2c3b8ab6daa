"""``claimlint merge``: scan databases (crawl shards from ``crawl --shard I/N``, or the partition
shards of ``claimlint warc``) joined into one scan of one store, which ``report`` and ``diff``
read like any other. Sites with the same registered domain become one site; every fetch, page,
finding and archive pointer is copied with its ids renumbered. Merging again with the same
inputs replaces the merged scan instead of adding a second copy."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import Counter
from pathlib import Path

from claimlint.crawl.store import Store, StoreError, dumps

# table -> its columns that point at other tables' ids
TABLES = {
    "queue": {"site_id": "sites"},
    "fetches": {"site_id": "sites", "queue_id": "queue"},
    "pages": {"site_id": "sites", "queue_id": "queue", "fetch_id": "fetches"},
    "findings": {"site_id": "sites", "page_id": "pages", "fetch_id": "fetches"},
    "archive_records": {"fetch_id": "fetches"},
    "archive_problems": {},
}


def source_scans(paths: list[str]) -> list[tuple[str, int, str, str]]:
    """``(database, scan id, scan key, status)`` of the newest scan of each database, in order."""
    out = []
    for path in paths:
        store = Store(path, readonly=True)
        try:
            scan = store.scan()
            out.append((path, scan["id"], scan["key"], scan["status"]))
        finally:
            store.close()
    return out


def merge_stores(out_path: str | Path, sources: list[str], *, key: str | None = None,
                 command: str = "claimlint merge") -> int:
    """Merge the newest scan of each source database into a new scan of ``out_path``; returns
    its id. ``key`` names the merged scan (default: from the sources' scan keys)."""
    if not sources:
        raise StoreError("nothing to merge")
    scans = source_scans(sources)
    resolved = {str(Path(p).resolve()) for p, *_ in scans}
    if str(Path(out_path).resolve()) in resolved:
        raise StoreError(f"{out_path}: the merged database cannot also be one of its inputs")
    joined = "\n".join(sorted(k for _, _, k, _ in scans))
    key = key or "merge-" + hashlib.sha256(joined.encode()).hexdigest()[:24]
    store = Store(out_path)
    try:
        db = store.db
        with store.transaction():
            old = [r[0] for r in db.execute("SELECT id FROM scans WHERE key=?", (key,))]
            for sid in old:
                _delete_scan(db, sid)
            started = min(_scan_field(p, sid, "started_at") for p, sid, _, _ in scans)
            scan_id = db.execute(
                "INSERT INTO scans (key, status, started_at, version, command, options) VALUES (?,?,?,?,?,?)",
                (key, "running", started, _scan_field(scans[0][0], scans[0][1], "version"), command,
                 "{}")).lastrowid
        counts: Counter = Counter()
        for n, (path, sid, _, _) in enumerate(scans):
            counts.update(_copy(store, path, sid, scan_id, n))
        finished = [_scan_field(p, sid, "finished_at") for p, sid, _, _ in scans]
        status = "finished" if all(s == "finished" for *_, s in scans) else "partial"
        options = {"merged_from": [{"database": p, "scan": sid, "key": k, "status": s}
                                   for p, sid, k, s in scans]}
        if counts:
            options["counts"] = dict(counts)
        with store.transaction():
            db.execute("UPDATE scans SET status=?, finished_at=?, options=? WHERE id=?",
                       (status, max((f for f in finished if f), default=None), dumps(options), scan_id))
        return scan_id
    finally:
        store.close()


def _scan_field(path: str, scan_id: int, name: str):  # noqa: ANN202
    store = Store(path, readonly=True)
    try:
        return store.scan(scan_id)[name]
    finally:
        store.close()


def _delete_scan(db: sqlite3.Connection, scan_id: int) -> None:
    for table in ("findings", "archive_records", "archive_problems", "pages", "fetches", "queue", "sites"):
        db.execute(f"DELETE FROM {table} WHERE scan_id=?", (scan_id,))
    db.execute("DELETE FROM scans WHERE id=?", (scan_id,))


def _copy(store: Store, path: str, src_scan: int, scan_id: int, n: int) -> Counter:
    """Copy one source scan's rows into ``scan_id`` (one transaction); its counts, if any."""
    db = store.db
    db.execute("ATTACH DATABASE ? AS src", (str(Path(path).resolve()),))
    try:
        with store.transaction():
            _ensure_tables(db)
            site_map = _merge_sites(db, src_scan, scan_id)
            db.execute("CREATE TEMP TABLE IF NOT EXISTS site_map (old INTEGER PRIMARY KEY, new INTEGER)")
            db.execute("DELETE FROM temp.site_map")
            db.executemany("INSERT INTO temp.site_map VALUES (?,?)", site_map.items())
            offsets = {t: db.execute(f"SELECT COALESCE(MAX(id), 0) FROM main.{t}").fetchone()[0]
                       for t in ("queue", "fetches", "pages", "findings", "archive_problems")}
            for table, refs in TABLES.items():
                if not _has_table(db, "src", table):
                    continue
                cols = [r[1] for r in db.execute(f"PRAGMA src.table_info({table})")]
                exprs = [_expr(table, c, refs, offsets, scan_id, n) for c in cols]
                db.execute(f"INSERT INTO main.{table} ({', '.join(cols)}) SELECT {', '.join(exprs)} "
                           f"FROM src.{table} AS t WHERE t.scan_id=?", (src_scan,))
            _remap_chains(db, scan_id, offsets)
            options = db.execute("SELECT options FROM src.scans WHERE id=?", (src_scan,)).fetchone()[0]
    finally:
        db.execute("DETACH DATABASE src")
    try:
        return Counter(json.loads(options or "{}").get("counts", {}))
    except (ValueError, AttributeError):
        return Counter()


def _ensure_tables(db: sqlite3.Connection) -> None:
    if not _has_table(db, "src", "scans"):
        raise StoreError("not a claimlint scan database")


def _has_table(db: sqlite3.Connection, schema: str, table: str) -> bool:
    return db.execute(f"SELECT 1 FROM {schema}.sqlite_master WHERE type='table' AND name=?",
                      (table,)).fetchone() is not None


def _expr(table: str, col: str, refs: dict, offsets: dict, scan_id: int, n: int) -> str:
    """The SELECT expression copying ``col`` of a source row into the merged scan."""
    if col == "scan_id":
        return str(int(scan_id))
    if col == "id":
        return f"t.id + {offsets[table]}"
    if col == "site_id":
        return "(SELECT new FROM temp.site_map WHERE old=t.site_id)"
    if col in refs and refs[col] != "sites":
        # 0 / NULL stay as they are (archive pages have no queue row)
        return f"CASE WHEN t.{col} > 0 THEN t.{col} + {offsets[refs[col]]} ELSE t.{col} END"
    if table == "pages" and col == "key":  # the same URL from two archive shards stays two pages
        return (f"CASE WHEN EXISTS (SELECT 1 FROM main.pages m WHERE m.scan_id={int(scan_id)} "
                f"AND m.key=t.key) "
                f"THEN t.key || '#{int(n)}' ELSE t.key END")
    return f"t.{col}"


def _merge_sites(db: sqlite3.Connection, src_scan: int, scan_id: int) -> dict[int, int]:
    """Source site id -> merged site id; one merged site per domain."""
    out = {}
    for row in db.execute("SELECT id, domain, seeds, state, reason, pages, bytes, robots FROM src.sites "
                          "WHERE scan_id=? ORDER BY id", (src_scan,)).fetchall():
        have = db.execute("SELECT id, seeds, state, reason, robots FROM main.sites "
                          "WHERE scan_id=? AND domain=?",
                          (scan_id, row[1])).fetchone()
        if have is None:
            out[row[0]] = db.execute(
                "INSERT INTO main.sites (scan_id, domain, seeds, state, reason, pages, bytes, robots) "
                "VALUES (?,?,?,?,?,?,?,?)", (scan_id, *row[1:])).lastrowid
            continue
        seeds = list(dict.fromkeys(json.loads(have[1] or "[]") + json.loads(row[2] or "[]")))
        robots = json.loads(have[4] or "{}") | json.loads(row[7] or "{}")
        state = "done" if "done" in (have[2], row[3]) else have[2]
        db.execute("UPDATE main.sites SET seeds=?, state=?, reason=COALESCE(reason, ?), pages=pages+?, "
                   "bytes=bytes+?, robots=? WHERE id=?",
                   (dumps(seeds), state, row[4], row[5], row[6], dumps(robots) if robots else None, have[0]))
        out[row[0]] = have[0]
    return out


def _remap_chains(db: sqlite3.Connection, scan_id: int, offsets: dict) -> None:
    """Redirect chains name fetch ids inside JSON: renumber those of the pages just copied."""
    rows = db.execute("SELECT id, redirect_chain FROM main.pages WHERE scan_id=? AND id>? AND "
                      "redirect_chain LIKE '%fetch_id%'", (scan_id, offsets["pages"])).fetchall()
    for page_id, chain in rows:
        hops = json.loads(chain)
        for hop in hops:
            if isinstance(hop, dict) and isinstance(hop.get("fetch_id"), int):
                hop["fetch_id"] += offsets["fetches"]
        db.execute("UPDATE main.pages SET redirect_chain=? WHERE id=?", (dumps(hops), page_id))
