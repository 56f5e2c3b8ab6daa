"""Click commands ``crawl``, ``report`` and ``diff`` (registered on the main ``claimlint``
group); heavy imports happen inside the commands so ``claimlint --help`` stays fast."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import click

DEFAULT_DB = "claimlint-scan.db"


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


def read_sites_file(path: str) -> list[str]:
    """One URL or domain per line; blank lines and ``#`` comments ignored."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        _fail(f"{path}: {exc.strerror or exc}")
    return [ln.split("#", 1)[0].strip() for ln in text.splitlines() if ln.split("#", 1)[0].strip()]


def parse_shard(text: str) -> tuple[int, int]:
    """``I/N`` (1-based) as ``(I, N)``."""
    index, sep, count = text.partition("/")
    if not sep or not index.isdigit() or not count.isdigit() or not 1 <= int(index) <= int(count):
        _fail(f"--shard {text!r}: expected I/N with 1 <= I <= N, e.g. 1/4")
    return int(index), int(count)


def seed_shard(seed: str, count: int) -> int:
    """The shard (1..count) of a site: a stable hash of its registered domain, so every page
    of a site, and its politeness, stays on one machine."""
    import hashlib

    from claimlint.crawl.crawler import site_seed
    from claimlint.crawl.urls import host_of, registered_domain

    domain = registered_domain(host_of(site_seed(seed)))
    return int.from_bytes(hashlib.sha256(domain.encode()).digest()[:8], "big") % count + 1


@click.command()
@click.argument("urls", nargs=-1)
@click.option("--sites", "sites_file", type=click.Path(), help="File with one site URL or domain per line.")
@click.option("--db", default=DEFAULT_DB, show_default=True, help="Scan database (SQLite) to write.")
@click.option("--contact", default="",
              help="URL or e-mail put in the user agent so site owners can reach you.")
@click.option("--delay", type=float, default=1.0, show_default=True,
              help="Seconds between requests to one host (robots.txt Crawl-delay wins if longer).")
@click.option("--max-pages", type=int, default=500, show_default=True, help="Pages per site.")
@click.option("--max-depth", type=int, default=5, show_default=True, help="Link depth from the start page.")
@click.option("--max-site-mb", type=float, default=100.0, show_default=True,
              help="Megabytes fetched per site.")
@click.option("--max-page-mb", type=float, default=5.0, show_default=True,
              help="Largest page body, raw or decompressed.")
@click.option("--timeout", type=float, default=15.0, show_default=True, help="Seconds per request.")
@click.option("--retries", type=int, default=3, show_default=True,
              help="Retries after 429/5xx, timeouts and connection errors (with backoff, "
                   "honouring Retry-After).")
@click.option("--backoff", type=float, default=2.0, show_default=True,
              help="First retry wait in seconds; doubles.")
@click.option("--max-redirects", type=int, default=5, show_default=True)
@click.option("--subdomains", is_flag=True,
              help="Also crawl other subdomains of each site's registered domain.")
@click.option("--no-sitemaps", is_flag=True, help="Do not read robots.txt Sitemap: lines and /sitemap.xml.")
@click.option("--max-similar-urls", type=click.IntRange(min=1), default=100, show_default=True,
              help="Crawl-trap guard: URLs of one shape per site (/s/p1_2.html and /s/p3_4.html "
                   "share the shape /s/pN_N.html); the rest are listed in the report, not fetched.")
@click.option("--workers", type=int, default=32, show_default=True,
              help="Fetch threads (hosts crawled at once).")
@click.option("--lint-workers", type=int, default=None,
              help="Lint processes [default: one per CPU].")
@click.option("--warc", "warc_path", type=click.Path(), help="Also write the captured pages as a WARC file.")
@click.option("--manifest", "manifest_path", type=click.Path(),
              help="SHA-256 manifest to write [default: DB name + -scanN.sha256].")
@click.option("--resolve", multiple=True, metavar="NAME:ADDRESS",
              help="Use ADDRESS for host NAME, like curl (staging copies, local tests). When given, "
                   "names not listed do not resolve at all.")
@click.option("--shard", default=None, metavar="I/N",
              help="Crawl only the sites whose registered domain hashes to shard I of N (1 <= I <= N), "
                   "so N machines share a sites list; join their databases with `claimlint merge`.")
