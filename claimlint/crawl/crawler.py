"""The crawl loop: seeds and sitemaps into the frontier, fetches on a thread pool under the
politeness scheduler, every outcome written to the store in one transaction, pages linted in a
process pool as they arrive. A killed crawl restarts from the store where it stopped."""

from __future__ import annotations

import hashlib
import json
import queue
import time
import zlib
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from urllib.parse import urljoin

from claimlint import __version__
from claimlint.config import Config
from claimlint.crawl import urls
from claimlint.crawl.backlog import BATCH_PAGES, MAX_HELD_BYTES, Backlog
from claimlint.crawl.fetch import HTML_TYPES, Decoder, Fetcher, FetchResult, TooBig, utc_now
from claimlint.crawl.page import PageInfo, decode_page, inspect_page, looks_like_html
from claimlint.crawl.progress import Progress, Stats
from claimlint.crawl.robots import Robots, robots_from_fetch
from claimlint.crawl.scheduler import Host, Job, Scheduler
from claimlint.crawl.sitemaps import SitemapError, parse_sitemap
from claimlint.crawl.store import Store, dumps
from claimlint.decoding import DecodeError
from claimlint.findings import normalize_claim

MAX_SITEMAPS_PER_SITE = 50
ROBOTS_REDIRECTS = 5  # RFC 9309: follow at least five
FRONTIER_PER_PAGE = 4  # URLs kept in the frontier per page a site may have crawled
LINK_MEMO = 20_000  # normalized links remembered per site being crawled


@dataclass
class CrawlOptions:
    """Limits and politeness settings; the defaults suit a crawl of real clinic sites."""

    delay: float = 1.0
    max_pages: int = 500
    max_depth: int = 5
    max_site_bytes: int = 100_000_000
    max_page_bytes: int = 5_000_000
    timeout: float = 15.0
    retries: int = 3
    backoff: float = 2.0
    max_retry_after: float = 300.0
    max_redirects: int = 5
    max_crawl_delay: float = 60.0
    subdomains: bool = False
    sitemaps: bool = True
    workers: int = 32
    lint_workers: int = 1
    lint_backlog_bytes: int = MAX_HELD_BYTES  # bodies held in memory while the lint pool is behind
    pattern_cap: int = 100
    calendar_cap: int = 12
    query_cap: int = 30
    contact: str = ""
    verify_tls: bool = True

    def user_agent(self) -> str:
        contact = f"; +{self.contact}" if self.contact else ""
        return f"claimlint/{__version__} (compliance crawler{contact})"


@dataclass
class Site:
    """A site being crawled: its scope and its running counts (rebuilt on resume)."""

    id: int
    domain: str
    seed_hosts: frozenset[str]
    state: str = "pending"
    pages: int = 0
    bytes: int = 0
    outstanding: int = 0  # queue rows not yet finished
    sitemaps: int = 0
    urls: int = 0  # page URLs in the frontier, whatever their state
    patterns: Counter = field(default_factory=Counter)
    queries: Counter = field(default_factory=Counter)
    stop_reason: str | None = None
    # While the site is crawled: links already normalized ((href, join context) -> key, or
    # None when off site or not crawlable) and (kind, key) already in the frontier, so a
    # navigation menu on every page costs one normalization and one INSERT, not one per page.
    links: dict[tuple[str, str], str | None] = field(default_factory=dict)
    known: set[tuple[str, str]] = field(default_factory=set)


@dataclass
class Outcome:
    """What a fetch thread hands back: the job, its responses, and for pages the decoded text."""

    job: Job
    host: Host
    results: list[FetchResult]
    text: str | None = None
    encoding: str | None = None
    encoding_note: str | None = None
    decode_error: str | None = None
    info: PageInfo | None = None
    fetch_time: float = 0.0  # seconds in the fetch thread: requests, then reading the page
    parse_time: float = 0.0
    packed: list[tuple[bytes | None, str | None]] = field(default_factory=list)  # per result:
    # its body compressed for the store and its SHA-256, computed on the fetch thread


def scan_key(seeds: list[str]) -> str:
    """Identity of a crawl command: its sorted seed URLs (same seeds -> resume)."""
    return hashlib.sha256("\n".join(sorted(set(seeds))).encode()).hexdigest()[:24]


def site_seed(url: str) -> str:
    """A sites-file entry as a URL: bare domains get https://."""
    url = url.strip()
    return url if "://" in url else f"https://{url}/"


