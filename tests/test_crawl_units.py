"""Unit tests of the crawl building blocks: URL normalization and scope, robots.txt, sitemaps,
bounded decompression, charset order, politeness scheduling, progress output, name map, the
lint backlog and the fetch deadline watchdog."""

from __future__ import annotations

import gzip
import io
import socket
import zlib

import pytest

from claimlint.crawl import urls
from claimlint.crawl.backlog import Backlog
from claimlint.crawl.fetch import Decoder, FetchResult, TooBig, _Deadline, _note_connection
from claimlint.crawl.page import decode_page, inspect_page
from claimlint.crawl.progress import Progress, Stats
from claimlint.crawl.resolve import parse_resolve, resolving
from claimlint.crawl.robots import parse_robots, robots_from_fetch
from claimlint.crawl.scheduler import Job, Scheduler
from claimlint.crawl.sitemaps import SitemapError, parse_sitemap


@pytest.mark.parametrize(("raw", "expected"), [
    ("HTTP://WWW.Clinic.COM:80/a/../b/./c.html#top", "http://www.clinic.com/b/c.html"),
    ("https://clinic.com:443", "https://clinic.com/"),
    ("http://clinic.com:8080/x", "http://clinic.com:8080/x"),
    ("http://clinic.com/p?utm_source=a&b=2&fbclid=x&a=1&gclid=y&utm_medium=m", "http://clinic.com/p?a=1&b=2"),
    ("http://clinic.com/p;jsessionid=ABC?PHPSESSID=1&sid=2", "http://clinic.com/p"),
    ("http://clinic.com/a%20b/%7Euser", "http://clinic.com/a%20b/~user"),
    ("http://clinic.com/100%25", "http://clinic.com/100%25"),
])
def test_normalize(raw, expected):
    assert urls.normalize(raw) == expected


@pytest.mark.parametrize("bad", ["mailto:a@b.c", "javascript:void(0)", "ftp://x.com/", "http://", "x" * 3000])
def test_normalize_refuses(bad):
    with pytest.raises(urls.BadURL):
        urls.normalize(bad if bad.startswith(("m", "j", "f", "h")) else "http://a.com/" + bad)


def test_relative_links_resolve_against_base():
    assert urls.normalize("../b.html?utm_campaign=x", "http://c.com/a/d/e.html") == "http://c.com/a/b.html"


def test_registered_domain_and_scope():
    assert urls.registered_domain("www.clinic.co.uk") == "clinic.co.uk"
    assert urls.registered_domain("a.b.clinic.com") == "clinic.com"
    assert urls.registered_domain("127.0.0.1") == "127.0.0.1"
    seeds = frozenset({"clinic.com"})
    assert urls.in_scope("https://www.clinic.com/x", "clinic.com", seeds, False)
    assert not urls.in_scope("https://shop.clinic.com/x", "clinic.com", seeds, False)
    assert urls.in_scope("https://shop.clinic.com/x", "clinic.com", seeds, True)
    assert not urls.in_scope("https://clinic.com.evil.net/", "clinic.com", seeds, True)


def test_trap_patterns():
    assert urls.path_pattern("http://c.com/events/2024/05/01?page=3&x=1") == "/events/N/N/N?page&x"
    assert urls.looks_like_calendar("http://c.com/calendar?month=2024-05")
    assert urls.looks_like_calendar("http://c.com/blog/2023/11/")
    assert not urls.looks_like_calendar("http://c.com/treatments/knee.html")


ROBOTS = """User-agent: *
Disallow: /private/
Allow: /private/public*
Disallow: /*.pdf$
Disallow: /*?sort=
Crawl-delay: 0.25
Sitemap: https://c.com/sitemap_index.xml
"""


