"""The scan database: one SQLite file (WAL, one transaction per step) holding scans, sites,
the frontier, every fetch with its raw body, pages and findings, so a killed crawl resumes."""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS scans (
    id INTEGER PRIMARY KEY, key TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'running',
    started_at TEXT NOT NULL, finished_at TEXT, version TEXT, command TEXT, options TEXT,
    manifest_sha256 TEXT, warc_path TEXT);
CREATE TABLE IF NOT EXISTS sites (
    id INTEGER PRIMARY KEY, scan_id INTEGER NOT NULL REFERENCES scans(id), domain TEXT NOT NULL,
    seeds TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'pending', reason TEXT,
    pages INTEGER NOT NULL DEFAULT 0, bytes INTEGER NOT NULL DEFAULT 0, robots TEXT,
    UNIQUE (scan_id, domain));
CREATE TABLE IF NOT EXISTS queue (
    id INTEGER PRIMARY KEY, scan_id INTEGER NOT NULL, site_id INTEGER NOT NULL,
    kind TEXT NOT NULL, url TEXT NOT NULL, key TEXT NOT NULL, depth INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending', reason TEXT, attempts INTEGER NOT NULL DEFAULT 0,
    not_before REAL NOT NULL DEFAULT 0, chain TEXT NOT NULL DEFAULT '[]', referrer TEXT,
    UNIQUE (scan_id, kind, key));
CREATE INDEX IF NOT EXISTS queue_pending ON queue (scan_id, state);
CREATE INDEX IF NOT EXISTS queue_site ON queue (site_id, kind, state);
CREATE TABLE IF NOT EXISTS fetches (
    id INTEGER PRIMARY KEY, scan_id INTEGER NOT NULL, site_id INTEGER NOT NULL,
    queue_id INTEGER, kind TEXT NOT NULL, url TEXT NOT NULL, fetched_at TEXT NOT NULL,
    status INTEGER, reason TEXT, http_version TEXT, request_headers TEXT, headers TEXT,
    body BLOB, body_size INTEGER NOT NULL DEFAULT 0, body_sha256 TEXT, elapsed REAL,
    error TEXT, error_kind TEXT);
CREATE INDEX IF NOT EXISTS fetches_scan ON fetches (scan_id);
CREATE INDEX IF NOT EXISTS fetches_body ON fetches (site_id, body_sha256);
CREATE TABLE IF NOT EXISTS pages (
    id INTEGER PRIMARY KEY, scan_id INTEGER NOT NULL, site_id INTEGER NOT NULL,
    queue_id INTEGER NOT NULL, key TEXT NOT NULL, url TEXT NOT NULL, requested_url TEXT NOT NULL,
    depth INTEGER NOT NULL, fetch_id INTEGER REFERENCES fetches(id), redirect_chain TEXT,
    status INTEGER, content_type TEXT, encoding TEXT, encoding_note TEXT,
    state TEXT NOT NULL, reason TEXT, lint_state TEXT NOT NULL DEFAULT 'none',
    findings INTEGER NOT NULL DEFAULT 0, UNIQUE (scan_id, key));