class Crawler:
    """Runs one scan (new or resumed) to the end; see ``run``."""

    def __init__(self, store: Store, seeds: list[str], options: CrawlOptions, *,
                 config: Config | None = None, lint_pool=None, progress: Progress | None = None,  # noqa: ANN001
                 command: str = "", new_scan: bool = False) -> None:
        self.store, self.options, self.config = store, options, config
        self.seeds, self.bad_seeds = [], []
        for seed in seeds:
            try:
                self.seeds.append(urls.normalize(site_seed(seed)))
            except urls.BadURL as exc:
                self.bad_seeds.append((seed, str(exc)))
        if not self.seeds:
            raise urls.BadURL("no usable site URL" + (f" ({self.bad_seeds[0][1]})" if self.bad_seeds else ""))
        self.progress = progress or Progress(quiet=True)
        self.command = command
        self.fetcher = Fetcher(options.user_agent(), timeout=options.timeout,
                               max_bytes=options.max_page_bytes, verify=options.verify_tls)
        self.sched = Scheduler(options.delay)
        self.sites: dict[int, Site] = {}
        self.robots: dict[str, Robots | None] = {}  # origin -> rules (None while fetching)
        self.results: queue.Queue[Outcome] = queue.Queue()
        self.stats = Stats()
        self._own_pool = lint_pool is None
        self._lint_pool = lint_pool
        self._backlog = Backlog(self._stored_lint_item, options.lint_backlog_bytes)
        self._lint_futures: list[tuple[Future, int]] = []  # batches sent, with their page counts
        self._lint_flushed = time.monotonic()
        self.scan_id = self._open_scan(new_scan)

    # setup ------------------------------------------------------------------------------

    def _open_scan(self, new_scan: bool) -> int:
        key = scan_key(self.seeds)
        scan_id = None if new_scan else self.store.unfinished_scan(key)
        db = self.store.db
        if scan_id is None:
            with self.store.transaction():
                scan_id = db.execute(
                    "INSERT INTO scans (key, started_at, version, command, options) VALUES (?,?,?,?,?)",
                    (key, utc_now(), __version__, self.command, dumps(asdict(self.options)))).lastrowid
                self._create_sites(scan_id)
            self.resumed = False
        else:
            self.resumed = True
        self.scan_id = scan_id
        self._load(scan_id)
        return scan_id

    def _create_sites(self, scan_id: int) -> None:
        by_domain: dict[str, list[str]] = {}
        for seed in self.seeds:
            by_domain.setdefault(urls.registered_domain(urls.host_of(seed)), []).append(seed)
        db = self.store.db
        for domain, seeds in by_domain.items():
            site_id = db.execute("INSERT INTO sites (scan_id, domain, seeds) VALUES (?,?,?)",
                                 (scan_id, domain, dumps(seeds))).lastrowid
            for seed in seeds:
                db.execute("INSERT OR IGNORE INTO queue (scan_id, site_id, kind, url, key, depth) "
                           "VALUES (?,?,?,?,?,0)", (scan_id, site_id, "page", seed, seed))

    def _load(self, scan_id: int) -> None:
        """Rebuild the in-memory frontier, counters and robots rules from the store."""
        db = self.store.db
        for row in db.execute("SELECT * FROM sites WHERE scan_id=?", (scan_id,)):
            seeds = json.loads(row["seeds"])
            self.sites[row["id"]] = Site(row["id"], row["domain"],
                                         frozenset(urls.host_of(s) for s in seeds), row["state"],
                                         bytes=row["bytes"])
        for row in db.execute("SELECT id, site_id, kind, url, key, depth, state, attempts, not_before, "
                              "chain FROM queue WHERE scan_id=? ORDER BY id", (scan_id,)):
            site = self.sites[row["site_id"]]
            if row["kind"] == "page":
                site.urls += 1
                site.patterns[urls.path_pattern(row["key"])] += 1
                site.queries[urls.without_query(row["key"])] += 1
                if row["state"] not in ("pending", "skipped", "alias"):
                    site.pages += 1
            elif row["kind"] == "sitemap":
                site.sitemaps += 1
            elif row["kind"] == "robots" and row["state"] != "pending":
                self.robots[row["key"]] = self._stored_robots(row["id"])
                self._apply_crawl_delay(row["key"], self.robots[row["key"]], site)
            if row["kind"] == "robots":
                self.robots.setdefault(row["key"], None)
            if row["state"] == "pending":
                wait = max(0.0, row["not_before"] - time.time())
                job = Job(row["id"], row["site_id"], row["kind"], row["url"], row["key"], row["depth"],
                          row["attempts"], time.monotonic() + wait if wait else 0.0,
                          json.loads(row["chain"]))
                site.outstanding += 1
                self.sched.add(urls.host_of(job.url), job)
        for row in db.execute("SELECT id FROM pages WHERE scan_id=? AND lint_state='pending' ORDER BY id",
                              (scan_id,)):
            self._backlog.add_stored(row["id"])

    def _stored_lint_item(self, page_id: int) -> tuple[int, str, bytes, list] | None:
        """A page to lint, its body read back from the store (None: it cannot be decoded)."""
        row = self.store.db.execute("SELECT p.url, p.fetch_id, x.headers FROM pages p JOIN fetches x "
                                    "ON x.id=p.fetch_id WHERE p.id=?", (page_id,)).fetchone()
        headers = [tuple(h) for h in json.loads(row["headers"] or "[]")]
        try:
            return page_id, row["url"], content_of(self.store.body(row["fetch_id"]), headers), headers
        except TooBig as exc:
            with self.store.transaction():
                self.store.db.execute("UPDATE pages SET lint_state='error', reason=? WHERE id=?",
                                      (str(exc), page_id))
            return None

    def _stored_robots(self, queue_id: int) -> Robots:
        row = self.store.db.execute("SELECT * FROM fetches WHERE queue_id=? ORDER BY id DESC LIMIT 1",
                                    (queue_id,)).fetchone()
        if row is None:
            return Robots("disallow-all", "robots.txt never fetched")
        headers = json.loads(row["headers"] or "[]")
        result = FetchResult(url=row["url"], fetched_at=row["fetched_at"], status=row["status"],
                             headers=[tuple(h) for h in headers], error=row["error"],
                             error_kind=row["error_kind"])
        try:
            result.content = content_of(self.store.body(row["id"]), headers)
        except TooBig as exc:
            result.error = str(exc)
        return robots_from_fetch(result)

    # main loop --------------------------------------------------------------------------

    def run(self) -> int:
        """Crawl until every site is finished; returns the scan id. Ctrl-C leaves a resumable scan."""
        if self._lint_pool is None:
            from claimlint.crawl.lintpool import make_pool

            self._lint_pool = make_pool(self.config, self.options.lint_workers)
        if self._own_pool:
            from claimlint.crawl.lintpool import warm_up

            self._lint_pool.submit(warm_up)
        self.progress.event(f"scan {self.scan_id} {'resumed' if self.resumed else 'started'}: "
                            f"{len(self.sites)} site(s), user agent {self.options.user_agent()!r}")
        threads = ThreadPoolExecutor(max_workers=self.options.workers, thread_name_prefix="fetch")
        try:
            self._loop(threads)
        finally:
            threads.shutdown(wait=False, cancel_futures=True)
            if self._own_pool:
                self._lint_pool.shutdown(wait=True, cancel_futures=True)
            self.fetcher.close()
            self.progress.close()
        with self.store.transaction():
            self.store.db.execute("UPDATE scans SET status='finished', finished_at=? WHERE id=?",
                                  (utc_now(), self.scan_id))
        self._refresh_stats()
        self.progress.update(self.stats, force=True)
        self.progress.close()
        return self.scan_id

    def _loop(self, threads: ThreadPoolExecutor) -> None:
        for site in self.sites.values():
            self._check_site_done(site)
        timers = self.stats
        while True:
            # No more requests handed out than there are free fetch threads (in flight and not
            # yet back in the results queue): a job waiting for a thread would hold its host.
            room = self.options.workers - (self.sched.in_flight - self.results.qsize())
            ready = self.sched.ready(limit=max(0, room))
            sent = 0
            for host, job in ready:
                if self._admit(host, job):
                    threads.submit(self._work, host, job)
                    sent += 1
            self._collect_lint(block=False)
            self._flush_lint()
            if self.sched.in_flight == 0 and self.sched.pending == 0:
                if not self._backlog and not self._lint_futures:
                    break
                self._flush_lint(force=True)
                started = time.perf_counter()
                self._collect_lint(block=True)  # nothing left to fetch: wait for the linting
                timers.add_time("lint-wait", time.perf_counter() - started)
                continue
            wake = self.sched.next_wake()
            # every thread busy: wait for a response (a job refused by _admit, a page whose
            # robots.txt is yet to be fetched, took no thread: hand out more at once)
            if wake is None or room <= sent:
                timeout = 0.2
            else:
                timeout = min(0.2, max(0.0, wake - time.monotonic()))
            started = time.perf_counter()
            try:
                outcomes = [self.results.get(timeout=timeout)]
            except queue.Empty:
                outcomes = []
            timers.add_time("idle", time.perf_counter() - started)
            while outcomes and len(outcomes) < 64:
                try:
                    outcomes.append(self.results.get_nowait())
                except queue.Empty:
                    break
            if outcomes:
                started = time.perf_counter()
                with self.store.transaction():  # one commit for everything that arrived together
                    for outcome in outcomes:
                        self._handle(outcome)
                timers.add_time("store", time.perf_counter() - started)
            self._refresh_stats()
            self.progress.update(self.stats)

    def _refresh_stats(self) -> None:
        self.stats.queued = self.sched.pending
        self.stats.lint_pending = len(self._backlog) + sum(n for _, n in self._lint_futures)
        self.stats.sites = Counter(s.state for s in self.sites.values())

    # dispatch ---------------------------------------------------------------------------

    def _admit(self, host: Host, job: Job) -> bool:
        """Last checks before a request is sent; a refused job is finished here."""
        site = self.sites[job.site_id]
        if job.kind == "robots":
            return True
        origin = urls.origin_of(job.url)
        robots = self.robots.get(origin)
        if origin not in self.robots:
            self._ensure_robots(site, origin)
        elif robots is None:  # its robots.txt is being fetched: look again shortly
            job.not_before = time.monotonic() + 0.05
        if robots is None:
            self.sched.put_back(host, job)
            self.sched.release(host, sent=False)
            return False
        reason = None
        if site.stop_reason:
            reason = site.stop_reason
        elif not robots.allowed(job.url):
            reason = robots.note if robots.mode == "disallow-all" else "disallowed by robots.txt"
        elif job.kind == "page" and not job.chain and site.pages >= self.options.max_pages:
            reason = f"page limit ({self.options.max_pages}) reached"
        if reason:
            with self.store.transaction():
                self._finish_job(job, "skipped", reason)
                if job.kind == "page":
                    self._page_row(job, None, state="skipped", reason=reason)
            self.sched.release(host, sent=False)
            self._check_site_done(site)
            return False
        if job.kind == "page" and not job.chain:
            site.pages += 1
        if site.state == "pending":
            site.state = "crawling"
        return True

    def _work(self, host: Host, job: Job) -> None:
        """Runs on a fetch thread: network I/O, decoding and link extraction only."""
        started = time.perf_counter()
        try:
            outcome = Outcome(job, host, [])
            if job.kind == "robots":
                url = job.url
                for hop in range(ROBOTS_REDIRECTS + 1):
                    result = self.fetcher.get(url)
                    outcome.results.append(result)
                    if not result.location or hop == ROBOTS_REDIRECTS:
                        break
                    url = urljoin(url, result.location)
                    time.sleep(host.delay)
            else:
                result = self.fetcher.get(job.url, html_only=job.kind == "page")
                outcome.results.append(result)
                if job.kind == "page":
                    fetched = time.perf_counter()
                    self._read_page(outcome, result)
                    outcome.parse_time = time.perf_counter() - fetched
        except Exception as exc:  # noqa: BLE001 - never lose a job to an unexpected error
            outcome.results.append(FetchResult(url=job.url, fetched_at=utc_now(),
                                               error=f"internal error: {exc!r}", error_kind="internal"))
        outcome.packed = [(zlib.compress(r.raw, 6) if r.raw else None,
                           hashlib.sha256(r.raw).hexdigest() if r.status is not None else None)
                          for r in outcome.results]
        outcome.fetch_time = time.perf_counter() - started - outcome.parse_time
        self.results.put(outcome)

    @staticmethod
    def _read_page(outcome: Outcome, result: FetchResult) -> None:
        if result.error or not result.status or not 200 <= result.status < 300 or result.skipped_body:
            return
        if not result.content_type and not looks_like_html(result.content):
            return
        if not result.content.strip():
            return
        try:
            decoded = decode_page(result.content, result.header("content-type"))
        except DecodeError as exc:
            outcome.decode_error = str(exc)
            return
        outcome.text, outcome.encoding, outcome.encoding_note = decoded.text, decoded.encoding, decoded.note
        outcome.info = inspect_page(decoded.text)

    # outcomes ---------------------------------------------------------------------------

    def _handle(self, out: Outcome) -> None:
        job, site = out.job, self.sites[out.job.site_id]
        final = out.results[-1]
        self.stats.add_time("fetch", out.fetch_time)
        self.stats.add_time("parse", out.parse_time)
        retry_at = None
        if final.retryable and job.attempts < self.options.retries:
            wait = final.retry_after()
            if wait is None or wait <= self.options.max_retry_after:
                wait = max(wait or 0.0, self.options.backoff * (2 ** job.attempts))
                retry_at = time.monotonic() + wait
        lint_item = None
        with self.store.transaction():
            fetch_ids = [self._store_fetch(job, site, r, *packed)
                         for r, packed in zip(out.results, out.packed)]
            self.stats.fetched += len(out.results)
            if retry_at is not None:
                job.attempts += 1
                job.not_before = retry_at
                self.store.db.execute("UPDATE queue SET attempts=?, not_before=? WHERE id=?",
                                      (job.attempts, time.time() + (retry_at - time.monotonic()), job.id))
            elif job.kind == "robots":
                self._handle_robots(job, site, final)
            elif job.kind == "sitemap":
                self._handle_sitemap(job, site, final)
            else:
                lint_item = self._handle_page(out, site, final, fetch_ids[-1])
            if site.bytes > self.options.max_site_bytes and not site.stop_reason:
                site.stop_reason = f"byte limit ({self.options.max_site_bytes}) reached"
        # The next request to this host waits its delay from the end of this response, not
        # from now: time this outcome spent queued for the main loop counts as waiting.
        if retry_at is not None:
            self.sched.put_back(out.host, job)
            self.sched.release(out.host, not_before=retry_at, ended=final.ended or None)
        else:
            self.sched.release(out.host, ended=final.ended or None)
        if lint_item:
            self._backlog.add(lint_item)
        self._check_site_done(site)

    def _store_fetch(self, job: Job, site: Site, r: FetchResult, body: bytes | None,
                     digest: str | None) -> int:
        """Write one response (``body`` compressed, ``digest`` its SHA-256: see Outcome.packed)."""
        site.bytes += len(r.raw)
        self.store.db.execute("UPDATE sites SET bytes=? WHERE id=?", (site.bytes, site.id))
        return self.store.db.execute(
            "INSERT INTO fetches (scan_id, site_id, queue_id, kind, url, fetched_at, status, reason, "
            "http_version, request_headers, headers, body, body_size, body_sha256, elapsed, error, "
            "error_kind) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (self.scan_id, site.id, job.id, job.kind, r.url, r.fetched_at, r.status, r.reason,
             r.http_version, dumps(r.request_headers), dumps(r.headers), body, len(r.raw), digest,
             round(r.elapsed, 4), r.error, r.error_kind)).lastrowid

    def _handle_robots(self, job: Job, site: Site, final: FetchResult) -> None:
        robots = robots_from_fetch(final)
        self.robots[job.key] = robots
        self._finish_job(job, "done", robots.note)
        self._apply_crawl_delay(job.key, robots, site)
        notes = json.loads(self.store.db.execute("SELECT robots FROM sites WHERE id=?",
                                                 (site.id,)).fetchone()[0] or "{}")
        notes[job.key] = robots.note
        self.store.db.execute("UPDATE sites SET robots=? WHERE id=?", (dumps(notes), site.id))
        if robots.mode == "disallow-all":
            self.progress.event(f"{site.domain}: {robots.note}")
        if not self.options.sitemaps or urls.host_of(job.key) not in site.seed_hosts:
            return
        candidates = list(robots.sitemaps) + [job.key + "/sitemap.xml"]
        for sitemap in candidates:
            self._enqueue(site, "sitemap", sitemap, 1, referrer=job.key + "/robots.txt")

    def _apply_crawl_delay(self, origin: str, robots: Robots, site: Site) -> None:
        delay = robots.crawl_delay()
        if delay is None:
            return
        if delay > self.options.max_crawl_delay and not site.stop_reason:
            site.stop_reason = (f"robots.txt Crawl-delay {delay:g} s is over --max-crawl-delay "
                                f"{self.options.max_crawl_delay:g} s: not crawled")
            return
        self.sched.set_delay(urls.host_of(origin), delay)

    def _handle_sitemap(self, job: Job, site: Site, final: FetchResult) -> None:
        if final.error or final.status != 200:
            self._finish_job(job, "failed", final.error or f"HTTP {final.status}")
            return
        try:
            kind, locs = parse_sitemap(final.content, self.options.max_page_bytes)
        except SitemapError as exc:
            self._finish_job(job, "failed", str(exc))
            return
        for loc in locs:
            self._enqueue(site, "sitemap" if kind == "index" else "page", loc, 1, referrer=job.url)
        self._finish_job(job, "done", f"{kind}: {len(locs)} URLs")

    def _handle_page(self, out: Outcome, site: Site, r: FetchResult, fetch_id: int) -> tuple | None:
        job = out.job
        hop = {"url": job.url, "status": r.status, "fetch_id": fetch_id}
        if r.location:
            self._redirect(job, site, r, hop)
            return None
        problem = self._page_problem(out, r)
        if problem:
            self._page_result(job, fetch_id, r, *problem, out=out)
            return None
        info = out.info or PageInfo()
        base = urljoin(job.url, info.base) if info.base else job.url
        duplicate = self._duplicate(site, job, out.packed[-1][1], info, base)
        if duplicate:
            self._page_result(job, fetch_id, r, "duplicate", duplicate, out=out)
            return None
        if not info.nofollow and job.depth < self.options.max_depth:
            for link in info.links:
                self._enqueue(site, "page", link, job.depth + 1, base=base, referrer=job.url)
        page_id = self._page_result(job, fetch_id, r, "ok", out.encoding_note, out=out, lint=True)
        return (page_id, job.url, r.content, r.headers)

    @staticmethod
    def _page_problem(out: Outcome, r: FetchResult) -> tuple[str, str] | None:
        """(state, reason) when a fetched page cannot be checked, else None."""
        if r.error or r.status is None:
            return "error", r.error or "no response"
        if not 200 <= r.status < 300:
            return "error", f"HTTP {r.status} {r.reason}".strip()
        if r.skipped_body or (r.content_type and r.content_type not in HTML_TYPES) or (
                not r.content_type and not looks_like_html(r.content)):
            return "skipped", f"not HTML ({r.content_type or 'unknown type'}): not checked"
        if out.decode_error:
            return "error", f"cannot decode: {out.decode_error}"
        if out.text is None or not out.text.strip():
            return "empty", "empty page: nothing to check"
        return None

    def _duplicate(self, site: Site, job: Job, digest: str, info: PageInfo, base: str) -> str | None:
        """Why this page is a copy of one already crawled (rel=canonical, same body), or None."""
        db = self.store.db
        if info.canonical:
            try:
                canonical = urls.normalize(info.canonical, base)
            except urls.BadURL:
                canonical = None
            if canonical and canonical != job.key and self._in_scope(site, canonical):
                row = db.execute("SELECT state FROM queue WHERE scan_id=? AND kind='page' AND key=?",
                                 (self.scan_id, canonical)).fetchone()
                if row is not None and row[0] not in ("pending",):
                    return f"duplicate of {canonical} (rel=canonical)"
                if row is None:  # never fetch the canonical URL again: this page stands for it
                    db.execute("INSERT OR IGNORE INTO queue (scan_id, site_id, kind, url, key, depth, state, "
                               "reason) VALUES (?,?,'page',?,?,?,'alias',?)",
                               (self.scan_id, site.id, canonical, canonical, job.depth,
                                f"rel=canonical of {job.key}"))
        row = db.execute("SELECT p.url FROM fetches x CROSS JOIN pages p ON p.fetch_id=x.id "
                         "WHERE x.site_id=? AND x.body_sha256=? AND p.state='ok' LIMIT 1",
                         (site.id, digest)).fetchone()
        return f"same content as {row[0]}" if row else None

    def _redirect(self, job: Job, site: Site, r: FetchResult, hop: dict) -> None:
        chain = job.chain + [hop]
        try:
            target = urls.normalize(r.location, job.url)
        except urls.BadURL as exc:
            self._finish_job(job, "done", f"bad redirect: {exc}")
            self._page_row(job, hop["fetch_id"], state="error", reason=f"bad redirect Location: {exc}",
                           chain=chain)
            return
        seen = {h["url"] for h in chain} | {job.key}
        if target in seen:
            reason = f"redirect loop back to {target}"
        elif len(chain) > self.options.max_redirects:
            reason = f"more than {self.options.max_redirects} redirects"
        elif not self._in_scope(site, target):
            reason = f"redirects off site to {target}: not followed"
        else:
            reason = None
        if reason:
            self._finish_job(job, "done", reason)
            self._page_row(job, hop["fetch_id"], state="error" if "loop" in reason or "more" in reason
                           else "skipped", reason=reason, chain=chain)
            return
        new = self._enqueue(site, "page", target, job.depth, chain=chain, referrer=job.url, check_traps=False)
        note = f"redirected ({r.status}) to {target}"
        self._finish_job(job, "done", note if new else note + " (already queued)")
        self._page_row(job, hop["fetch_id"], state="redirect", reason=note, chain=chain)

    def _page_result(self, job: Job, fetch_id: int, r: FetchResult, state: str, reason: str | None,
                     *, out: Outcome | None = None, lint: bool = False) -> int:
        queue_state = {"ok": "done", "empty": "done", "duplicate": "done", "skipped": "skipped"}
        self._finish_job(job, queue_state.get(state, "failed"), reason)
        chain = job.chain + [{"url": job.url, "status": r.status, "fetch_id": fetch_id}]
        return self._page_row(job, fetch_id, state=state, reason=reason, chain=chain, status=r.status,
                              content_type=r.content_type, encoding=out.encoding if out else None,
                              encoding_note=out.encoding_note if out else None,
                              lint_state="pending" if lint else "none")

    def _page_row(self, job: Job, fetch_id: int | None, *, state: str, reason: str | None,
                  chain: list | None = None, status: int | None = None, content_type: str | None = None,
                  encoding: str | None = None, encoding_note: str | None = None,
                  lint_state: str = "none") -> int:
        requested = (job.chain[0]["url"] if job.chain else job.url)
        if state == "error":
            self.stats.errors += 1
        return self.store.db.execute(
            "INSERT OR REPLACE INTO pages (scan_id, site_id, queue_id, key, url, requested_url, depth, "
            "fetch_id, redirect_chain, status, content_type, encoding, encoding_note, state, reason, "
            "lint_state) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (self.scan_id, job.site_id, job.id, job.key, job.url, requested, job.depth, fetch_id,
             dumps(chain or []), status, content_type, encoding, encoding_note, state, reason,
             lint_state)).lastrowid

    def _finish_job(self, job: Job, state: str, reason: str | None) -> None:
        self.store.db.execute("UPDATE queue SET state=?, reason=? WHERE id=?", (state, reason, job.id))
        self.sites[job.site_id].outstanding -= 1

    # frontier ---------------------------------------------------------------------------

    def _in_scope(self, site: Site, url: str) -> bool:
        return urls.in_scope(url, site.domain, site.seed_hosts, self.options.subdomains)

    def _enqueue(self, site: Site, kind: str, url: str, depth: int, *, base: str | None = None,
                 chain: list | None = None, referrer: str | None = None, check_traps: bool = True) -> bool:
        """Add a URL to the frontier unless seen, off site, too deep or a trap; True if added."""
        url = url.strip()
        link = (url, urls.join_context(url, base))
        if link in site.links:
            key = site.links[link]
        else:
            try:
                key = urls.normalize(url, base)
            except urls.BadURL:
                key = None
            if key is not None and not self._in_scope(site, key):
                key = None
            if len(site.links) >= LINK_MEMO:
                site.links.clear()
            site.links[link] = key
        if key is None or (kind, key) in site.known:
            return False
        state, reason = "pending", None
        if kind == "sitemap":
            if site.sitemaps >= MAX_SITEMAPS_PER_SITE:
                return False
        elif site.urls >= FRONTIER_PER_PAGE * self.options.max_pages + 100:
            return False  # a huge sitemap must not fill the database with URLs never crawled
        elif check_traps:
            reason = self._trap(site, key)
            if reason:
                state = "skipped"
        db = self.store.db
        cur = db.execute("INSERT OR IGNORE INTO queue (scan_id, site_id, kind, url, key, depth, state, "
                         "reason, chain, referrer) VALUES (?,?,?,?,?,?,?,?,?,?)",
                         (self.scan_id, site.id, kind, key, key, depth, state, reason,
                          dumps(chain or []), referrer))
        site.known.add((kind, key))
        if cur.rowcount != 1:
            return False
        if kind == "sitemap":
            site.sitemaps += 1
        else:
            site.urls += 1
            site.patterns[urls.path_pattern(key)] += 1
            site.queries[urls.without_query(key)] += 1
        if state != "pending":
            return False
        job = Job(cur.lastrowid, site.id, kind, key, key, depth, chain=list(chain or []),
                  referrer=referrer, urgent=bool(chain))
        site.outstanding += 1
        self._ensure_robots(site, urls.origin_of(key))
        self.sched.add(urls.host_of(key), job)
        return True

    def _trap(self, site: Site, key: str) -> str | None:
        pattern = urls.path_pattern(key)
        cap = self.options.calendar_cap if urls.looks_like_calendar(key) else self.options.pattern_cap
        if site.patterns[pattern] >= cap:
            option = "" if urls.looks_like_calendar(key) else "; raise --max-similar-urls to crawl them"
            return f"crawl-trap guard: more than {cap} URLs shaped {pattern}{option}"
        if "?" in key and site.queries[urls.without_query(key)] >= self.options.query_cap:
            return f"crawl-trap guard: more than {self.options.query_cap} query variants of one path"
        return None

    def _ensure_robots(self, site: Site, origin: str) -> None:
        if origin in self.robots:
            return
        self.robots[origin] = None
        cur = self.store.db.execute(
            "INSERT OR IGNORE INTO queue (scan_id, site_id, kind, url, key, depth) VALUES (?,?,?,?,?,0)",
            (self.scan_id, site.id, "robots", origin + "/robots.txt", origin))
        if cur.rowcount == 1:
            site.outstanding += 1
            self.sched.add(urls.host_of(origin), Job(cur.lastrowid, site.id, "robots",
                                                     origin + "/robots.txt", origin, 0))

    def _check_site_done(self, site: Site) -> None:
        if site.outstanding > 0 or site.state in ("done", "failed"):
            return
        row = self.store.db.execute(
            "SELECT COUNT(*) FILTER (WHERE state='ok'), COUNT(*) FROM pages WHERE site_id=?",
            (site.id,)).fetchone()
        ok, total = row[0], row[1]
        site.state = "done" if ok else "failed"
        site.links, site.known = {}, set()
        reason = site.stop_reason
        if not ok:
            first = self.store.db.execute(
                "SELECT reason FROM pages WHERE site_id=? AND reason IS NOT NULL ORDER BY id LIMIT 1",
                (site.id,)).fetchone()
            reason = reason or (first[0] if first else "nothing could be fetched")
        with self.store.transaction():
            self.store.db.execute("UPDATE sites SET state=?, pages=?, reason=? WHERE id=?",
                                  (site.state, ok, reason, site.id))
        trapped = self.store.db.execute(
            "SELECT COUNT(*), MIN(reason) FROM queue WHERE site_id=? AND kind='page' AND state='skipped' "
            "AND reason LIKE 'crawl-trap%'", (site.id,)).fetchone()
        left_out = (f"; {trapped[0]} more URL(s) not crawled ({trapped[1]})" if trapped[0] else "")
        self.progress.event(f"{site.domain}: {site.state}, {ok} page(s) checked of {total} URL(s)"
                            + (f" ({reason})" if reason else "") + left_out)

    # linting ----------------------------------------------------------------------------

    def _flush_lint(self, force: bool = False) -> None:
        """Send batches from the backlog to the lint pool, keeping at most a few batches per
        worker in flight (the rest wait in the backlog). Without ``force`` a batch is sent only
        once it is full or its oldest page has waited a moment."""
        from claimlint.crawl.lintpool import lint_pages

        limit = 2 * max(1, self.options.lint_workers) + 2
        while self._backlog and len(self._lint_futures) < limit:
            if not force and len(self._backlog) < BATCH_PAGES // 2 and \
                    time.monotonic() - self._lint_flushed < 0.3:
                return
            batch = self._backlog.take()
            if batch:
                self._lint_futures.append((self._lint_pool.submit(lint_pages, batch), len(batch)))
            self._lint_flushed = time.monotonic()

    def _collect_lint(self, block: bool) -> None:
        """Store the results of finished lint batches (with ``block``, wait for the oldest)."""
        if block and self._lint_futures:
            self._lint_futures[0][0].result()
        done = [f for f, _ in self._lint_futures if f.done()]
        if not done:
            return
        self._lint_futures = [(f, n) for f, n in self._lint_futures if not f.done()]
        for future in done:
            results, seconds = future.result()
            self.stats.add_time("lint", seconds)
            started = time.perf_counter()
            self._store_findings(results)
            self.stats.add_time("lint-store", time.perf_counter() - started)

    def _store_findings(self, results: list[tuple[int, list[tuple] | None, str | None]]) -> None:
        """One transaction for a batch of lint results: findings inserted together."""
        db = self.store.db
        rows, done, failed = [], [], []
        for page_id, found, error in results:
            if error is not None:
                failed.append((error, page_id))
                continue
            page = db.execute("SELECT p.site_id, p.key, p.fetch_id, s.domain FROM pages p JOIN sites s "
                              "ON s.id=p.site_id WHERE p.id=?", (page_id,)).fetchone()
            done.append((len(found), page_id))
            # f: lintpool.FIELDS, rule ... region, in the order of the INSERT's columns
            rows += [(self.scan_id, page["site_id"], page_id, page["fetch_id"], *f,
                      finding_fingerprint(page["domain"], page["key"], f[0], f[7] or f[6])) for f in found]
        with self.store.transaction():
            db.executemany("UPDATE pages SET lint_state='error', reason=? WHERE id=?", failed)
            db.executemany("DELETE FROM findings WHERE page_id=?", [(page_id,) for _, page_id in done])
            db.executemany(
                "INSERT INTO findings (scan_id, site_id, page_id, fetch_id, rule, category, severity, "
                "message, why, suggestion, text, sentence, line, col, end_line, end_col, start_offset, "
                "end_offset, region, fingerprint) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
            db.executemany("UPDATE pages SET lint_state='done', findings=? WHERE id=?", done)
        self.stats.findings += len(rows)


def finding_fingerprint(domain: str, page_key: str, rule: str, sentence: str) -> str:
    """Identity of a finding across scans: site, page URL, rule and the normalized claim
    sentence; independent of line numbers and markup changes."""
    raw = f"{domain}\0{page_key}\0{rule}\0{normalize_claim(sentence)}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


def content_of(raw: bytes, headers: list) -> bytes:
    """The content of a stored raw body (its Content-Encoding undone)."""
    decoder = Decoder(_header(headers, "content-encoding") or "", 1 << 31)
    decoder.feed(raw)
    return decoder.result()


def _header(headers: list, name: str) -> str | None:
    return next((v for k, v in headers if k.lower() == name), None)