def test_robots_longest_match_and_wildcards():
    r = parse_robots(ROBOTS)
    assert not r.allowed("https://c.com/private/x.html")
    assert r.allowed("https://c.com/private/public-page.html")
    assert not r.allowed("https://c.com/files/brochure.pdf")
    assert r.allowed("https://c.com/files/brochure.pdf?download=1")  # $ anchors the end
    assert not r.allowed("https://c.com/list?sort=price")
    assert r.crawl_delay() == 0.25
    assert r.sitemaps == ["https://c.com/sitemap_index.xml"]


def test_robots_byte_order_mark_does_not_eat_the_first_line():
    r = parse_robots("\ufeffUser-agent: *\nDisallow: /secret\n")
    assert not r.allowed("http://c.com/secret/x")


def test_robots_group_for_claimlint_wins_over_star():
    r = parse_robots("User-agent: *\nDisallow: /\n\nUser-agent: claimlint\nDisallow: /drafts/\n")
    assert r.allowed("http://c.com/about") and not r.allowed("http://c.com/drafts/x")


@pytest.mark.parametrize(("status", "error", "mode"), [
    (404, None, "allow-all"), (410, None, "allow-all"), (401, None, "allow-all"),
    (500, None, "disallow-all"), (503, None, "disallow-all"), (429, None, "disallow-all"),
    (None, "connection refused", "disallow-all"),
])
def test_robots_status_rules(status, error, mode):
    result = FetchResult(url="http://c.com/robots.txt", fetched_at="", status=status, error=error)
    assert robots_from_fetch(result).mode == mode


URLSET = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
 xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
<url><loc> https://c.com/a </loc><image:image><image:loc>https://c.com/i.png</image:loc></image:image></url>
<url><loc>https://c.com/b</loc></url></urlset>"""


def test_sitemaps():
    assert parse_sitemap(URLSET) == ("urlset", ["https://c.com/a", "https://c.com/b"])
    assert parse_sitemap(gzip.compress(URLSET)) == ("urlset", ["https://c.com/a", "https://c.com/b"])
    index = b"<sitemapindex><sitemap><loc>https://c.com/s1.xml.gz</loc></sitemap></sitemapindex>"
    assert parse_sitemap(index) == ("index", ["https://c.com/s1.xml.gz"])
    assert parse_sitemap(b"https://c.com/x\nhttps://c.com/y\n") == ("urlset", ["https://c.com/x", "https://c.com/y"])


def test_sitemap_entities_are_not_expanded_and_bombs_refused():
    evil = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            b"<urlset><url><loc>&e;</loc></url></urlset>")
    assert parse_sitemap(evil) == ("urlset", [])
    with pytest.raises(SitemapError):
        parse_sitemap(gzip.compress(b" " * 2_000_000), limit=1_000_000)


def test_decoder_stops_a_decompression_bomb_early():
    bomb = gzip.compress(b"\0" * (50 << 20))
    decoder = Decoder("gzip", 1_000_000)
    with pytest.raises(TooBig) as exc:
        decoder.feed(bomb)
    assert exc.value.kind == "bomb"
    assert sum(len(c) for c in decoder.out) <= 1_000_000


@pytest.mark.parametrize("wbits", [zlib.MAX_WBITS, -zlib.MAX_WBITS])
def test_decoder_deflate_zlib_and_raw(wbits):
    z = zlib.compressobj(wbits=wbits)
    data = z.compress(b"hello " * 100) + z.flush()
    decoder = Decoder("deflate", 10_000)
    decoder.feed(data[:7])
    decoder.feed(data[7:])
    assert decoder.result() == b"hello " * 100


def test_charset_order_header_then_meta_then_detection():
    cp1252 = "<meta charset='windows-1252'><p>\u201cSafe\u201d</p>".encode("cp1252")
    assert decode_page(cp1252, "text/html").text.endswith("\u201cSafe\u201d</p>")
    # An HTTP charset wins over <meta>; iso-8859-1 means windows-1252 as in browsers.
    assert "\u201c" in decode_page(cp1252, "text/html; charset=ISO-8859-1").text
    utf8 = "<meta charset='windows-1252'><p>caf\u00e9</p>".encode()
    assert decode_page(utf8, "text/html; charset=utf-8").text.endswith("caf\u00e9</p>")
    # A wrong header that cannot decode the bytes falls through to <meta> / detection.
    assert "\u201c" in decode_page(cp1252, "text/html; charset=utf-8").text