@click.option("--new-scan", is_flag=True, help="Start a new scan even if the same crawl is unfinished.")
@click.option("--config", "config_path", type=click.Path(), default=None, help="claimlint config file.")
@click.option("--quiet", "-q", is_flag=True, help="No progress output (for cron).")
def crawl(urls: tuple[str, ...], sites_file: str | None, db: str, contact: str, delay: float,
          max_pages: int, max_depth: int, max_site_mb: float, max_page_mb: float, timeout: float,
          retries: int, backoff: float, max_redirects: int, subdomains: bool, no_sitemaps: bool,
          max_similar_urls: int, workers: int, lint_workers: int | None, warc_path: str | None,
          manifest_path: str | None, resolve: tuple[str, ...], shard: str | None, new_scan: bool,
          config_path: str | None,
          quiet: bool) -> None:
    """Crawl clinic sites politely, lint every page, and keep the evidence in a database.

    Running the same command again resumes an interrupted crawl.
    """
    import os

    from claimlint.cli import _load_config
    from claimlint.crawl.crawler import Crawler, CrawlOptions
    from claimlint.crawl.evidence import default_manifest_path, write_manifest, write_warc
    from claimlint.crawl.progress import Progress
    from claimlint.crawl.resolve import parse_resolve, resolving
    from claimlint.crawl.store import Store, StoreError
    from claimlint.crawl.urls import BadURL
    from claimlint.shutdown import sigterm_as_interrupt

    seeds = list(urls) + (read_sites_file(sites_file) if sites_file else [])
    if not seeds:
        _fail("give site URLs or --sites FILE")
    if shard:
        index, count = parse_shard(shard)
        seeds = [s for s in seeds if seed_shard(s, count) == index]
        if not seeds:
            click.echo(f"shard {shard}: no site of the list falls in this shard; nothing to crawl", err=True)
            return
    try:
        names = parse_resolve(resolve)
    except ValueError as exc:
        _fail(str(exc))
    config = _load_config(config_path, [])
    options = CrawlOptions(
        delay=delay, max_pages=max_pages, max_depth=max_depth, max_site_bytes=int(max_site_mb * 1e6),
        max_page_bytes=int(max_page_mb * 1e6), timeout=timeout, retries=retries, backoff=backoff,
        max_redirects=max_redirects, subdomains=subdomains, sitemaps=not no_sitemaps, workers=workers,
        pattern_cap=max_similar_urls,
        lint_workers=lint_workers or max(1, os.cpu_count() or 1), contact=contact)
    if not contact and not quiet:
        click.echo("note: no --contact given; site owners cannot tell who is crawling them", err=True)
    command = " ".join(shlex.quote(a) for a in ["claimlint", *sys.argv[1:]])
    try:
        store = Store(db)
    except StoreError as exc:
        _fail(str(exc))
    progress = Progress(quiet=quiet)
    try:
        with sigterm_as_interrupt(), resolving(names):
            crawler = Crawler(store, seeds, options, config=config, progress=progress,
                              command=command, new_scan=new_scan)
            for seed, problem in crawler.bad_seeds:
                click.echo(f"warning: skipping {seed!r}: {problem}", err=True)
            scan_id = crawler.run()
    except BadURL as exc:
        _fail(f"bad site URL: {exc}")
    except KeyboardInterrupt:
        store.close()
        click.echo("\ninterrupted: run the same command again to resume this scan", err=True)
        sys.exit(130)
    manifest = Path(manifest_path) if manifest_path else default_manifest_path(db, scan_id)
    digest = write_manifest(store, scan_id, manifest)
    if warc_path:
        count = write_warc(store, scan_id, Path(warc_path), command)
        with store.transaction():
            store.db.execute("UPDATE scans SET warc_path=? WHERE id=?", (warc_path, scan_id))
        if not quiet:
            click.echo(f"WARC: {count} responses written to {warc_path}", err=True)
    s = crawler.stats
    left_out = store.db.execute("SELECT COUNT(*) FROM queue WHERE scan_id=? AND kind='page' AND "
                                "state='skipped' AND reason LIKE 'crawl-trap%'", (scan_id,)).fetchone()[0]
    if left_out:
        click.echo(f"warning: {left_out} URL(s) not crawled by the crawl-trap guard (listed in the "
                   "report; --max-similar-urls raises the cap)", err=True)
    if not quiet:
        click.echo(f"scan {scan_id} finished: {len(crawler.sites)} sites, "
                   f"{s.findings} new findings this run, "
                   f"manifest {manifest} (sha256 {digest[:16]}...)\n"
                   f"report: claimlint report {shlex.quote(db)} --format html -o report.html", err=True)
    store.close()


@click.command()
@click.argument("db", default=DEFAULT_DB, type=click.Path())
@click.option("--scan", "scan_id", type=int, default=None, help="Scan id [default: the newest].")
@click.option("--format", "fmt", type=click.Choice(["html", "json", "csv"]),
              default="html", show_default=True)
@click.option("--output", "-o", type=click.Path(), default=None,
              help="Write here instead of standard output.")
def report(db: str, scan_id: int | None, fmt: str, output: str | None) -> None:
    """Sites ranked by their findings, with evidence, from a scan database."""
    from claimlint.crawl.report import render
    from claimlint.crawl.store import Store, StoreError

    try:
        store = Store(db, readonly=True)
        text = render(store, scan_id, fmt)
    except StoreError as exc:
        _fail(str(exc))
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


@click.command()
@click.argument("old")
@click.argument("new")
@click.option("--db", default=DEFAULT_DB, show_default=True, help="Database for bare scan ids.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--summary", is_flag=True, help="Counts per site only.")
def diff(old: str, new: str, db: str, fmt: str, summary: bool) -> None:
    """New, resolved and unchanged findings per site between two scans.

    OLD and NEW are scan ids in --db, database files (their newest scan), or FILE:ID.
    """
    from claimlint.crawl.diff import diff_scans, open_scan, render_json, render_text
    from claimlint.crawl.store import StoreError

    try:
        result = diff_scans(open_scan(old, db), open_scan(new, db))
    except StoreError as exc:
        _fail(str(exc))
    click.echo(render_json(result) if fmt == "json" else render_text(result, verbose=not summary), nl=False)
