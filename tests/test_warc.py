"""``lint_record`` and ``claimlint warc`` / ``index`` / ``merge`` in one process: WARC and WET
files captured at test time from the fixture sites on 127.0.0.1 (tests/archiveworld.py),
evidence pointers that lead back to the bytes, damaged input, filters, the Parquet index recipe
with local and HTTP range reads, idempotent reruns and merged crawl shards."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from click.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator

from claimlint.cli import main
from claimlint.crawl.lintpool import init_worker
from claimlint.crawl.page import decode_page
from claimlint.crawl.store import Store
from claimlint.lint import read_document
from claimlint.record import lint_record, lint_records
from claimlint.warc.job import Filters, Job, lint_partition, plan
from claimlint.warc.records import Capture, Damage, read_records
from tests.archiveworld import RangeServer, capture_archive, write_wet

HTML_PAGES = 12  # HTML 200 responses in the captured archive (tests/archiveworld.py)
CLAIM_PAGE = (b"<!doctype html><html><head><title>Knee clinic</title></head><body><main><p>Our stem "
              b"cell therapy has no side effects and offers guaranteed results for knee pain.</p></main>"
              b"</body></html>")


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("archive")
    warc = root / "capture.warc.gz"
    urls = capture_archive(warc)
    wet = root / "capture.warc.wet.gz"
    conversions = write_wet(warc, wet)
    return {"root": root, "warc": warc, "wet": wet, "urls": urls, "conversions": conversions}


def findings_of(db: Path) -> list[tuple]:
    store = Store(db, readonly=True)
    try:
        rows = store.findings(store.scan()["id"])
        return sorted((r["url"], r["rule"], r["line"], r["col"], r["text"], r["fingerprint"]) for r in rows)
    finally:
        store.close()


def report_json(db: Path) -> dict:
    code, out = cli("report", str(db), "--format", "json")
    assert code == 0
    return json.loads(out)


# lint_record ------------------------------------------------------------------------------

def test_lint_record_is_the_lint_path_for_html(linter):
    result = lint_record(CLAIM_PAGE, "https://knee.example/", [("Content-Type", "text/html; charset=utf-8")])
    assert result.state == "ok" and result.kind == "html"
    expected = linter.lint_document(read_document(CLAIM_PAGE.decode(), "html", "https://knee.example/"))
    assert [f.to_dict() for f in result.findings] == [f.to_dict() for f in expected]
    assert {f.rule.split(".")[0] for f in result.findings} >= {"SAFETY", "GUARANTEE"}


def test_lint_record_reads_by_content_type(linter):
    text = "Our stem cell therapy has no side effects.\n\nResults are guaranteed."
    results = lint_records([
        (text.encode(), "https://wet.example/", {"Content-Type": "text/plain"}),
        (b"%PDF-1.4 ...", "https://x.example/a.pdf", [("Content-Type", "application/pdf")]),
        (b"   ", "https://x.example/empty", [("Content-Type", "text/html")]),
        (b"\x00\x01\x02binary" * 100, "https://x.example/bin", [("content-type", "text/html")]),
        (CLAIM_PAGE, "https://x.example/no-type", None),
        ("<p>Nuestras células madre curan la artritis garantizado</p>".encode("cp1252"), "https://x.example/l1",
         [("Content-Type", "text/html; charset=windows-1252")]),
    ], linter=linter)
    assert [r.state for r in results] == ["ok", "skipped", "empty", "error", "ok", "ok"]
    assert results[0].kind == "text" and results[0].findings
    assert "application/pdf" in results[1].reason and "binary" in results[3].reason
    assert results[4].kind == "html" and results[4].findings  # sniffed as HTML without a Content-Type
    assert results[5].encoding == "cp1252"


# reading archives -------------------------------------------------------------------------

def test_records_carry_pointers_that_lead_back_to_their_bytes(archive):
    records = [r for r in read_records(archive["warc"]) if isinstance(r, Capture)]
    assert len(records) == 1 + 2 * len(archive["urls"])  # warcinfo, then response + request per URL
    data = archive["warc"].read_bytes()
    for r in records:
        one = next(iter(ArchiveIterator(_bytes_io(data[r.offset:r.offset + r.length]))))
        assert one.rec_headers.get_header("WARC-Record-ID") == r.record_id
    ends = [r.offset + r.length for r in records]
    assert [r.offset for r in records[1:]] == ends[:-1] and ends[-1] == len(data)


def _bytes_io(data: bytes):  # noqa: ANN202
    import io

    return io.BytesIO(data)


def test_warc_and_wet_are_linted_into_the_store_with_evidence(archive, tmp_path):
    db = tmp_path / "scan.db"
    code, out = cli("warc", str(archive["warc"]), str(archive["wet"]), "--db", str(db))
    assert code == 0, out
    assert "skipped: request record: 14" in out and "skipped: HTTP status 404: 1" in out
    assert "skipped: not HTML or text: 1" in out  # the PDF
    data = report_json(db)
    by_domain = {s["domain"]: s for s in data["sites"]}
    assert {"clinic-a.test", "clinic-d.test", "clinic-e.test", "pages.test"} <= set(by_domain)
    assert archive["conversions"] == HTML_PAGES
    assert data["summary"]["pages_checked"] == 2 * HTML_PAGES
    findings = [f for s in data["sites"] for p in s["pages"] for f in p["findings"]]
    assert findings and all(f["evidence"] for f in findings)
    blobs = {archive["warc"]: archive["warc"].read_bytes(), archive["wet"]: archive["wet"].read_bytes()}
    kinds = Counter()
    for f in findings:
        ev = f["evidence"]
        raw = blobs[Path(ev["warc_file"])][ev["offset"]:ev["offset"] + ev["length"]]
        record = next(iter(ArchiveIterator(_bytes_io(raw))))
        kinds[record.rec_type] += 1
        assert record.rec_headers.get_header("WARC-Record-ID") == ev["record_id"]
        assert record.rec_headers.get_header("WARC-Target-URI") == ev["target_uri"] == f["url"]
        assert record.rec_headers.get_header("WARC-Date") == ev["capture_date"] == f["fetched_at"]
        assert ev["payload_digest"].startswith("sha1:")
        ctype = record.http_headers.get_header("Content-Type") if record.http_headers else None
        payload = decode_page(record.content_stream().read(), ctype).text
        assert f["claim"].split()[0] in payload
    assert kinds["response"] and kinds["conversion"]  # HTML responses and WET text both linted
    code, page = cli("report", str(db), "--format", "html")
    assert code == 0 and f"at offset {findings[0]['evidence']['offset']}" in page
    assert findings[0]["evidence"]["record_id"].replace("<", "&lt;").replace(">", "&gt;") in page
    code, table = cli("report", str(db), "--format", "csv")
    assert code == 0 and ",warc_file,warc_offset,warc_length,warc_record_id" in table.splitlines()[0]
    store = Store(db, readonly=True)
    assert store.db.execute("SELECT COUNT(*) FROM scans").fetchone()[0] == 1
    store.close()
    assert not (tmp_path / "scan.db.shards").exists()  # shards merged and removed


def _damaged_copy(src: Path, dst: Path) -> tuple[int, int]:
    """Corrupt the compressed bytes of one response in the middle and cut the last record in half."""
    records = [r for r in read_records(src) if isinstance(r, Capture)]
    data = bytearray(src.read_bytes())
    victim = next(r for r in records if r.record_type == "response" and "aggressive" in r.target_uri)
    mid = victim.offset + victim.length // 2
    data[mid:mid + 24] = b"\x00" * 24
    last = records[-1]
    dst.write_bytes(bytes(data[:last.offset + last.length // 2]))
    return victim.offset, last.offset


def test_a_damaged_record_and_a_truncated_file_are_reported_and_skipped(archive, tmp_path):
    bad = tmp_path / "damaged.warc.gz"
    victim, last = _damaged_copy(archive["warc"], bad)
    items = list(read_records(bad))
    damage = [d for d in items if isinstance(d, Damage)]
    assert [d.offset for d in damage] == [victim, last]
    assert all(d.problem and d.skipped_bytes > 0 for d in damage)
    good = [r for r in items if isinstance(r, Capture)]
    assert len(good) == 1 + 2 * len(archive["urls"]) - 2  # everything else was read
    db = tmp_path / "scan.db"
    code, out = cli("warc", str(bad), "--db", str(db))
    assert code == 0
    assert f"at offset {victim}: damaged record" in out and f"at offset {last}:" in out
    assert "2 damaged" in out
    urls = {f[0] for f in findings_of(db)}
    assert not any("aggressive" in u for u in urls) and any("offshore" in u for u in urls)
    store = Store(db, readonly=True)
    assert len(store.archive_problems(store.scan()["id"])) == 2
    store.close()


def test_unreadable_inputs_do_not_stop_the_run(archive, tmp_path):
    junk = tmp_path / "junk.warc.gz"
    junk.write_bytes(b"this is not a web archive at all\n" * 20)
    db = tmp_path / "scan.db"
    code, out = cli("warc", str(junk), str(archive["warc"]), "--db", str(db))
    assert code == 0 and "junk.warc.gz at offset 0" in out
    assert findings_of(db)
    assert cli("warc", str(tmp_path / "missing.warc"), "--db", str(db))[0] == 2


# selection --------------------------------------------------------------------------------

def test_domains_and_url_pattern_select_before_linting(archive, tmp_path):
    domains = tmp_path / "clinics.txt"
    domains.write_text("# clinics to check\nclinic-e.test\nhttps://clinic-d.test/\n")
    db = tmp_path / "scan.db"
    code, out = cli("warc", str(archive["warc"]), "--db", str(db), "--domains", str(domains))
    assert code == 0 and "not selected by --domains/--url-pattern" in out
    assert {s["domain"] for s in report_json(db)["sites"]} == {"clinic-d.test", "clinic-e.test"}
    db2 = tmp_path / "scan2.db"
    assert cli("warc", str(archive["warc"]), "--db", str(db2), "--url-pattern", r"promo-")[0] == 0
    assert {u.rsplit("/", 1)[1] for u, *_ in findings_of(db2)} == {"promo-no-risks.html",
                                                                   "promo-with-risks.html"}
    assert cli("warc", str(archive["warc"]), "--db", str(db2), "--url-pattern", "([")[0] == 2


def _write_index(archive: dict, path: Path) -> None:
    """A small cc-index style Parquet table for the captured WARC, plus rows that must not match."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from claimlint.crawl.urls import host_of, registered_domain

    rows = {c: [] for c in ("url", "url_host_name", "url_host_registered_domain", "fetch_status",
                            "content_mime_detected", "warc_filename", "warc_record_offset",
                            "warc_record_length", "subset")}

    def add(url, status, mime, name, offset, length):  # noqa: ANN001, ANN202
        host = host_of(url)
        for key, value in zip(rows, (url, host, registered_domain(host), status, mime, name, offset, length,
                                     "warc")):
            rows[key].append(value)

    for r in read_records(archive["warc"]):
        if isinstance(r, Capture) and r.record_type == "response":
            mime = (r.content_type or "").split(";")[0]
            add(r.target_uri, r.status, mime, archive["warc"].name, r.offset, r.length)
    add("https://www.unrelated-bakery.example/", 200, "text/html", "other.warc.gz", 0, 500)
    add("http://clinic-e.test/logo.png", 200, "image/png", "other.warc.gz", 500, 500)
    pq.write_table(pa.table(rows), path, row_group_size=4)