def test_inspect_page_links_canonical_and_nofollow():
    info = inspect_page("<base href='/x/'><link rel='canonical' href='/c'><a href='a'>a</a>"
                        "<a href='mailto:x@y'>m</a><a href='#top'>t</a>"
                        "<meta name='robots' content='noindex,nofollow'>")
    assert info.links == ["a"] and info.canonical == "/c" and info.base == "/x/" and info.nofollow


def test_retry_after_seconds_and_date():
    r = FetchResult(url="u", fetched_at="", status=503, headers=[("Retry-After", "7")])
    assert r.retry_after() == 7 and r.retryable
    r.headers = [("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT")]
    assert r.retry_after() == 0.0
    assert not FetchResult(url="u", fetched_at="", status=404).retryable


def test_scheduler_one_in_flight_and_delay():
    sched = Scheduler(delay=10.0)
    for i in range(3):
        sched.add("a.test", Job(i, 1, "page", f"http://a.test/{i}", f"k{i}", 0))
    sched.add("b.test", Job(9, 2, "page", "http://b.test/", "b", 0))
    first = sched.ready(now=1e9)
    assert sorted(h.name for h, _ in first) == ["a.test", "b.test"]
    assert sched.ready(now=1e9) == []  # both busy
    host_a = first[0][0] if first[0][0].name == "a.test" else first[1][0]
    sched.release(host_a)
    assert sched.ready() == []  # delay not over
    assert [j.id for _, j in sched.ready(now=host_a.next_time + 0.01)] == [1]


def test_scheduler_counts_the_delay_from_the_end_of_the_response():
    sched = Scheduler(delay=5.0)
    for i in range(2):
        sched.add("a.test", Job(i, 1, "page", f"http://a.test/{i}", f"k{i}", 0))
    ((host, _),) = sched.ready(now=1e9)
    sched.release(host, ended=100.0)  # read to its end at 100 s; handled later by the loop
    assert host.next_time == 105.0
    assert sched.ready(now=104.9) == []
    assert [j.id for _, j in sched.ready(now=105.0)] == [1]
    sched.release(host, ended=200.0, not_before=300.0)  # a server's Retry-After still wins
    assert host.next_time == 300.0


def test_scheduler_hands_out_at_most_limit_jobs_earliest_first():
    sched = Scheduler(delay=0)
    for i, name in enumerate(("a.test", "b.test", "c.test")):
        sched.add(name, Job(i, i, "page", f"http://{name}/", name, 0, not_before=float(i)))
    assert [h.name for h, _ in sched.ready(now=10.0, limit=2)] == ["a.test", "b.test"]
    assert sched.in_flight == 2 and sched.pending == 1
    assert [h.name for h, _ in sched.ready(now=10.0, limit=2)] == ["c.test"]  # still waiting its turn


def test_robots_jobs_go_first():
    sched = Scheduler(delay=0)
    sched.add("a.test", Job(5, 1, "page", "http://a.test/", "p", 0))
    sched.add("a.test", Job(6, 1, "robots", "http://a.test/robots.txt", "r", 0))
    assert sched.ready(now=1e9)[0][1].kind == "robots"


def test_progress_log_lines_when_not_a_terminal_and_quiet():
    out = io.StringIO()
    progress = Progress(stream=out, interval=0)
    progress.update(Stats(fetched=3, sites={"done": 1}))
    progress.event("clinic.test: done")
    lines = out.getvalue().splitlines()
    assert "fetched 3" in lines[0] and "\r" not in out.getvalue() and lines[1].endswith("clinic.test: done")
    quiet = io.StringIO()
    Progress(stream=quiet, quiet=True).update(Stats(), force=True)
    assert quiet.getvalue() == ""