CREATE INDEX IF NOT EXISTS pages_lint ON pages (scan_id, lint_state);
CREATE INDEX IF NOT EXISTS pages_site ON pages (site_id, state);
CREATE INDEX IF NOT EXISTS pages_fetch ON pages (fetch_id);
CREATE TABLE IF NOT EXISTS findings (
    id INTEGER PRIMARY KEY, scan_id INTEGER NOT NULL, site_id INTEGER NOT NULL,
    page_id INTEGER NOT NULL REFERENCES pages(id), fetch_id INTEGER NOT NULL REFERENCES fetches(id),
    rule TEXT NOT NULL, category TEXT, severity TEXT NOT NULL, message TEXT, why TEXT,
    suggestion TEXT, text TEXT, sentence TEXT, line INTEGER, col INTEGER, end_line INTEGER,
    end_col INTEGER, start_offset INTEGER, end_offset INTEGER, region TEXT,
    fingerprint TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS findings_scan ON findings (scan_id, site_id);
CREATE INDEX IF NOT EXISTS findings_page ON findings (page_id);
CREATE TABLE IF NOT EXISTS archive_records (
    fetch_id INTEGER PRIMARY KEY REFERENCES fetches(id), scan_id INTEGER NOT NULL,
    warc_file TEXT NOT NULL, warc_offset INTEGER NOT NULL, warc_length INTEGER NOT NULL,
    record_id TEXT, record_type TEXT, payload_digest TEXT, capture_date TEXT, target_uri TEXT);
CREATE TABLE IF NOT EXISTS archive_problems (
    id INTEGER PRIMARY KEY, scan_id INTEGER NOT NULL, warc_file TEXT NOT NULL, warc_offset INTEGER,
    skipped_bytes INTEGER, problem TEXT NOT NULL);
"""


class StoreError(Exception):
    """A database that is not a claimlint scan database, or a scan that does not exist."""


class Store:
    """A connection to the scan database; used from one thread only."""

    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        self.path = str(path)
        if readonly:
            if not Path(self.path).is_file():
                raise StoreError(f"{self.path}: no such scan database")
            uri = f"file:{Path(self.path).resolve()}?mode=ro"
            self.db = sqlite3.connect(uri, uri=True, timeout=30)
        else:
            self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.executescript(SCHEMA)
            self.db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        self.db.row_factory = sqlite3.Row
        try:
            self.db.execute("SELECT 1 FROM scans LIMIT 1")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a claimlint scan database ({exc})") from exc

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any error: never a half-written step.
        Nested use joins the outer transaction."""
        if self.db.in_transaction:
            yield self.db
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # scans -----------------------------------------------------------------------------

    def unfinished_scan(self, key: str) -> int | None:
        row = self.db.execute("SELECT id FROM scans WHERE key=? AND status='running' "
                              "ORDER BY id DESC LIMIT 1", (key,)).fetchone()
        return row[0] if row else None

    def scan(self, scan_id: int | None = None) -> sqlite3.Row:
        """A scan by id, or the newest one."""
        if scan_id is None:
            row = self.db.execute("SELECT * FROM scans ORDER BY id DESC LIMIT 1").fetchone()
        else:
            row = self.db.execute("SELECT * FROM scans WHERE id=?", (scan_id,)).fetchone()
        if row is None:
            raise StoreError(f"{self.path}: no scan {scan_id if scan_id is not None else ''}".rstrip())
        return row

    def sites(self, scan_id: int) -> list[sqlite3.Row]:
        return self.db.execute("SELECT * FROM sites WHERE scan_id=? ORDER BY id", (scan_id,)).fetchall()

    def findings(self, scan_id: int) -> list[sqlite3.Row]:
        return self.db.execute(
            "SELECT f.*, p.url AS url, p.key AS page_key, s.domain AS domain, x.fetched_at AS "
            "fetched_at, x.body_sha256 AS body_sha256, a.warc_file, a.warc_offset, a.warc_length, "
            "a.record_id, a.payload_digest, a.capture_date, a.target_uri FROM findings f "
            "JOIN pages p ON p.id=f.page_id JOIN sites s ON s.id=f.site_id JOIN fetches x ON x.id=f.fetch_id "
            f"LEFT JOIN {self._archive_table()} a ON a.fetch_id=f.fetch_id WHERE f.scan_id=? "
            "ORDER BY f.site_id, p.url, f.line, f.col", (scan_id,)).fetchall()

    def pages(self, scan_id: int) -> list[sqlite3.Row]:
        return self.db.execute(
            "SELECT p.*, x.fetched_at AS fetched_at, x.body_sha256 AS body_sha256 FROM pages p "
            "LEFT JOIN fetches x ON x.id=p.fetch_id WHERE p.scan_id=? ORDER BY p.site_id, p.url",
            (scan_id,)).fetchall()

    def _archive_table(self) -> str:
        """``archive_records``, or an empty stand-in in a database written before it existed."""
        if self.db.execute("SELECT 1 FROM sqlite_master WHERE name='archive_records'").fetchone():
            return "archive_records"
        return ("(SELECT NULL AS fetch_id, NULL AS warc_file, NULL AS warc_offset, NULL AS warc_length, "
                "NULL AS record_id, NULL AS payload_digest, NULL AS capture_date, NULL AS target_uri)")

    def archive_problems(self, scan_id: int) -> list[sqlite3.Row]:
        """Damaged or truncated archive records skipped by ``claimlint warc``."""
        if self._archive_table() != "archive_records":
            return []
        return self.db.execute("SELECT * FROM archive_problems WHERE scan_id=? ORDER BY warc_file, "
                                "warc_offset", (scan_id,)).fetchall()

    def body(self, fetch_id: int) -> bytes:
        """The raw body of a fetch, decompressed from storage."""
        row = self.db.execute("SELECT body FROM fetches WHERE id=?", (fetch_id,)).fetchone()
        return zlib.decompress(row[0]) if row and row[0] is not None else b""


def dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