def test_columnar_index_ranges_read_locally_and_over_http(archive, tmp_path):
    index = tmp_path / "cc-index.parquet"
    _write_index(archive, index)
    domains = tmp_path / "clinics.txt"
    domains.write_text("clinic-a.test\npages.test\nclinic-e.test\n")
    ranges = tmp_path / "ranges.tsv"
    result = CliRunner().invoke(main, ["index", str(index), "--domains", str(domains), "-o", str(ranges)])
    assert result.exit_code == 0, result.output
    lines = ranges.read_text().splitlines()
    assert len(lines) == 11  # clinic-a's 5 HTML pages (not its PDF or 404), pages.test 5, clinic-e 1
    assert all(line.split("\t")[0] == archive["warc"].name for line in lines)
    whole = tmp_path / "whole.db"
    assert cli("warc", str(archive["warc"]), "--db", str(whole), "--domains", str(domains))[0] == 0
    local = tmp_path / "local.db"
    code, out = cli("warc", "--ranges", str(ranges), "--prefix", str(archive["root"]), "--db", str(local))
    assert code == 0, out
    assert findings_of(local) == findings_of(whole) != []
    server = RangeServer(archive["root"])
    try:
        remote = tmp_path / "remote.db"
        code, out = cli("warc", "--ranges", str(ranges), "--prefix", server.url, "--db", str(remote),
                        "--partitions", "3")
        assert code == 0, out
    finally:
        server.stop()
    assert findings_of(remote) == findings_of(whole)
    assert len(server.requests) == len(lines) and all(r.startswith("bytes=") for _, r in server.requests)
    ev = report_json(remote)["sites"][0]["pages"][0]["findings"][0]["evidence"]
    assert ev["warc_file"].startswith(server.url)


