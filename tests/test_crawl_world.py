"""One crawl of the hand-written fixture sites (fixtures/sites/) over real HTTP on 127.0.0.1,
then assertions on what the server saw (its own request log) and what the store holds.

Host names like ``clinic-a.test`` reach the local server through the crawler's ``--resolve``
map (``claimlint.crawl.resolve``); names not in the map fail as DNS errors without any query
leaving the machine. That is how the "DNS failure" site is produced.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import io
import json
import re
import sys
import zlib
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from claimlint.crawl.crawler import Crawler, CrawlOptions
from claimlint.crawl.evidence import verify_bodies, write_manifest, write_warc
from claimlint.crawl.lintpool import init_worker
from claimlint.crawl.report import collect, render_csv, render_html, render_json
from claimlint.crawl.resolve import resolving
from claimlint.crawl.store import Store

ROOT = Path(__file__).resolve().parents[1]
DELAY = 0.1
CRAWL_DELAY_A = 0.15  # fixtures/sites/clinic-a/robots.txt
CALENDAR_CAP = 5


def load_server_module():
    """fixtures/sites/server.py (not a package: loaded by path)."""
    name = "claimlint_fixture_server"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "fixtures" / "sites" / "server.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


srv = load_server_module()


@pytest.fixture(scope="module")
def lint_pool():
    """Linting in a thread of this process: the engine is built once for the whole module."""
    pool = ThreadPoolExecutor(max_workers=1, initializer=init_worker, initargs=(None,))
    yield pool
    pool.shutdown()


def run_crawl(db: Path, seeds: list[str], names: dict, pool, **overrides) -> tuple[Store, int]:
    settings = {"delay": DELAY, "timeout": 1.0, "retries": 1, "backoff": 0.05, "max_page_bytes": 1_000_000,
                "max_depth": 20, "calendar_cap": CALENDAR_CAP, "workers": 8,
                "contact": "mailto:investigator@example.org"}
    options = CrawlOptions(**{**settings, **overrides})
    store = Store(db)
    with resolving(names):
        scan_id = Crawler(store, seeds, options, lint_pool=pool, command="claimlint crawl (test)").run()
    return store, scan_id


@pytest.fixture(scope="module")
def world(tmp_path_factory, lint_pool):
    server = srv.FixtureServer(srv.fixture_sites()).start()
    port = server.port
    refused_port = srv.free_port()
    seeds = [f"http://clinic-a.test:{port}/", f"http://clinic-b.test:{port}/",
             f"http://clinic-c.test:{port}/", f"http://clinic-d.test:{port}/",
             f"http://clinic-e.test:{port}/", f"https://tls.test:{port}/",
             f"http://refused.test:{refused_port}/", f"http://nxdomain.test:{port}/"]
    names = {name: "127.0.0.1" for name in srv.fixture_sites()} | {"refused.test": "127.0.0.1"}
    db = tmp_path_factory.mktemp("world") / "scan.db"
    store, scan_id = run_crawl(db, seeds, names, lint_pool)
    server.stop()
    yield {"server": server, "store": store, "scan": scan_id, "port": port, "db": db}
    store.close()


def paths(world, host: str) -> list[str]:
    return [h.path for h in world["server"].hits(host)]


def page(world, suffix: str):
    rows = world["store"].db.execute("SELECT * FROM pages WHERE url LIKE ?", (f"%{suffix}",)).fetchall()
    assert len(rows) == 1, (suffix, [dict(r) for r in rows])
    return rows[0]


# robots.txt -------------------------------------------------------------------------------

def test_disallowed_urls_are_never_requested(world):
    a = paths(world, "clinic-a.test")
    assert "/private/secret.html" not in a
    assert not any("print=" in p for p in a)  # Disallow: /*?print=
    assert "/report.cgi" not in a  # Disallow: /*.cgi$
    assert "/private/public-page.html" in a  # the longer Allow wins
    assert paths(world, "clinic-b.test") == ["/robots.txt"]  # disallowed for claimlint only
    assert "/secret.html" not in paths(world, "clinic-d.test")  # robots.txt starts with a BOM
    assert page(world, "/private/secret.html")["reason"] == "disallowed by robots.txt"


def test_robots_5xx_disallows_everything_and_4xx_allows_everything(world):
    assert set(paths(world, "clinic-c.test")) == {"/robots.txt"}
    sites = {s["domain"]: s for s in world["store"].sites(world["scan"])}
    assert "HTTP 500" in sites["clinic-c.test"]["reason"]
    assert sites["clinic-c.test"]["state"] == "failed"
    assert "/a.html" in paths(world, "clinic-e.test")  # no robots.txt (404): all allowed
    assert sites["clinic-e.test"]["state"] == "done"


def test_user_agent_names_claimlint_version_and_contact(world):
    agents = {h.user_agent for h in world["server"].hits()}
    assert len(agents) == 1
    agent = agents.pop()
    assert agent.startswith("claimlint/") and "mailto:investigator@example.org" in agent


# politeness -------------------------------------------------------------------------------

# These compare the server's own clock readings in an order that cause and effect fix (a
# response's ``end`` is taken before its headers are sent, so the client cannot have received
# any of it earlier, even when it acts on the headers alone): they hold however slowly a
# loaded machine runs the threads.

def answered(world, host: str) -> list:
    """The host's requests whose response the crawler waited for (not the slow page it
    abandons on its read timeout while the server still sleeps)."""
    return [h for h in world["server"].hits(host) if h.path != "/slow.html"]


def test_per_host_delay_and_crawl_delay_are_respected(world):
    for host in ("clinic-a.test", "www.clinic-a.test", "clinic-c.test", "clinic-d.test", "clinic-e.test"):
        hits = world["server"].hits(host)
        assert len(hits) >= 2, host
        wanted = CRAWL_DELAY_A if "clinic-a" in host else DELAY
        for before, after in zip(hits, hits[1:]):
            if before.path != "/slow.html":  # counted from the end of the previous response
                assert after.time - before.end >= wanted - 1e-9, (host, before, after)


def test_one_request_at_a_time_per_host(world):
    hits = answered(world, "clinic-a.test")
    for before, after in zip(hits, hits[1:]):
        assert after.time >= before.end, (before, after)


def test_hosts_are_crawled_concurrently(world):
    """Each host's crawl began before the others' ended: their crawls overlap (a crawl of
    one host after another would have each begin after the previous one's last request)."""
    spans = {h: (world["server"].hits(h)[0].time, world["server"].hits(h)[-1].time)
             for h in ("clinic-a.test", "clinic-d.test", "clinic-e.test")}
    for x, (x_first, _) in spans.items():
        for y, (_, y_last) in spans.items():
            assert x == y or x_first < y_last, (x, y, spans)


# frontier ---------------------------------------------------------------------------------

def test_sitemap_index_and_gzip_sitemap_seed_the_crawl(world):
    a = paths(world, "clinic-a.test")
    assert "/sitemap_index.xml" in a and "/sitemap-pages.xml.gz" in a and "/sitemap-blog.xml" in a
    assert page(world, "/orphan.html")["state"] == "ok"  # linked from nowhere, only in the .gz sitemap
    assert page(world, "/blog/post-1.html")["state"] == "ok"


def test_tracking_parameters_fragments_and_session_ids_never_cause_refetches(world):
    a = Counter(paths(world, "clinic-a.test"))
    assert a["/about.html"] == 1  # also linked with utm_*, fbclid and #team, and via the sitemap
    assert a["/contact.html"] == 1  # also ;jsessionid= and ?sid=
    assert a["/treatments.html"] == 1
    retried = {"/busy.html", "/slow.html"}
    assert all(n == 1 for p, n in a.items() if p not in retried), a
    db = world["store"].db
    keys = [r[0] for r in db.execute("SELECT key FROM pages WHERE scan_id=?", (world["scan"],))]
    assert len(keys) == len(set(keys))


def test_rel_canonical_marks_duplicates(world):
    row = page(world, "/treatments-print.html")
    assert row["state"] == "duplicate" and "rel=canonical" in row["reason"]


def test_scope_is_the_registered_domain(world):
    assert "/team.html" in paths(world, "www.clinic-a.test")
    assert paths(world, "shop.clinic-a.test") == []  # other subdomains need --subdomains
    assert paths(world, "elsewhere.test") == []


def test_calendar_trap_is_capped(world):
    calendar = [p for p in paths(world, "clinic-a.test") if p.startswith("/calendar")]
    assert 1 <= len(calendar) <= CALENDAR_CAP
    db = world["store"].db
    skipped = db.execute("SELECT COUNT(*) FROM queue WHERE reason LIKE 'crawl-trap%'").fetchone()[0]
    assert skipped >= 1


# redirects and retries --------------------------------------------------------------------

def test_redirect_is_followed_and_every_hop_kept(world):
    new = page(world, "/new-page.html")
    assert new["state"] == "ok" and new["requested_url"].endswith("/old-page")
    chain = json.loads(new["redirect_chain"])
    assert [h["status"] for h in chain] == [301, 200]
    hop = world["store"].db.execute("SELECT * FROM fetches WHERE id=?", (chain[0]["fetch_id"],)).fetchone()
    assert hop["status"] == 301 and ["Location", "/new-page.html"] in json.loads(hop["headers"])


def test_redirect_loop_stops(world):
    a = Counter(paths(world, "clinic-a.test"))
    assert a["/loop-a"] == 1 and a["/loop-b"] == 1
    assert "redirect loop" in page(world, "/loop-b")["reason"]


def test_503_with_retry_after_is_retried_later_and_succeeds(world):
    times = [h.time for h in world["server"].hits("clinic-a.test") if h.path == "/busy.html"]
    assert len(times) == 2 and times[1] - times[0] >= 1.0  # Retry-After: 1
    row = page(world, "/busy.html")
    assert row["state"] == "ok" and row["findings"] >= 1
    statuses = [r[0] for r in world["store"].db.execute(
        "SELECT status FROM fetches WHERE url LIKE '%/busy.html' ORDER BY id")]
    assert statuses == [503, 200]


# hostile pages ----------------------------------------------------------------------------

@pytest.mark.parametrize(("suffix", "state", "reason"), [
    ("/slow.html", "error", "timed out"),
    ("/huge.html", "error", "over the limit"),
    ("/bomb.html", "error", "decompression bomb"),
    ("/brochure.pdf", "skipped", "not HTML (application/pdf)"),
    ("/gone", "error", "HTTP 410"),
    ("/missing.html", "error", "HTTP 404"),
    ("/empty.html", "empty", "empty page"),
    ("/garbage.html", "error", "cannot decode"),
])
def test_bad_pages_are_recorded_with_their_reason(world, suffix, state, reason):
    row = page(world, suffix)
    assert row["state"] == state and reason in row["reason"]


def test_broken_markup_is_still_checked(world):
    assert page(world, "/broken.html")["findings"] >= 1


def test_windows_1252_declared_only_in_meta(world):
    row = page(world, "/legacy.html")
    assert row["encoding"] == "cp1252"
    db = world["store"].db
    sentences = [r[0] for r in db.execute("SELECT sentence FROM findings WHERE page_id=?", (row["id"],))]
    assert any("\u201cit\u2019s a miracle\u201d \u2013 our therapy" in s for s in sentences), sentences


@pytest.mark.parametrize(("domain", "reason"), [
    ("refused.test", "connection refused"),
    ("nxdomain.test", "DNS lookup failed"),
    ("tls.test", "TLS error"),
])
def test_unreachable_sites_are_recorded_and_the_scan_goes_on(world, domain, reason):
    sites = {s["domain"]: s for s in world["store"].sites(world["scan"])}
    assert sites[domain]["state"] == "failed" and reason in sites[domain]["reason"]
    assert world["store"].scan(world["scan"])["status"] == "finished"


# findings and evidence --------------------------------------------------------------------

def test_findings_carry_their_page_region(world):
    home = page(world, f"clinic-a.test:{world['port']}/")
    regions = {r[0] for r in world["store"].db.execute("SELECT region FROM findings WHERE page_id=?",
                                                         (home["id"],))}
    assert {"header", "main", "footer"} <= regions


def test_every_fetch_keeps_verifiable_evidence(world):
    store, scan = world["store"], world["scan"]
    assert verify_bodies(store, scan) == []
    for f in store.findings(scan):
        fetch = store.db.execute("SELECT * FROM fetches WHERE id=?", (f["fetch_id"],)).fetchone()
        body = zlib.decompress(fetch["body"])
        assert hashlib.sha256(body).hexdigest() == fetch["body_sha256"] == f["body_sha256"]
        assert fetch["fetched_at"].endswith("Z") and fetch["status"] == 200
        first_word = re.match(r"\w+", f["text"]).group()  # ASCII letters: same bytes in any charset
        assert first_word.encode() in body or f["rule"].startswith("DISCLOSURE")
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_manifest_and_warc(world, tmp_path):
    from warcio.archiveiterator import ArchiveIterator

    store, scan = world["store"], world["scan"]
    manifest = tmp_path / "scan.sha256"
    digest = write_manifest(store, scan, manifest)
    assert hashlib.sha256(manifest.read_bytes()).hexdigest() == digest
    responses = store.db.execute("SELECT COUNT(*) FROM fetches WHERE scan_id=? AND status IS NOT NULL",
                                 (scan,)).fetchone()[0]
    lines = [ln for ln in manifest.read_text().splitlines() if not ln.startswith("#")]
    assert len(lines) == responses
    warc = tmp_path / "scan.warc.gz"
    assert write_warc(store, scan, warc, "claimlint crawl --warc scan.warc.gz") == responses
    kinds, info = Counter(), b""
    with open(warc, "rb") as fh:
        for record in ArchiveIterator(fh, check_digests="raise"):  # raises on a digest mismatch
            kinds[record.rec_type] += 1
            content = record.content_stream().read()
            if record.rec_type == "warcinfo":
                info = content
    assert kinds == {"warcinfo": 1, "response": responses, "request": responses}
    assert b"software: claimlint/" in info and b"command: claimlint crawl --warc" in info


def test_reports(world):
    data = collect(world["store"], world["scan"])
    ranked = [s["domain"] for s in data["sites"]]
    assert ranked[0] == "clinic-a.test"
    assert [s["rank"] for s in data["sites"]] == list(range(1, len(ranked) + 1))
    scores = [s["score"] for s in data["sites"]]
    assert scores == sorted(scores, reverse=True)
    html = render_html(data)
    assert "<mark>" in html and "clinic-a.test" in html and "connection refused" in html
    assert "<script" not in html and "src=" not in html and "stylesheet" not in html
    assert json.loads(render_json(data))["summary"]["findings"] == data["summary"]["findings"]
    rows = list(csv.DictReader(io.StringIO(render_csv(data))))
    assert sum(r["kind"] == "finding" for r in rows) == data["summary"]["findings"]
    assert any(r["kind"] == "problem" and "robots" in r["reason"] for r in rows)


# diff ---------------------------------------------------------------------------------------

class MutableSite:
    """A one-page site whose text the test changes between two scans."""

    def __init__(self) -> None:
        self.text = ""

    def reply(self, path, query, origin, port):  # noqa: ANN001, ANN201
        if path != "/":
            return srv.Reply(404, b"", "text/plain")
        return srv.Reply(200, f"<html><body><main>{self.text}</main></body></html>".encode(),
                         "text/html; charset=utf-8")


def test_diff_new_resolved_unchanged(tmp_path, lint_pool):
    from claimlint.crawl.diff import diff_scans, open_scan, render_text

    site = MutableSite()
    server = srv.FixtureServer({"clinic-m.test": site}).start()
    seeds = [f"http://clinic-m.test:{server.port}/"]
    names = {"clinic-m.test": "127.0.0.1"}
    db = tmp_path / "diff.db"
    try:
        site.text = "<p>Guaranteed results.</p><p>This treatment has no side effects.</p>"
        store, first = run_crawl(db, seeds, names, lint_pool, sitemaps=False)
        store.close()
        site.text = ("<h2>News</h2><p>This treatment has no side effects.</p>"
                     "<p>Our therapy is 100% safe.</p>")
        store, second = run_crawl(db, seeds, names, lint_pool, sitemaps=False)
        store.close()
    finally:
        server.stop()
    assert second == first + 1
    result = diff_scans(open_scan(str(first), str(db)), open_scan(f"{db}:{second}", str(db)))
    (entry,) = result["sites"]
    rules = {k: sorted(f["rule"] for f in entry[k]) for k in ("new", "resolved", "unchanged")}
    assert rules["unchanged"] == ["SAFETY.no-side-effects"]  # moved down the page: same claim
    assert "SAFETY.no-risk" in rules["new"]
    assert "GUARANTEE.guaranteed-results" in rules["resolved"]
    assert "clinic-m.test: " in render_text(result)


# limits -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("limit", "check"), [
    ({"max_pages": 4}, lambda pages, site: len(pages) == 4),
    ({"max_depth": 2}, lambda pages, site: max(p["depth"] for p in pages) == 2 and len(pages) == 5),
    ({"max_site_bytes": 1500}, lambda pages, site: 1 <= len(pages) < 6 and "byte limit" in site["reason"]),
])
def test_site_limits(tmp_path, lint_pool, limit, check):
    server = srv.FixtureServer({"gen.test": srv.GeneratedSite(12)}).start()
    try:
        store, scan = run_crawl(tmp_path / "limits.db", [f"http://gen.test:{server.port}/"],
                                {"gen.test": "127.0.0.1"}, lint_pool, **{"delay": 0.02, **limit})
    finally:
        server.stop()
    pages = [p for p in store.pages(scan) if p["state"] == "ok"]
    (site,) = store.sites(scan)
    assert check(pages, site), ([dict(p) for p in pages], dict(site))
    fetched = {h.path for h in server.hits("gen.test")} - {"/robots.txt", "/sitemap.xml"}
    assert len(fetched) == len(pages)
    store.close()


