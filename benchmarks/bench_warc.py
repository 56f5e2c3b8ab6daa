"""WARC benchmark (not a test): generates a Common-Crawl-like corpus of gzipped WARC files
(request, response and metadata records per capture; mostly HTML pages of ~100 KB with inline
script and style around a few KB of clinic copy, some images, redirects and 404s) at run time
in a temporary directory (never committed), then prints, all measured in this run:

- parse only: records/s and MB/s of warcio and of FastWARC (if installed), ratio;
- ``claimlint warc`` in one process; on Dask (LocalCluster) with 1 and with 2 worker
  processes: records/s and MB/s, the Dask overhead and the scaling ratio, identical findings.

    python benchmarks/bench_warc.py [--mb 200] [--files 8] [--keep DIR]
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import shutil
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CLAIMS = [
    "Our stem cell therapy has no side effects and results are guaranteed.",
    "Stem cells cure arthritis, multiple sclerosis and Parkinson's disease.",
    "This FDA approved regenerative treatment reverses knee damage in one visit.",
    "Patients say it's a miracle: they walked out pain free the same day.",
    "Our exosome injections regrow cartilage and heal any injury naturally.",
    "Guaranteed results for COPD, autism and long COVID, or your money back.",
    "Amniotic stem cells are 100% safe, risk-free and backed by science.",
]
HONEST = [
    "Stem cell treatments for joint pain are still being studied in clinical trials.",
    "Ask your doctor about the risks, including infection, bleeding and tumour growth.",
    "Results vary and no treatment can be promised to work for every patient.",
    "Our clinic is open Monday to Friday from eight in the morning until six in the evening.",
    "Free parking is available behind the building, next to the pharmacy.",
    "The consultation takes about forty minutes and includes a physical examination.",
    "Please bring a list of your medicines and any imaging reports to your appointment.",
    "We accept most insurance plans; treatment costs are discussed before any procedure.",
    "Dr. Rivera trained in orthopaedic surgery and sports medicine for twelve years.",
    "Read the FDA consumer update on stem cell products before you decide on treatment.",
    "Our newsletter covers recovery tips, stretching routines and healthy eating.",
    "Call the front desk to move or cancel an appointment at least a day ahead.",
]
_JS = ("function var let const return if else for while this window document query selector "
            "addEventListener click load analytics track push data layer config init module export "
            "import async await promise then catch json parse stringify length index value key map "
            "filter reduce slider carousel modal menu toggle cookie consent banner")
JS_WORDS = _JS.split()


def page(rng: random.Random, n: int, claimy: bool) -> bytes:
    """An HTML page of about 100 KB: a big inline script and style, navigation, a few KB of copy."""
    script = " ".join(rng.choice(JS_WORDS) + (f"_{rng.randrange(1000)}" if rng.random() < 0.3 else "")
                      for _ in range(11000))
    style = "".join(f".c{rng.randrange(10 ** 6)}{{margin:{rng.randrange(40)}px;"
                    f"color:#{rng.randrange(16 ** 6):06x}}}" for _ in range(250))
    nav = "".join(f"<li><a href='/p{rng.randrange(500)}.html'>Section {k}</a></li>" for k in range(40))
    paras = []
    for _ in range(rng.randrange(12, 24)):
        pool = CLAIMS if claimy and rng.random() < 0.15 else HONEST
        paras.append("<p>" + " ".join(rng.choice(pool) for _ in range(rng.randrange(2, 5))) + "</p>")
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>Clinic page {n}</title>"
            f"<style>{style}</style><script>{script}</script></head><body><nav><ul>{nav}</ul></nav>"
            f"<main><h1>Regenerative medicine, page {n}</h1>{''.join(paras)}</main>"
            f"<footer>Copyright clinic {n % 97}</footer></body></html>").encode()


def generate(directory: Path, total_mb: float, files: int, seed: int = 7) -> tuple[int, int]:
    """Write ``files`` WARC files totalling at least ``total_mb`` MB on disk; (records, bytes)."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    rng = random.Random(seed)
    per_file = total_mb * 1e6 / files
    records = n = 0
    for i in range(files):
        path = directory / f"CC-BENCH-{i:05d}.warc.gz"
        with open(path, "wb") as fh:
            writer = WARCWriter(fh, gzip=True)
            writer.write_record(writer.create_warcinfo_record(path.name, {"software": "bench_warc"}))
            records += 1
            while fh.tell() < per_file:
                n += 1
                host = f"clinic-{rng.randrange(2000):04d}.example"
                url = f"https://www.{host}/p{n}.html"
                kind = rng.random()
                if kind < 0.08:
                    body, status, ctype = rng.randbytes(20000), "200 OK", "image/jpeg"
                elif kind < 0.12:
                    body, status, ctype = b"<html><body>Not found</body></html>", "404 Not Found", "text/html"
                elif kind < 0.15:
                    body, status, ctype = b"", "301 Moved Permanently", "text/html"
                else:
                    body, status = page(rng, n, rng.random() < 0.5), "200 OK"
                    ctype = "text/html; charset=utf-8"
                headers = [("Content-Type", ctype), ("Content-Length", str(len(body)))]
                http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
                response = writer.create_warc_record(url, "response", payload=BytesIO(body),
                                                     http_headers=http)
                request = writer.create_warc_record(
                    url, "request", payload=BytesIO(b""),
                    http_headers=StatusAndHeaders(f"GET /p{n}.html HTTP/1.1", [("Host", f"www.{host}")],
                                                  is_http_request=True))
                meta = writer.create_warc_record(url, "metadata", payload=BytesIO(b"fetchTimeMs: 120\r\n"),
                                                 warc_content_type="application/warc-fields")
                for rec in (request, response, meta):
                    writer.write_record(rec)
                records += 3
    size = sum(p.stat().st_size for p in directory.glob("*.warc.gz"))
    return records, size