def test_resolve_map_is_closed_world():
    assert parse_resolve(["a.test:127.0.0.1"]) == {"a.test": "127.0.0.1"}
    with pytest.raises(ValueError):
        parse_resolve(["a.test:not-an-ip"])
    with resolving({"a.test": "127.0.0.1"}):
        assert socket.getaddrinfo("a.test", 80)[0][4][0] == "127.0.0.1"
        with pytest.raises(socket.gaierror):
            socket.getaddrinfo("unlisted.test", 80)
    assert socket.getaddrinfo is not None


def _item(page_id: int, size: int) -> tuple:
    return (page_id, f"http://a.test/{page_id}", b"x" * size, [("Content-Type", "text/html")])


def test_lint_backlog_keeps_bodies_past_its_budget_in_the_store():
    stored = {i: _item(i, 40) for i in range(10)}
    loaded = []

    def load(page_id: int):
        loaded.append(page_id)
        return None if page_id == 4 else stored[page_id]  # 4: its body cannot be read back

    backlog = Backlog(load, max_bytes=100)
    for i in range(6):
        backlog.add(stored[i])
    assert backlog.held_bytes == 80 and backlog.spilled == 4 and len(backlog) == 6
    backlog.add_stored(7)  # a resumed crawl's unlinted page
    batch = backlog.take(pages=16, max_bytes=10_000)
    assert [item[0] for item in batch] == [0, 1, 2, 3, 5, 7]  # first in, first out; 4 left out
    assert all(item[2] == b"x" * 40 for item in batch)
    assert loaded == [2, 3, 4, 5, 7]  # only the spilled pages were read back
    assert backlog.held_bytes == 0 and backlog.spilled == 0 and not backlog


def test_lint_backlog_batches_are_cut_by_pages_and_by_bytes():
    backlog = Backlog(lambda page_id: None, max_bytes=10_000)
    for i in range(5):
        backlog.add(_item(i, 300))
    assert [item[0] for item in backlog.take(pages=2)] == [0, 1]
    assert [item[0] for item in backlog.take(pages=16, max_bytes=500)] == [2, 3]  # 600 bytes >= 500
    assert [item[0] for item in backlog.take()] == [4]


def test_fetch_deadline_shuts_the_connection_of_its_own_request_only():
    class Conn:
        def __init__(self, sock: socket.socket) -> None:
            self.sock = sock

    mine, server_end = socket.socketpair()
    other, other_end = socket.socketpair()
    try:
        with _Deadline(0.05) as deadline:
            _note_connection(Conn(mine))
            assert mine.recv(10) == b""  # blocks until the watchdog shuts the socket down
        assert deadline.fired
        with _Deadline(60) as finished:
            _note_connection(Conn(other))
        assert not finished.fired
        other_end.sendall(b"ok")
        assert other.recv(10) == b"ok"  # a finished request's connection is never touched
    finally:
        for s in (mine, server_end, other, other_end):
            s.close()


@pytest.mark.parametrize("link", ["http://x.test/a?b=1", "HTTPS://X.test/", "//y.test/a", "/p1.html",
                                  "/a/../b", "p2.html", "../up.html", "?page=2", "#top", "http:g", ""])
def test_links_resolve_alike_under_bases_that_share_their_join_context(link):
    bases = ["http://b.test/c/d.html", "http://b.test/e/", "http://b.test/c/d.html?x=1#f",
             "https://b.test/c/d.html", "http://b.test:81/c/d.html", "http://other.test/c/d.html"]
    by_context: dict[str, set[str]] = {}
    for base in bases:
        try:
            key = urls.normalize(link, base)
        except urls.BadURL as exc:
            key = f"BadURL: {exc}"
        by_context.setdefault(urls.join_context(link, base), set()).add(key)
    assert all(len(keys) == 1 for keys in by_context.values()), by_context
    assert urls.join_context("/p1.html", bases[0]) == urls.join_context("/p1.html", bases[1])