# partitions, reruns, merge ----------------------------------------------------------------

def test_a_rerun_redoes_only_missing_partitions_and_replaces_the_scan(archive, tmp_path):
    files = [tmp_path / f"part{i}.warc.gz" for i in range(3)]
    for f in files:
        shutil.copy(archive["warc"], f)
    db, shards = tmp_path / "scan.db", tmp_path / "shards"
    args = ["warc", *map(str, files), "--db", str(db), "--shard-dir", str(shards), "--keep-shards"]
    assert cli(*args)[0] == 0
    first = findings_of(db)
    made = sorted(shards.glob("part-*.db"))
    assert len(made) == 3
    made[1].unlink()  # as if that partition's task had died
    mtimes = {p: p.stat().st_mtime_ns for p in made if p.exists()}
    code, out = cli(*args)
    assert code == 0 and "2 partition(s) reused" in out
    assert all(p.stat().st_mtime_ns == t for p, t in mtimes.items())
    assert findings_of(db) == first
    store = Store(db, readonly=True)
    assert store.db.execute("SELECT COUNT(*) FROM scans").fetchone()[0] == 1  # replaced, not added
    assert store.db.execute("SELECT COUNT(*) FROM archive_records").fetchone()[0] == 3 * HTML_PAGES
    store.close()


