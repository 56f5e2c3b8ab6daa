"""Crawl benchmark (not a test): N local sites of P pages each, served by one fixture server
process on 127.0.0.1 (virtual hosts site-NNN.test), crawled with a per-host delay; prints wall
time against the politeness lower bound, where the time went, and CPU time per page.

The politeness lower bound is what no polite crawl can beat: every host is sent one request
at a time with the delay between them, so a host that gets R requests (robots.txt and
sitemap.xml count) takes at least (R - 1) x delay, with hosts crawled in parallel.

    python benchmarks/bench_crawl.py [--sites 200] [--pages 20] [--delay 0.2] [--report out.html]
"""

from __future__ import annotations

import argparse
import importlib.util
import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _server_module():
    path = ROOT / "fixtures" / "sites" / "server.py"
    spec = importlib.util.spec_from_file_location("claimlint_fixture_server", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def serve(names: list[str], pages: int, delay: float, port_queue, stop) -> None:  # noqa: ANN001
    """Child process: serve generated sites until ``stop`` is set."""
    srv = _server_module()
    # Sites differ in how many pages make claims, so the report has a ranking to show.
    server = srv.FixtureServer({n: srv.GeneratedSite(pages, 1 + i % 7) for i, n in enumerate(names)})
    server.start()
    port_queue.put(server.port)
    stop.wait()
    hits = server.hits()
    per_host: dict[str, list] = {}
    for hit in hits:
        per_host.setdefault(hit.host, []).append(hit)
    # a host's wait beyond its delay: next request's arrival - previous response's end - delay
    in_order = [sorted(host_hits, key=lambda h: h.time) for host_hits in per_host.values()]
    gaps = sorted(b.time - a.end - delay for hh in in_order for a, b in zip(hh, hh[1:]))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    port_queue.put((len(hits), max(map(len, per_host.values()), default=0),
                    max((h.end for h in hits), default=0.0), usage.ru_utime + usage.ru_stime, gaps,
                    [(min(h.time for h in hh), max(h.end for h in hh)) for hh in per_host.values()]))
    server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=200)
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--delay", type=float, default=0.2)
    parser.add_argument("--workers", type=int, default=64)
    parser.add_argument("--lint-workers", type=int, default=1)
    parser.add_argument("--db", default=None, help="Keep the scan database here.")
    parser.add_argument("--report", default=None, help="Write the HTML report of the crawl here.")
    parser.add_argument("--progress", action="store_true", help="Log progress every second.")
    args = parser.parse_args()

    from claimlint.crawl.crawler import Crawler, CrawlOptions
    from claimlint.crawl.progress import Progress
    from claimlint.crawl.report import render
    from claimlint.crawl.resolve import resolving
    from claimlint.crawl.store import Store

    names = [f"site-{i:03d}.test" for i in range(args.sites)]
    ctx = multiprocessing.get_context("spawn")
    port_queue, stop = ctx.Queue(), ctx.Event()
    child = ctx.Process(target=serve, args=(names, args.pages, args.delay, port_queue, stop), daemon=True)
    child.start()
    port = port_queue.get(timeout=60)
    db = Path(args.db) if args.db else Path(tempfile.mkdtemp()) / "bench.db"
    options = CrawlOptions(delay=args.delay, max_depth=args.pages, workers=args.workers,
                           lint_workers=args.lint_workers, timeout=30, contact="mailto:bench@example.org")
    store = Store(db)
    try:
        with resolving(dict.fromkeys(names, "127.0.0.1")):
            crawler = Crawler(store, [f"http://{n}:{port}/" for n in names], options, new_scan=True,
                              progress=Progress(quiet=not args.progress, interval=1.0))
            cpu = time.process_time()
            started = time.monotonic()
            scan_id = crawler.run()
            wall = time.monotonic() - started
            cpu = time.process_time() - cpu
            lint_cpu = _children_cpu()  # the lint workers, reaped when the crawl ends
    finally:
        stop.set()
    requests, per_host, last_response, server_cpu, gaps, spans = port_queue.get(timeout=30)
    child.join(10)
    pages = store.db.execute("SELECT COUNT(*) FROM pages WHERE scan_id=? AND state='ok'",
                             (scan_id,)).fetchone()[0]
    findings = store.db.execute("SELECT COUNT(*) FROM findings WHERE scan_id=?", (scan_id,)).fetchone()[0]
    bound = (per_host - 1) * args.delay
    fetched = last_response - started  # the server's clock: CLOCK_MONOTONIC is system-wide
    print(f"sites {args.sites} x pages {args.pages}, per-host delay {args.delay} s, "
          f"{args.workers} fetch threads, {args.lint_workers} lint process(es)")
    print(f"pages stored {pages}, findings {findings}, HTTP requests {requests} (up to {per_host} per "
          f"host incl. robots.txt and sitemap.xml)")
    print(f"wall time {wall:.2f} s; politeness lower bound {bound:.2f} s ((requests per host - 1) x "
          f"delay): {wall / bound:.2f}x the bound")
    print(f"last response at {fetched:.2f} s ({fetched / bound:.2f}x the bound); linting done "
          f"{wall - fetched:.2f} s later")
    print(f"throughput {pages / wall:.0f} pages/s, {requests / wall:.0f} requests/s")
    if gaps:
        def pct(q: float) -> float:
            return 1000 * gaps[min(len(gaps) - 1, int(q * len(gaps)))]
        print(f"a host's wait beyond its delay between a response and its next request (ms): "
              f"median {pct(0.5):.0f}, p90 {pct(0.9):.0f}, p99 {pct(0.99):.0f}, max {pct(1.0):.0f}; mean "
              f"{1000 * sum(gaps) / len(gaps):.0f}, {sum(gaps) / len(gaps) * (per_host - 1):.2f} s per host")
    if spans:
        firsts = sorted(first - started for first, _ in spans)
        lengths = sorted(last - first for first, last in spans)
        print(f"a host's first request, after the start (s): median {firsts[len(firsts) // 2]:.2f}, "
              f"max {firsts[-1]:.2f}; from its first request to its last response (s): median "
              f"{lengths[len(lengths) // 2]:.2f}, max {lengths[-1]:.2f}")
    timers = getattr(crawler.stats, "timers", {})  # (older crawlers, for paired runs, have none)
    print("time (s): " + ", ".join(f"{k} {timers.get(k, 0.0):.2f}" for k in (
        "fetch", "parse", "store", "lint", "lint-store", "lint-wait", "idle")) +
        " (fetch and parse summed over fetch threads; lint is the workers' CPU; the rest the main loop)")
    total = cpu + lint_cpu + server_cpu
    print(f"CPU (s): crawl process {cpu:.2f}, lint workers {lint_cpu:.2f} (start-up included), fixture "
          f"server {server_cpu:.2f}; {1000 * (cpu + lint_cpu) / max(1, pages):.2f} ms of crawler CPU "
          f"per page; {total / wall:.2f} CPUs busy on average (load average "
          f"{_loadavg()})")
    if args.report:
        Path(args.report).write_text(render(store, scan_id, "html"), encoding="utf-8")
        print(f"report: {args.report}")
    store.close()


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _loadavg() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "unknown"


if __name__ == "__main__":
    main()
