"""Click commands ``warc`` (lint web archives, in one process or on Dask), ``merge`` (join scan
databases) and ``index`` (select record ranges from a columnar URL index)."""

from __future__ import annotations

import contextlib
import shlex
import shutil
import sys
from pathlib import Path

import click

from claimlint.crawl.cli import DEFAULT_DB, _fail


def _filters(domains_file: str | None, url_pattern: str | None):  # noqa: ANN202
    import re

    from claimlint.warc.job import Filters, read_domains

    domains = frozenset()
    if domains_file:
        try:
            domains = read_domains(domains_file)
        except OSError as exc:
            _fail(f"{domains_file}: {exc.strerror or exc}")
        if not domains:
            _fail(f"{domains_file}: no domains in the file")
    if url_pattern:
        try:
            re.compile(url_pattern)
        except re.error as exc:
            _fail(f"--url-pattern {url_pattern!r} is not a valid regular expression: {exc}")
    return Filters(domains, url_pattern)


@click.command()
@click.argument("inputs", nargs=-1)
@click.option("--ranges", "ranges_file", type=click.Path(exists=True, dir_okay=False),
              help="File of 'file offset length' lines (from `claimlint index`): read only those records.")
@click.option("--prefix", default="", help="Put before relative file names in --ranges: a directory or a "
                                           "URL base such as https://data.commoncrawl.org/.")
@click.option("--db", default=DEFAULT_DB, show_default=True, help="Scan database (SQLite) to write.")
@click.option("--domains", "domains_file", type=click.Path(),
              help="Lint only records whose host or registered domain is listed in this file.")
@click.option("--url-pattern", default=None,
              help="Lint only records whose URL matches this regular expression.")
@click.option("--dask", "use_dask", is_flag=True,
              help="Run the partitions on Dask (pip install 'claimlint[dask]').")
@click.option("--scheduler", default=None, help="Dask scheduler address [default: a LocalCluster].")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="LocalCluster worker processes [default: one per CPU].")
@click.option("--partitions", type=click.IntRange(min=1), default=None,
              help="Partitions (tasks) [default: one per file; ranges in groups of 1000].")
@click.option("--shard-dir", type=click.Path(file_okay=False), default=None,
              help="Where partitions write their shards [default: DB + '.shards'].")
@click.option("--keep-shards", is_flag=True, help="Keep the shards after merging them.")
@click.option("--config", "config_path", type=click.Path(), default=None, help="claimlint config file.")
@click.option("--quiet", "-q", is_flag=True, help="Only errors.")
def warc(inputs: tuple[str, ...], ranges_file: str | None, prefix: str, db: str, domains_file: str | None,
         url_pattern: str | None, use_dask: bool, scheduler: str | None, workers: int | None,
         partitions: int | None, shard_dir: str | None, keep_shards: bool, config_path: str | None,
         quiet: bool) -> None:
    """Lint the HTML responses and WET text of web archives (WARC/WET files, directories, or
    '-' for standard input) into a scan database that `report` and `diff` read.

    Each partition writes a shard; running the same command again after a failure redoes only
    the partitions that did not finish.
    """
    from claimlint.cli import _load_config
    from claimlint.crawl.evidence import default_manifest_path, write_manifest
    from claimlint.crawl.store import StoreError
    from claimlint.merge import merge_stores
    from claimlint.warc.job import Job, collect_paths, plan, read_ranges, run_local

    if not inputs and not ranges_file:
        _fail("give WARC/WET files or directories, '-', or --ranges FILE")
    filters = _filters(domains_file, url_pattern)
    config = _load_config(config_path, [])
    paths = collect_paths(_spool_stdin(db) if i == "-" else i for i in inputs)
    missing = [p for p in paths if not Path(p).is_file()]
    if missing:
        _fail(f"{missing[0]}: no such file")
    try:
        ranges = read_ranges(ranges_file, prefix) if ranges_file else []
    except (OSError, ValueError) as exc:
        _fail(str(exc))
    if not paths and not ranges:
        _fail("no WARC/WET files found")
    shards = Path(shard_dir or f"{db}.shards")
    job = Job(str(shards), config, filters)
    parts = plan(paths, ranges, partitions)
    say = (lambda m: None) if quiet else (lambda m: click.echo(m, err=True))
    say(f"{len(paths)} file(s), {len(ranges)} range(s) in {len(parts)} partition(s); shards in {shards}")
    done = []

    def report_part(part, counts: dict) -> None:  # noqa: ANN001
        done.append(part.index)
        state = "reused" if counts.get("reused") else f"{counts.get('records', 0)} records"
        say(f"partition {part.index + 1} done ({len(done)}/{len(parts)}): {state}, "
            f"{counts.get('findings', 0)} findings, {counts.get('damaged', 0)} damaged")

    try:
        if use_dask:
            try:
                from claimlint.warc.dask_run import run_dask
            except ImportError:
                _fail('--dask needs Dask: pip install "claimlint[dask]"')
            results = run_dask(parts, job, scheduler=scheduler, workers=workers, progress=report_part)
        else:
            results = run_local(parts, job, progress=report_part)
    except KeyboardInterrupt:
        click.echo("\ninterrupted: run the same command again to finish the missing partitions", err=True)
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - a task failed after its retries, or the cluster did
        _fail(f"the job stopped: {type(exc).__name__}: {exc}\nfinished partitions are kept in {shards}; "
              "run the same command again to do the missing ones")
    key = "warc-" + _job_key(job, parts)
    command = " ".join(shlex.quote(a) for a in ["claimlint", *sys.argv[1:]])
    try:
        scan_id = merge_stores(db, [str(job.shard_path(p)) for p in parts], key=key, command=command)
        from claimlint.crawl.store import Store

        store = Store(db)
        write_manifest(store, scan_id, default_manifest_path(db, scan_id))
        problems = store.archive_problems(scan_id)
        store.close()
    except StoreError as exc:
        _fail(str(exc))
    if not keep_shards:
        _remove_shards(shards, [job.shard_path(p) for p in parts])
    totals: dict[str, int] = {}
    for counts in results:
        for k, v in counts.items():
            if k != "reused":
                totals[k] = totals.get(k, 0) + v
    reused = sum(1 for r in results if r.get("reused"))
    for p in problems:
        say(f"warning: {p['warc_file']} at offset {p['warc_offset']}: {p['problem']}; "
            f"{p['skipped_bytes'] or 0} bytes skipped")
    linted = sum(v for k, v in totals.items() if k.startswith("linted"))
    say(f"scan {scan_id}: {totals.get('records', 0)} records read, {linted} linted, "
        f"{totals.get('findings', 0)} findings, {totals.get('damaged', 0)} damaged"
        + (f", {reused} partition(s) reused from an earlier run" if reused else ""))
    for k in sorted(k for k in totals if k.startswith("skipped")):
        say(f"  {k}: {totals[k]}")
    say(f"report: claimlint report {shlex.quote(db)} --format html -o report.html")