def parse_warcio(paths: list[Path]) -> tuple[int, int]:
    from warcio.archiveiterator import ArchiveIterator

    records = payload = 0
    for p in paths:
        with open(p, "rb") as fh:
            for rec in ArchiveIterator(fh):
                payload += len(rec.content_stream().read())
                records += 1
    return records, payload


def parse_fastwarc(paths: list[Path]) -> tuple[int, int]:
    from fastwarc.warc import ArchiveIterator

    records = payload = 0
    for p in paths:
        with open(p, "rb") as fh:
            for rec in ArchiveIterator(fh, parse_http=True):
                payload += len(rec.reader.read())
                records += 1
    return records, payload


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} CPUs"


def lint_run(paths: list[Path], work: Path, name: str, workers: int | None
             ) -> tuple[float, float, float, dict, list]:
    """One `claimlint warc` job (partitions, then merge): wall seconds, cluster start-up, CPU
    seconds of the linting processes, counts, findings."""
    from claimlint.crawl.store import Store
    from claimlint.merge import merge_stores
    from claimlint.warc.job import Job, plan, run_local

    job = Job(str(work / f"{name}-shards"))
    shutil.rmtree(job.shard_dir, ignore_errors=True)  # a kept directory must not serve old shards
    for suffix in ("", "-wal", "-shm"):
        (work / f"{name}.db{suffix}").unlink(missing_ok=True)
    parts = plan([str(p) for p in paths])
    startup, cluster, client = 0.0, None, None
    if workers:
        from dask.distributed import Client, LocalCluster

        t0 = time.perf_counter()
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR)
        client = Client(cluster, set_as_default=False)
        client.run(_warm)  # every worker loads spaCy and the rule pack before the clock starts
        startup = time.perf_counter() - t0
        cpu0 = sum(client.run(_cpu).values())
    else:
        _warm()  # the same for the one-process run: spaCy and the rules loaded before the clock starts
        cpu0 = _cpu()
    t0 = time.perf_counter()
    if workers:
        from claimlint.warc.dask_run import run_dask

        results = run_dask(parts, job, scheduler=cluster.scheduler_address)
    else:
        results = run_local(parts, job)
    db = work / f"{name}.db"
    merge_stores(db, [str(job.shard_path(p)) for p in parts], key=name)
    seconds = time.perf_counter() - t0
    cpu = (sum(client.run(_cpu).values()) if client else _cpu()) - cpu0
    if client:
        client.close()
        cluster.close()
    counts: dict[str, int] = {}
    for r in results:
        for k, v in r.items():
            if k != "reused":
                counts[k] = counts.get(k, 0) + int(v)
    store = Store(db, readonly=True)
    found = sorted((r["url"], r["rule"], r["line"], r["col"]) for r in store.findings(store.scan()["id"]))
    store.close()
    return seconds, startup, cpu, counts, found


