"""Resume: ``claimlint crawl`` run as a subprocess is killed with SIGKILL mid-crawl, then
interrupted with Ctrl-C (SIGINT), then run a third time with the same command. The database
must end with every page exactly once and the same findings as an uninterrupted crawl."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from test_crawl_world import load_server_module, run_crawl

from claimlint.crawl.lintpool import init_worker

ROOT = Path(__file__).resolve().parents[1]
HOSTS = ("gen-1.test", "gen-2.test", "gen-3.test")
PAGES = 12
srv = load_server_module()


def command(port: int, db: Path) -> list[str]:
    cmd = [sys.executable, "-c", "from claimlint.cli import main; main()", "crawl", "--db", str(db),
           "--delay", "0.1", "--max-depth", "20", "--lint-workers", "1", "--timeout", "2",
           "--contact", "mailto:t@example.org"]
    for host in HOSTS:
        cmd += [f"http://{host}:{port}/", "--resolve", f"{host}:127.0.0.1"]
    return cmd


def stored_pages(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute("SELECT COUNT(*) FROM pages WHERE state='ok'").fetchone()[0]
    except sqlite3.OperationalError:  # tables not created yet
        return 0


def wait_for_pages(proc: subprocess.Popen, db: Path, count: int, limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while stored_pages(db) < count:
        assert proc.poll() is None, "the crawl ended before it could be interrupted"
        assert time.monotonic() < deadline, "the crawl made no progress"
        time.sleep(0.02)


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def summary(db: Path) -> tuple[Counter, Counter]:
    with sqlite3.connect(db) as conn:
        pages = Counter(r[0] for r in conn.execute("SELECT key FROM pages WHERE state='ok'"))
        findings = Counter(conn.execute(
            "SELECT p.key, f.rule, f.fingerprint, f.line, f.col FROM findings f JOIN pages p "
            "ON p.id=f.page_id").fetchall())
    return pages, findings


@pytest.fixture
def server():
    s = srv.FixtureServer({h: srv.GeneratedSite(PAGES) for h in HOSTS}).start()
    yield s
    s.stop()


def test_kill_9_then_ctrl_c_then_resume_matches_an_uninterrupted_crawl(server, tmp_path):
    db = tmp_path / "claimlint-scan.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = command(server.port, db)

    first = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_for_pages(first, db, 6)
    first.kill()  # SIGKILL: no cleanup at all
    first.wait(10)
    killed_at = len(server.hits())
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    # the last pages of each site wait behind a gate, so the second run cannot finish before
    # its Ctrl-C however fast it crawls (the gate opens for the third run)
    for site in server.sites.values():
        site.gated_from = PAGES - 2
        site.gate.clear()
    # Ctrl-C must reach it even when the tests themselves run in the background, where the
    # shell starts them with SIGINT ignored and children inherit that (Python then installs
    # no KeyboardInterrupt handler)
    second = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              preexec_fn=_default_sigint)
    wait_for_pages(second, db, min(stored_pages(db) + 6, len(HOSTS) * (PAGES - 2)))
    second.send_signal(signal.SIGINT)
    _, err = second.communicate(timeout=30)
    for site in server.sites.values():
        site.gate.set()
    assert second.returncode == 130, err.decode()
    assert b"run the same command again to resume" in err

    third = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, timeout=120)
    assert third.returncode == 0, third.stderr.decode()
    assert b"resumed" in third.stderr

    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM scans").fetchone()[0] == 1
        assert conn.execute("SELECT status FROM scans").fetchone()[0] == "finished"
        assert conn.execute("SELECT COUNT(*) FROM pages WHERE lint_state='pending'").fetchone()[0] == 0
    pages, findings = summary(db)
    assert len(pages) == len(HOSTS) * PAGES and set(pages.values()) == {1}

    # Nothing fetched twice, except requests in flight at the moment of a kill (at most one per
    # host per interruption), whose responses were never stored.
    repeats = sum(n - 1 for n in Counter((h.host, h.path) for h in server.hits()).values())
    assert repeats <= 2 * len(HOSTS), Counter((h.host, h.path) for h in server.hits())
    assert killed_at < len(server.hits())

    # The same crawl, uninterrupted, in this process.
    reference = tmp_path / "reference.db"
    pool = ThreadPoolExecutor(1, initializer=init_worker, initargs=(None,))
    try:
        seeds = [f"http://{h}:{server.port}/" for h in HOSTS]
        store, _ = run_crawl(reference, seeds, dict.fromkeys(HOSTS, "127.0.0.1"), pool)
        store.close()
    finally:
        pool.shutdown()
    ref_pages, ref_findings = summary(reference)
    assert pages == ref_pages
    assert findings == ref_findings and sum(findings.values()) >= len(HOSTS) * PAGES