def test_pages_past_the_lint_backlog_budget_are_linted_from_the_store(tmp_path, lint_pool, monkeypatch):
    """With no memory budget for waiting pages, every page is queued for linting by its id and
    its body read back from the database: the findings are those of an ordinary crawl."""
    read_back = []
    stored_item = Crawler._stored_lint_item
    monkeypatch.setattr(Crawler, "_stored_lint_item",
                        lambda self, page_id: read_back.append(page_id) or stored_item(self, page_id))
    server = srv.FixtureServer({"gen.test": srv.GeneratedSite(12, 2)}).start()
    try:
        runs = {}
        for budget in (0, 64_000_000):
            store, scan = run_crawl(tmp_path / f"backlog-{budget}.db", [f"http://gen.test:{server.port}/"],
                                    {"gen.test": "127.0.0.1"}, lint_pool, delay=0.01,
                                    lint_backlog_bytes=budget)
            pages = store.pages(scan)
            assert {p["lint_state"] for p in pages if p["state"] == "ok"} == {"done"}
            runs[budget] = sorted((f["page_key"], f["rule"], f["line"], f["col"], f["fingerprint"])
                                  for f in store.findings(scan))
            if budget == 0:
                assert sorted(read_back) == sorted(p["id"] for p in pages if p["state"] == "ok")
                read_back.clear()
            store.close()
    finally:
        server.stop()
    assert read_back == []  # within the budget no body is read back
    assert runs[0] == runs[64_000_000] and len({f[0] for f in runs[0]}) == 6  # every other page claims