def _cpu() -> float:
    """CPU seconds (user + system) this process has used: unlike wall time, not inflated by
    other work on a shared machine."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _warm() -> bool:
    from claimlint.record import default_linter

    return default_linter() is not None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=200.0, help="Corpus size on disk (gzipped WARC), MB.")
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--keep", default=None, help="Generate into (and keep) this directory.")
    parser.add_argument("--skip", default="", help="Comma list of runs to skip: one,dask1,dask2")
    args = parser.parse_args()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="claimlint-bench-warc-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        corpus = work / "corpus"
        corpus.mkdir(exist_ok=True)
        t0 = time.perf_counter()
        if not list(corpus.glob("*.warc.gz")):
            generate(corpus, args.mb, args.files)
        paths = sorted(corpus.glob("*.warc.gz"))
        size = sum(p.stat().st_size for p in paths)
        print(f"corpus: {len(paths)} files, {size / 1e6:.1f} MB gzipped WARC "
              f"(generated in {time.perf_counter() - t0:.1f} s) in {corpus}")
        print(load())

        t0 = time.perf_counter()
        records, payload = parse_warcio(paths)
        t_warcio = time.perf_counter() - t0
        print(f"records: {records}, {payload / 1e6:.1f} MB of payload (uncompressed)")
        print(f"parse only, warcio:    {t_warcio:6.1f} s  {records / t_warcio:8.0f} records/s  "
              f"{size / 1e6 / t_warcio:6.1f} MB/s")
        try:
            t0 = time.perf_counter()
            parse_fastwarc(paths)
            t_fast = time.perf_counter() - t0
            print(f"parse only, FastWARC:  {t_fast:6.1f} s  {records / t_fast:8.0f} records/s  "
                  f"{size / 1e6 / t_fast:6.1f} MB/s  ({t_warcio / t_fast:.1f}x warcio)")
        except ImportError:
            print("parse only, FastWARC: not installed (pip install fastwarc) - skipped")

        runs = {}
        for name, workers in (("one", None), ("dask1", 1), ("dask2", 2)):
            if name in args.skip.split(","):
                continue
            seconds, startup, cpu, counts, found = lint_run(paths, work, name, workers)
            runs[name] = (seconds, found)
            linted = sum(v for k, v in counts.items() if k.startswith("linted"))
            cpu_note = f"CPU {cpu:.1f} s in lint processes, {1000 * cpu / linted:.1f} ms per page linted"
            label = {"one": "one process", "dask1": "Dask, 1 worker", "dask2": "Dask, 2 workers"}[name]
            print(f"claimlint warc, {label:15} {seconds:7.1f} s  {records / seconds:7.0f} records/s  "
                  f"{size / 1e6 / seconds:5.2f} MB/s gz  {payload / 1e6 / seconds:5.2f} MB/s payload  "
                  f"({linted} pages linted, {len(found)} findings"
                  + (f"; cluster start-up {startup:.1f} s not counted" if workers else "") + ")")
            print(f"  {cpu_note}; {load()}")
        if "one" in runs and "dask1" in runs:
            ratio = runs["dask1"][0] / runs["one"][0]
            print(f"Dask overhead, 1 worker vs one process: {ratio:.2f}x the time")
        if "dask1" in runs and "dask2" in runs:
            print(f"scaling, Dask 2 workers vs 1: {runs['dask1'][0] / runs['dask2'][0]:.2f}x faster")
        found = {name: f for name, (_, f) in runs.items()}
        same = len({tuple(f) for f in found.values()}) <= 1
        print(f"identical findings in all runs: {'yes' if same else 'NO'}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