def _job_key(job, parts) -> str:  # noqa: ANN001
    import hashlib

    raw = "\n".join(p.key(job.salt()) for p in parts)
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


def _spool_stdin(db: str) -> str:
    """Standard input saved next to the database, so evidence pointers name a real file."""
    path = Path(f"{db}.stdin.warc")
    with open(path, "wb") as out:
        shutil.copyfileobj(sys.stdin.buffer, out, 1 << 20)
    return str(path)


def _remove_shards(shard_dir: Path, shards: list[Path]) -> None:
    for shard in shards:
        for path in (shard, Path(f"{shard}-wal"), Path(f"{shard}-shm")):
            path.unlink(missing_ok=True)
    for stale in shard_dir.glob(".part-*.tmp*"):
        stale.unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # not empty: something else lives there
        shard_dir.rmdir()


@click.command()
@click.argument("output", type=click.Path(dir_okay=False))
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--manifest", "manifest_path", type=click.Path(), default=None,
              help="Evidence manifest to write [default: OUTPUT name + -scanN.sha256].")
def merge(output: str, inputs: tuple[str, ...], manifest_path: str | None) -> None:
    """Join scan databases (crawl shards, warc partition shards; files or directories of *.db)
    into one new scan in OUTPUT, with one evidence manifest. Merging the same inputs again
    replaces that scan."""
    from claimlint.crawl.evidence import default_manifest_path, write_manifest
    from claimlint.crawl.store import Store, StoreError
    from claimlint.merge import merge_stores

    sources = []
    for item in inputs:
        p = Path(item)
        sources += sorted(str(f) for f in p.glob("*.db")) if p.is_dir() else [item]
    command = " ".join(shlex.quote(a) for a in ["claimlint", *sys.argv[1:]])
    try:
        scan_id = merge_stores(output, sources, command=command)
        store = Store(output)
        manifest = Path(manifest_path) if manifest_path else default_manifest_path(output, scan_id)
        digest = write_manifest(store, scan_id, manifest)
        row = store.db.execute("SELECT (SELECT COUNT(*) FROM sites WHERE scan_id=?), (SELECT COUNT(*) FROM "
                               "pages WHERE scan_id=?), (SELECT COUNT(*) FROM findings WHERE scan_id=?)",
                               (scan_id, scan_id, scan_id)).fetchone()
        store.close()
    except StoreError as exc:
        _fail(str(exc))
    click.echo(f"scan {scan_id} in {output}: {len(sources)} database(s) merged, {row[0]} sites, "
               f"{row[1]} pages, {row[2]} findings; manifest {manifest} (sha256 {digest[:16]}...)", err=True)


@click.command()
@click.argument("parquet", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--domains", "domains_file", type=click.Path(), help="Registered domains or hosts, one a line.")
@click.option("--url-pattern", default=None, help="Only URLs matching this regular expression.")
@click.option("--prefix", default="",
              help="Put before each WARC file name (e.g. https://data.commoncrawl.org/).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
              help="[default: standard output]")
def index(parquet: tuple[str, ...], domains_file: str | None, url_pattern: str | None, prefix: str,
          output: str | None) -> None:
    """Select records from a columnar URL index (Common Crawl cc-index Parquet) as
    'file offset length' lines for `claimlint warc --ranges` (needs pyarrow: claimlint[index])."""
    from claimlint.warc.index import select_ranges, write_ranges

    filters = _filters(domains_file, url_pattern)
    try:
        if output:
            with open(output, "w", encoding="utf-8") as out:
                n = write_ranges(select_ranges(parquet, filters, prefix=prefix), out)
        else:
            n = write_ranges(select_ranges(parquet, filters, prefix=prefix), sys.stdout)
    except BrokenPipeError:  # `claimlint index ... | head`: the reader has seen enough
        sys.stderr.close()
        sys.exit(0)
    except (RuntimeError, OSError, ValueError) as exc:
        _fail(str(exc))
    click.echo(f"{n} record range(s) selected", err=True)
