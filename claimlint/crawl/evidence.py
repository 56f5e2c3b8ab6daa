"""Evidence files for a scan: a SHA-256 manifest of every captured body, and a standard WARC
(warcinfo, request and response records with SHA-256 digests) written from the store, so it is
complete even for a crawl that was killed and resumed."""

from __future__ import annotations

import hashlib
import json
import zlib
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

from claimlint import __version__
from claimlint.crawl.store import Store

# Bodies are stored de-chunked; a replay tool must not try to de-chunk them again.
_HOP_BY_HOP = {"transfer-encoding"}


def default_manifest_path(db_path: str, scan_id: int) -> Path:
    db = Path(db_path)
    return db.with_name(f"{db.stem}-scan{scan_id}.sha256")


def write_manifest(store: Store, scan_id: int, path: Path) -> str:
    """Write ``sha256  bytes  fetched_at  status  url`` for every fetch that got a response;
    returns the manifest's own SHA-256, which is also stored with the scan."""
    scan = store.scan(scan_id)
    lines = [f"# claimlint {__version__} evidence manifest for scan {scan_id} "
             f"(started {scan['started_at']}, database {Path(store.path).name})",
             "# sha256 of the raw body as received  bytes  fetched_at (UTC)  status  url"]
    for row in store.db.execute("SELECT body_sha256, body_size, fetched_at, status, url FROM fetches "
                                "WHERE scan_id=? AND status IS NOT NULL ORDER BY id", (scan_id,)):
        lines.append(f"{row[0]}  {row[1]}  {row[2]}  {row[3]}  {row[4]}")
    data = ("\n".join(lines) + "\n").encode("utf-8")
    path.write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    with store.transaction():
        store.db.execute("UPDATE scans SET manifest_sha256=? WHERE id=?", (digest, scan_id))
    return digest


def verify_bodies(store: Store, scan_id: int) -> list[str]:
    """Fetch ids whose stored body no longer matches its recorded SHA-256 (empty: all intact)."""
    bad = []
    for row in store.db.execute("SELECT id, body, body_sha256 FROM fetches WHERE scan_id=? AND "
                                "status IS NOT NULL", (scan_id,)):
        body = zlib.decompress(row[1]) if row[1] is not None else b""
        if hashlib.sha256(body).hexdigest() != row[2]:
            bad.append(str(row[0]))
    return bad


class _Sha256WARCWriter(WARCWriter):
    """warcio's writer with SHA-256 instead of SHA-1 block and payload digests."""

    def _create_digester(self):  # noqa: ANN202
        return Digester("sha256")


def write_warc(store: Store, scan_id: int, path: Path, command: str) -> int:
    """Write the scan's fetches as a gzipped WARC 1.1 file; returns the number of responses."""
    count = 0
    with open(path, "wb") as fh:
        writer = _Sha256WARCWriter(fh, gzip=True, warc_version="1.1")
        info = {"software": f"claimlint/{__version__}", "format": "WARC File Format 1.1",
                "command": command, "claimlint-scan": str(scan_id),
                "description": "Pages captured by claimlint crawl as evidence of marketing claims"}
        writer.write_record(writer.create_warcinfo_record(path.name, info))
        rows = store.db.execute("SELECT * FROM fetches WHERE scan_id=? AND status IS NOT NULL ORDER BY id",
                                (scan_id,))
        for row in rows:
            _write_exchange(writer, row)
            count += 1
    return count


def _write_exchange(writer: WARCWriter, row) -> None:  # noqa: ANN001
    url, date = row["url"], row["fetched_at"]
    body = zlib.decompress(row["body"]) if row["body"] is not None else b""
    headers = [(k, v) for k, v in json.loads(row["headers"] or "[]")]
    headers = [(f"X-Archive-Orig-{k}" if k.lower() in _HOP_BY_HOP else k, v) for k, v in headers]
    status = StatusAndHeaders(f"{row['status']} {row['reason'] or ''}".strip(), headers,
                              protocol=row["http_version"] or "HTTP/1.1")
    response = writer.create_warc_record(url, "response", payload=BytesIO(body), http_headers=status,
                                         warc_headers_dict={"WARC-Date": date})
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    req_headers = [(k, v) for k, v in json.loads(row["request_headers"] or "[]")]
    request = writer.create_warc_record(
        url, "request", payload=BytesIO(b""), warc_headers_dict={"WARC-Date": date},
        http_headers=StatusAndHeaders(f"GET {target} HTTP/1.1", req_headers, is_http_request=True))
    request.rec_headers.add_header("WARC-Concurrent-To", response.rec_headers.get_header("WARC-Record-ID"))
    writer.write_record(response)
    writer.write_record(request)