def test_partitions_are_balanced_and_keyed_by_content(archive, tmp_path):
    sizes = [300, 100, 200, 50]
    files = []
    for i, size in enumerate(sizes):
        f = tmp_path / f"f{i}.warc"
        f.write_bytes(b"x" * size)
        files.append(str(f))
    parts = plan(files, partitions=2)
    assert sorted(sum(Path(u.location).stat().st_size for u in p.units) for p in parts) == [300, 350]
    job = Job(str(tmp_path / "s"))
    other = Job(str(tmp_path / "s"), filters=Filters(url_pattern="x"))
    assert job.shard_path(parts[0]) != other.shard_path(parts[0])  # other filters: other shard
    assert lint_partition(parts[0], job)["damaged"] == 2 and job.shard_path(parts[0]).exists()


@pytest.fixture(scope="module")
def lint_pool():
    pool = ThreadPoolExecutor(max_workers=1, initializer=init_worker, initargs=(None,))
    yield pool
    pool.shutdown()


def test_merged_crawl_shards_equal_one_unsharded_crawl(tmp_path, lint_pool):
    from claimlint.crawl.cli import seed_shard
    from claimlint.crawl.crawler import Crawler, CrawlOptions
    from claimlint.crawl.resolve import resolving
    from tests.archiveworld import fixture_server_module

    srv = fixture_server_module()
    server = srv.FixtureServer(srv.fixture_sites()).start()
    seeds = [f"http://clinic-d.test:{server.port}/", f"http://clinic-e.test:{server.port}/"]
    shards = {i: [s for s in seeds if seed_shard(s, 2) == i] for i in (1, 2)}
    assert shards[1] and shards[2]  # the fixture domains fall in both shards
    options = CrawlOptions(delay=0.05, timeout=2, retries=0, max_depth=20, calendar_cap=5, workers=8)

    def crawl(db: Path, crawl_seeds: list[str]) -> None:
        store = Store(db)
        with resolving({name: "127.0.0.1" for name in srv.fixture_sites()}):
            Crawler(store, crawl_seeds, options, lint_pool=lint_pool).run()
        store.close()

    try:
        crawl(tmp_path / "all.db", seeds)
        crawl(tmp_path / "s1.db", shards[1])
        crawl(tmp_path / "s2.db", shards[2])
    finally:
        server.stop()
    merged = tmp_path / "merged.db"
    for _ in range(2):  # merging twice replaces the merged scan
        code, out = cli("merge", str(merged), str(tmp_path / "s1.db"), str(tmp_path / "s2.db"))
        assert code == 0, out
    assert findings_of(merged) == findings_of(tmp_path / "all.db") != []
    a, b = report_json(merged), report_json(tmp_path / "all.db")
    assert [(s["domain"], s["pages_checked"], s["findings"]) for s in a["sites"]] == \
        [(s["domain"], s["pages_checked"], s["findings"]) for s in b["sites"]]
    store = Store(merged, readonly=True)
    scan_id = store.scan()["id"]
    fetches = store.db.execute("SELECT COUNT(*) FROM fetches WHERE scan_id=? AND status IS NOT NULL",
                               (scan_id,)).fetchone()[0]
    store.close()
    manifest = (tmp_path / f"merged-scan{scan_id}.sha256").read_text().splitlines()
    shard_fetches = 0
    for n in (1, 2):
        shard = Store(tmp_path / f"s{n}.db", readonly=True)
        shard_fetches += shard.db.execute(
            "SELECT COUNT(*) FROM fetches WHERE status IS NOT NULL").fetchone()[0]
        shard.close()
    assert len([ln for ln in manifest if not ln.startswith("#")]) == fetches == shard_fetches
    code, out = cli("diff", str(tmp_path / "all.db"), str(merged))
    assert code == 0 and "0 new, 0 resolved" in out.splitlines()[-1]
    # the same engine everywhere: the crawl's own evidence WARC, linted as an archive, gives the
    # crawl's findings page for page (diff matches them by site, page, rule and sentence)
    from claimlint.crawl.evidence import write_warc

    crawled = Store(tmp_path / "all.db")
    write_warc(crawled, crawled.scan()["id"], tmp_path / "evidence.warc.gz", "claimlint crawl (test)")
    crawled.close()
    archived = tmp_path / "archived.db"
    code, out = cli("warc", str(tmp_path / "evidence.warc.gz"), "--db", str(archived))
    assert code == 0, out
    code, out = cli("diff", str(tmp_path / "all.db"), str(archived))
    assert code == 0 and out.splitlines()[-1].startswith("total: 0 new, 0 resolved"), out
    assert findings_of(archived) == findings_of(tmp_path / "all.db")


