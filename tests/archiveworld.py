"""Web archives for the WARC tests, made at test time: warcio's ``capture_http`` records real
HTTP exchanges with the fixture sites served on 127.0.0.1 (our own copy), a WET file holds text
conversions of the same pages, and a range server (127.0.0.1 only) answers HTTP Range requests
for archive files, optionally holding chosen ranges until the test releases them, or failing
them a given number of times first."""

from __future__ import annotations

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path

import lxml.html
import requests
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from claimlint.crawl.resolve import resolving
from tests.test_crawl_world import load_server_module as fixture_server_module

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["/", "/treatments.html", "/about.html", "/team.html", "/brochure.pdf", "/no-such-page.html",
         "/legacy.html"]


def archive_sites() -> dict:
    srv = fixture_server_module()
    pages = srv.StaticSite("clinic-a")
    pages.root = (ROOT / "fixtures" / "pages").resolve()
    return {"clinic-a.test": srv.StaticSite("clinic-a"), "clinic-d.test": srv.StaticSite("clinic-d"),
            "clinic-e.test": srv.StaticSite("clinic-e"), "pages.test": pages}


def archive_urls(port: int) -> list[str]:
    urls = [f"http://clinic-a.test:{port}{p}" for p in PAGES]
    urls += [f"http://clinic-d.test:{port}/page.html", f"http://clinic-e.test:{port}/a.html"]
    urls += [f"http://pages.test:{port}/{name}" for name in
             ("aggressive-landing.html", "offshore-clinic.html", "promo-no-risks.html",
              "promo-with-risks.html", "regulator-quote.html")]
    return urls


def capture_archive(path: Path) -> list[str]:
    """A gzipped WARC (response + request records, warcio's writer) of the fixture pages
    fetched over real HTTP from the fixture server on 127.0.0.1."""
    srv = fixture_server_module()
    server = srv.FixtureServer(archive_sites()).start()
    urls = archive_urls(server.port)
    try:
        with resolving({name: "127.0.0.1" for name in archive_sites()}), open(path, "wb") as fh, \
                requests.Session() as session:
            writer = WARCWriter(fh, gzip=True)
            writer.write_record(writer.create_warcinfo_record(path.name, {"software": "claimlint tests"}))
            for url in urls:
                resp = session.get(url, timeout=10)
                http = StatusAndHeaders(f"{resp.status_code} {resp.reason}", list(resp.raw.headers.items()),
                                        protocol="HTTP/1.1")
                record = writer.create_warc_record(url, "response", payload=BytesIO(resp.content),
                                                   http_headers=http)
                request = writer.create_warc_record(
                    url, "request", payload=BytesIO(b""),
                    http_headers=StatusAndHeaders(f"GET {resp.request.path_url} HTTP/1.1",
                                                  list(resp.request.headers.items()), is_http_request=True))
                writer.write_record(record)
                writer.write_record(request)
    finally:
        server.stop()
    return urls


def write_wet(warc: Path, wet: Path) -> int:
    """WET-style text conversions (``conversion`` records, text/plain) of the WARC's HTML responses."""
    from warcio.archiveiterator import ArchiveIterator

    count = 0
    with open(warc, "rb") as src, open(wet, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        writer.write_record(writer.create_warcinfo_record(wet.name, {"software": "claimlint tests"}))
        for record in ArchiveIterator(src):
            ctype = record.http_headers.get_header("Content-Type") if record.http_headers else ""
            if record.rec_type != "response" or "html" not in (ctype or ""):
                continue
            if record.http_headers.get_statuscode() != "200":
                continue
            page = lxml.html.fromstring(record.content_stream().read())
            for node in page.xpath("//script|//style"):
                node.drop_tree()
            text = "\n".join(page.itertext())
            text = re.sub(r"\n\s*\n+", "\n\n", text).strip()
            uri = record.rec_headers.get_header("WARC-Target-URI")
            conv = writer.create_warc_record(uri, "conversion", payload=BytesIO(text.encode("utf-8")),
                                             warc_content_type="text/plain", length=len(text.encode()))
            conv.rec_headers.add_header("WARC-Refers-To", record.rec_headers.get_header("WARC-Record-ID"))
            writer.write_record(conv)
            count += 1
    return count


class RangeServer:
    """Static files from ``root`` on 127.0.0.1 with HTTP Range support. ``hold(offset)`` makes a
    request starting at that offset wait (``arrived`` is set) until ``release()``."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.requests: list[tuple[str, str | None]] = []
        self.held: set[int] = set()
        self.failures: dict[int, list[int]] = {}  # offset -> statuses to answer before the data
        self.arrived = threading.Event()
        self.released = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # noqa: ANN002
                pass

            def do_GET(self) -> None:  # noqa: N802
                rng = self.headers.get("Range")
                server.requests.append((self.path, rng))
                target = (server.root / self.path.lstrip("/")).resolve()
                if server.root not in target.parents or not target.is_file():
                    self._send(404, b"not found")
                    return
                data = target.read_bytes()
                m = re.fullmatch(r"bytes=(\d+)-(\d+)", rng or "")
                if not m:
                    self._send(200, data)
                    return
                start, end = int(m.group(1)), int(m.group(2))
                if server.failures.get(start):
                    self._send(server.failures[start].pop(0), b"busy, try again")
                    return
                if start in server.held and not server.released.is_set():
                    server.arrived.set()
                    server.released.wait(120)
                self._send(206, data[start:end + 1],
                           {"Content-Range": f"bytes {start}-{min(end, len(data) - 1)}/{len(data)}"})

            def _send(self, status: int, body: bytes, headers: dict | None = None) -> None:
                try:
                    self.send_response(status)
                    for k, v in (headers or {}).items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    def hold(self, offset: int) -> None:
        self.held.add(offset)

    def release(self) -> None:
        self.released.set()

    def stop(self) -> None:
        self.release()
        self.httpd.shutdown()
        self.httpd.server_close()