def test_subdomains_flag_widens_scope(tmp_path, lint_pool):
    server = srv.FixtureServer(srv.fixture_sites()).start()
    try:
        store, scan = run_crawl(tmp_path / "sub.db", [f"http://clinic-a.test:{server.port}/"],
                                dict.fromkeys(srv.fixture_sites(), "127.0.0.1"), lint_pool,
                                subdomains=True, max_pages=3, sitemaps=False, delay=0.02)
        store.close()
    finally:
        server.stop()
    assert "/robots.txt" in [h.path for h in server.hits("shop.clinic-a.test")]
    assert server.hits("elsewhere.test") == []


def test_report_and_diff_commands(world, tmp_path):
    from click.testing import CliRunner

    from claimlint.cli import main

    runner = CliRunner()
    out = tmp_path / "report.html"
    result = runner.invoke(main, ["report", str(world["db"]), "--format", "html", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "<mark>" in out.read_text(encoding="utf-8")
    result = runner.invoke(main, ["report", str(world["db"]), "--format", "json"])
    assert json.loads(result.output)["sites"][0]["domain"] == "clinic-a.test"
    db = str(world["db"])
    result = runner.invoke(main, ["diff", f"{db}:{world['scan']}", db, "--summary"])
    assert result.exit_code == 0 and "clinic-a.test: 0 new, 0 resolved" in result.output
    assert runner.invoke(main, ["report", str(tmp_path / "missing.db")]).exit_code == 2
    assert runner.invoke(main, ["crawl", "--db", str(tmp_path / "x.db")]).exit_code == 2
    assert runner.invoke(main, ["crawl", "ftp://x.test/", "--db", str(tmp_path / "x.db")]).exit_code == 2