def test_the_spark_recipe_functions_give_the_same_findings(archive, tmp_path):
    """examples/spark_lint.py without Spark: its mapPartitions function over a whole file and
    over index-style ranges finds what `claimlint warc` finds (pyspark itself is not installed)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("spark_lint", Path(__file__).parents[1] / "examples" /
                                                  "spark_lint.py")
    recipe = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(recipe)
    db = tmp_path / "scan.db"
    assert cli("warc", str(archive["warc"]), "--db", str(db))[0] == 0
    expected = sorted((u, rule, line, col) for u, rule, line, col, *_ in findings_of(db))
    rows = list(recipe.lint_inputs([recipe.parse_input(str(archive["warc"]))]))
    assert sorted((r["url"], r["rule"], r["line"], r["column"]) for r in rows) == expected
    ranges = [recipe.parse_input(f"{archive['warc']} {r.offset} {r.length}")
              for r in read_records(archive["warc"]) if isinstance(r, Capture)]
    rows = list(recipe.lint_inputs(ranges))
    assert sorted((r["url"], r["rule"], r["line"], r["column"]) for r in rows) == expected
    assert all(set(r) == set(recipe.FIELDS) for r in rows)


def test_standard_input_is_kept_next_to_the_database(archive, tmp_path):
    db = tmp_path / "scan.db"
    result = CliRunner().invoke(main, ["warc", "-", "--db", str(db)], input=archive["warc"].read_bytes())
    assert result.exit_code == 0, result.output
    kept = tmp_path / "scan.db.stdin.warc"
    assert kept.read_bytes() == archive["warc"].read_bytes()
    evidence = report_json(db)["sites"][0]["pages"][0]["findings"][0]["evidence"]
    assert evidence["warc_file"] == str(kept)


def test_a_range_longer_than_the_size_limit_is_not_read(archive):
    from claimlint.warc.records import Range, read_range

    items = list(read_range(Range(str(archive["warc"]), 0, 50_000_000), max_body=1_000_000))
    assert len(items) == 1 and isinstance(items[0], Damage) and "larger than" in items[0].problem


def test_a_directory_is_read_for_its_archives(archive, tmp_path):
    one, both = tmp_path / "dir.db", tmp_path / "files.db"
    assert cli("warc", str(archive["root"]), "--db", str(one))[0] == 0
    assert cli("warc", str(archive["warc"]), str(archive["wet"]), "--db", str(both))[0] == 0
    assert findings_of(one) == findings_of(both) != []


def test_busy_range_server_is_retried_and_a_job_that_still_fails_resumes(archive, tmp_path, monkeypatch):
    import claimlint.warc.records as records

    monkeypatch.setattr(records, "HTTP_BACKOFF", 0.0)
    responses = [r for r in read_records(archive["warc"]) if isinstance(r, Capture)
                 and r.record_type == "response" and r.status == 200 and "html" in (r.content_type or "")]
    ranges = tmp_path / "ranges.tsv"
    ranges.write_text("".join(f"{archive['warc'].name}\t{r.offset}\t{r.length}\n" for r in responses)
                      + "missing.warc.gz\t0\t100\n")
    server = RangeServer(archive["root"])
    try:
        first, last = responses[0].offset, responses[-1].offset
        server.failures[first] = [503, 429]  # busy twice, then served
        server.failures[last] = [503] * (records.HTTP_RETRIES + 1)  # busy for this whole run
        db = tmp_path / "scan.db"
        args = ["warc", "--ranges", str(ranges), "--prefix", server.url, "--db", str(db), "--partitions", "3"]
        code, out = cli(*args)
        assert code == 2 and "503" in out and "run the same command again" in out
        assert len(list((tmp_path / "scan.db.shards").glob("part-*.db"))) == 2  # the others are kept
        code, out = cli(*args)  # the server has recovered
        assert code == 0 and "2 partition(s) reused" in out, out
    finally:
        server.stop()
    assert [r for _, r in server.requests].count(f"bytes={first}-{first + responses[0].length - 1}") == 3
    assert "missing.warc.gz at offset 0: cannot read range: HTTP 404" in out  # not there: damage
    whole = tmp_path / "whole.db"
    assert cli("warc", str(archive["warc"]), "--db", str(whole))[0] == 0
    assert findings_of(db) == findings_of(whole)
