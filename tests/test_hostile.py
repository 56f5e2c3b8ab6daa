"""Hostile and broken input, one test (or a few) per case of issue 11: every bad input and
fault is handled within bounded time and memory, nothing is lost, nothing is left running.

No assertion here depends on timing: bounds are asserted as sizes, counts, messages and
which code ran; a subprocess gets a generous timeout only as a guard against a hang. Time and
peak memory of the huge inputs are measured in ``benchmarks/bench_hostile.py``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
import zipfile
from pathlib import Path

import pytest
from clirun import run_check
from test_crawl_world import load_server_module

from claimlint import bigtext
from claimlint.config import Config
from claimlint.crawl.fetch import Fetcher
from claimlint.crawl.report import render_csv
from claimlint.lint import Linter
from claimlint.parallel import LintJob, Unit

ROOT = Path(__file__).resolve().parents[1]
srv = load_server_module()
CLAIM = "Our stem cell injections have no side effects."
FILLER = "Our clinic is located downtown with free parking for patients."


def claimlint_cmd(*args: str) -> list[str]:
    return [sys.executable, "-c", "from claimlint.cli import main; main()", *args]


def tagged_processes(tag: str) -> list[str]:
    """Processes (other than this one) whose environment carries ``tag``: everything a
    claimlint run started inherits it."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if f"CLAIMLINT_TEST_TAG={tag}".encode() in environ.split(b"\0"):
            found.append(f"{entry.name}: {cmdline[:120]}")
    return found


def wait_until_gone(tag: str, guard: float = 60.0) -> list[str]:
    """The tagged processes still alive when they are all gone, or when ``guard`` seconds
    have passed (a guard against a hang, not a measurement)."""
    stop = time.monotonic() + guard
    while (alive := tagged_processes(tag)) and time.monotonic() < stop:
        time.sleep(0.2)
    return alive


# bounded output and memory: huge files ------------------------------------------------------

def one_line_page(claims: int, filler: int) -> str:
    parts = [f"<div class='c'><p>{FILLER}</p></div>"] * filler
    for i in range(claims):
        parts[(i + 1) * filler // (claims + 1)] = f"<p>{CLAIM}</p>"
    return "<!doctype html><html><head><meta charset='utf-8'><title>Clinic</title></head><body><main>" \
        + "".join(parts) + "</main></body></html>"


def test_one_line_page_prints_a_window_of_the_line_not_the_line(tmp_path):
    page = tmp_path / "minified.html"
    page.write_text(one_line_page(3, 25_000), encoding="utf-8")  # ~2 MB, all on line 1
    assert page.stat().st_size > 1_500_000
    result = run_check("--no-cache", "--exit-zero", str(page))
    findings = [ln for ln in result.output.splitlines() if "SAFETY.no-side-effects" in ln]
    assert len(findings) == 3
    assert len(result.output) < 6_000  # three excerpts of ~200 characters, not 3 x 2 MB
    for block in result.output.split("\n\n"):
        lines = block.splitlines()
        if len(lines) > 3 and "no-side-effects" in lines[0]:
            source, caret = lines[2], lines[3]
            assert source.startswith("1 | …") and source.endswith("…")
            start = caret.index("^")
            assert source[start:start + len("no side effects")] == "no side effects"


def big_text(paragraphs: int, *, crlf: bool = False) -> str:
    out = []
    for i in range(paragraphs):
        sentence = CLAIM if i % 7 == 3 else f"Paragraph {i}: {FILLER}"
        extra = " Café résumé naïve. Results are guaranteed." if i % 11 == 5 else ""
        out.append(sentence + extra + (" Hard-wrapped\nline continues here." if i % 5 == 1 else ""))
    text = "\n\n".join(out) + "\n"
    return text.replace("\n", "\r\n") if crlf else text


@pytest.mark.parametrize("variant", ["lf", "crlf", "one-line", "invalid-utf8"])
def test_big_text_in_parts_finds_exactly_what_a_whole_file_run_finds(tmp_path, monkeypatch, variant):
    """The streamed path (50 MB files) with tiny parts, against the whole-file path: the same
    findings at the same lines, columns and offsets."""
    monkeypatch.setattr(bigtext, "PART_CHARS", 1_500)
    monkeypatch.setattr(bigtext, "MAX_PART_CHARS", 4_000)
    monkeypatch.setattr(bigtext, "BLOCK", 1_000)
    text = big_text(300, crlf=variant == "crlf")
    if variant == "one-line":
        text = text.replace("\n", " ")
    data = text.encode("utf-8")
    if variant == "invalid-utf8":
        data = data.replace("naïve".encode(), b"na\xefve", 5)  # a stray Latin-1 byte
    path = tmp_path / "big.txt"
    path.write_bytes(data)
    job = LintJob(Config(), [], [])
    streamed = job.lint_stream(Unit(1, str(path), "text", stream=True))
    assert streamed.error is None
    whole = job.linter.lint_document(job.linter.load(data, str(path)))

    page_level = {r.id for r in job.linter.engine.rules if r.scope == "document"}

    def key(f):
        return (f.rule, f.line, f.column, f.end_line, f.end_column, f.start, f.end, f.text)

    assert sorted(key(f) for f in streamed.findings if f.rule not in page_level) == \
        sorted(key(f) for f in whole if f.rule not in page_level)
    assert len(whole) > 40
    source = data.decode("utf-8", "claimlint-per-byte")
    for f in streamed.findings:
        assert source[f.start:f.end] == f.text or not f.text
        first, shown, _ = streamed.excerpts[f"{f.line}:{f.column}"]
        assert shown[f.column - first:].startswith(f.text)


@pytest.mark.parametrize("disclosed", [False, True])
def test_big_text_page_level_rule_fires_only_when_no_part_answers_it(tmp_path, monkeypatch, disclosed):
    """A missing risk disclosure is reported once, where a whole-file run reports it, when
    every part is promotional without one; a disclosure in any part answers it."""
    monkeypatch.setattr(bigtext, "PART_CHARS", 1_000)
    promo = ("Our stem cell therapy repairs knees. Book your stem cell injection today and "
             "walk pain-free. Call now for stem cell treatment.")
    paragraphs = [promo] * 60
    if disclosed:
        paragraphs[31] = "Risks of stem cell injections include infection, pain and swelling."
    path = tmp_path / "promo.txt"
    path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    job = LintJob(Config(), [], [])
    streamed = [f for f in job.lint_stream(Unit(1, str(path), "text", stream=True)).findings
                if f.rule == "DISCLOSURE.no-risk-disclosure"]
    whole = [f for f in job.linter.lint_document(job.linter.load(path.read_bytes(), str(path)))
             if f.rule == "DISCLOSURE.no-risk-disclosure"]
    assert [(f.line, f.column) for f in streamed] == [(f.line, f.column) for f in whole]
    assert len(whole) == (0 if disclosed else 1)


def test_a_big_text_file_is_streamed_not_read_whole(tmp_path, monkeypatch):
    """`check` hands a plain-text file over STREAM_BYTES to the linter by name; its bytes are
    never held whole (read_limited is not called for it)."""
    import claimlint.safeio as safeio

    monkeypatch.setattr(bigtext, "STREAM_BYTES", 10_000)
    path = tmp_path / "big.txt"
    path.write_text(big_text(400), encoding="utf-8")
    real = safeio.read_limited

    def guarded(p, limit):  # noqa: ANN001, ANN202
        assert Path(p) != path, "the big file was read whole"
        return real(p, limit)

    monkeypatch.setattr(safeio, "read_limited", guarded)
    result = run_check("--no-cache", "--format", "json", str(path))
    data = json.loads(result.output)
    assert data["summary"]["files"] == 1 and data["summary"]["findings"] > 50


# special files ------------------------------------------------------------------------------

def test_fifo_and_device_files_are_refused_at_once_and_the_rest_is_checked(tmp_path):
    folder = tmp_path / "site"
    folder.mkdir()
    os.mkfifo(folder / "pipe.txt")  # a writer never comes: reading it would block forever
    (folder / "page.txt").write_text(CLAIM + "\n", encoding="utf-8")
    os.mkfifo(tmp_path / "named.md")
    proc = subprocess.run(claimlint_cmd("check", "--no-cache", "--format", "json", str(folder),
                                        str(tmp_path / "named.md"), "/dev/zero"),
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert f"{folder / 'pipe.txt'}: a named pipe (FIFO), not a regular file" in proc.stderr
    assert f"{tmp_path / 'named.md'}: a named pipe (FIFO), not a regular file" in proc.stderr
    assert "/dev/zero: a character device, not a regular file" in proc.stderr
    data = json.loads(proc.stdout)
    rules = [f["rule"] for f in data["findings"] if f["path"].endswith("page.txt")]
    assert rules == ["SAFETY.no-side-effects"]
    assert len(data["summary"]["errors"]) == 3


def test_standard_input_is_read_up_to_the_size_limit(tmp_path):
    (tmp_path / ".claimlint.toml").write_text("max-file-size = 1000\n", encoding="utf-8")
    result = run_check("--no-cache", "--config", str(tmp_path / ".claimlint.toml"), "-",
                       input="x" * 5000)
    assert result.exit_code == 2 and "file too large" in result.output


# Word documents ------------------------------------------------------------------------------

def docx_with_body(body_xml: bytes, *, level: int = 6) -> bytes:
    """A real python-docx package whose document.xml body is replaced."""
    import docx

    buf = io.BytesIO()
    docx.Document().save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                head, _, rest = data.partition(b"<w:body>")
                data = head + b"<w:body>" + body_xml + b"</w:body>" + rest.partition(b"</w:body>")[2]
            dst.writestr(info.filename, data)
    return out.getvalue()


def test_docx_zip_bomb_is_refused_before_inflating(tmp_path, monkeypatch):
    import docx

    body = b"<w:p><w:r><w:t>" + b"A" * 60_000_000 + b"</w:t></w:r></w:p>"  # 60 MB of XML
    bomb = docx_with_body(body, level=9)
    assert len(bomb) < 200_000

    def never(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise AssertionError("python-docx was asked to inflate the bomb")

    monkeypatch.setattr(docx, "Document", never)
    opened = []
    real_open = zipfile.ZipFile.open
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda self, name, *a, **k: (
        opened.append(getattr(name, "filename", name)), real_open(self, name, *a, **k))[1])
    path = tmp_path / "bomb.docx"
    path.write_bytes(bomb)
    result = run_check("--no-cache", str(path))
    assert result.exit_code == 2
    assert "refused: the package would decompress to 61 MB (limit 20 MB)" in result.output
    assert opened == []  # judged from the zip directory alone: not one part was inflated


@pytest.mark.parametrize(("paragraphs", "message"), [
    (150_000, "refused: more than 100000 paragraphs"),
    (4_000_000, "refused: the package would decompress to"),  # 4 million empty paragraphs
])
def test_docx_with_too_many_paragraphs_is_refused(tmp_path, monkeypatch, paragraphs, message):
    import docx

    path = tmp_path / "many.docx"
    path.write_bytes(docx_with_body(b"<w:p/>" * paragraphs))
    monkeypatch.setattr(docx, "Document", lambda *a, **k: (_ for _ in ()).throw(
        AssertionError("python-docx was asked to build the paragraphs")))
    assert path.stat().st_size < 1_000_000
    result = run_check("--no-cache", str(path))
    assert result.exit_code == 2 and message in result.output


def test_docx_text_output_names_paragraphs(tmp_path):
    path = tmp_path / "draft.docx"
    path.write_bytes(docx_with_body(b"<w:p><w:r><w:t>Welcome.</w:t></w:r></w:p>"
                                    b"<w:p><w:r><w:t>" + CLAIM.encode() + b"</w:t></w:r></w:p>"))
    result = run_check("--no-cache", str(path))
    assert f"{path}: paragraph 2, character 31: error SAFETY.no-side-effects" in result.output


# rules that run too long ---------------------------------------------------------------------

def test_a_catastrophic_user_regex_is_stopped_and_reported_in_every_format(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "slow.yml").write_text(
        "category: USER\nrules:\n  - id: USER.slow\n    severity: warning\n    message: Slow.\n"
        "    why: Testing.\n    suggestion: None.\n    patterns:\n      - regex: '(a|aa)+$'\n",
        encoding="utf-8")
    (tmp_path / ".claimlint.toml").write_text('extend-rules = ["rules"]\n', encoding="utf-8")
    page = tmp_path / "page.txt"
    page.write_text("\n\n".join(f"Sentence {i} says {'a' * 34}b!" for i in range(30)) + "\n",
                    encoding="utf-8")
    from claimlint.config import load_config
    from claimlint.engine.core import MAX_TIMEOUTS

    config = load_config(tmp_path / ".claimlint.toml")
    found = Linter(config).lint_document(Linter(config).load(page.read_bytes(), str(page)))
    skipped = [f for f in found if f.rule == "SKIPPED.regex-timeout"]
    assert len(skipped) == 1
    assert skipped[0].extra == {"skipped_rule": "USER.slow", "sentences": MAX_TIMEOUTS, "stopped": True}
    assert "Rule USER.slow was not applied to 3 sentence(s) (line 1, 3, 5)" in skipped[0].message
    formats = ("json", "sarif", "github", "junit", "gitlab", "html")
    args = [a for fmt in formats for a in ("--format", fmt, "-o", str(tmp_path / f"out.{fmt}"))]
    text = run_check("--no-cache", "--config", str(tmp_path / ".claimlint.toml"), "--format", "text",
                     *args, str(page)).output
    for fmt, out in [("text", text)] + [(f, (tmp_path / f"out.{f}").read_text()) for f in formats]:
        assert "regex-timeout" in out and "USER.slow" in out, fmt


# encodings -----------------------------------------------------------------------------------

def test_invalid_utf8_bytes_keep_the_file_utf8_and_positions_exact(tmp_path):
    data = ("Café crème, naïve résumé. " + CLAIM).encode("utf-8").replace(b"na\xc3\xafve", b"na\xefve")
    path = tmp_path / "page.txt"
    path.write_bytes(data)
    doc = Linter().load(data, str(path))
    bad = data.index(b"\xef")
    assert doc.encoding_note.startswith(f"invalid UTF-8 at byte {bad} (1 invalid byte")
    assert doc.source.startswith("Café crème, naïve résumé.")  # the stray byte read as cp1252 "ï"
    result = run_check("--no-cache", "--format", "json", str(path))
    finding = json.loads(result.output[result.output.index("{"):])["findings"][0]
    assert doc.source[finding["column"] - 1:finding["end_column"] - 1] == "no side effects"


# reports -------------------------------------------------------------------------------------

def test_csv_report_cells_cannot_start_a_formula():
    hostile = ["=HYPERLINK(\"http://x.example\",\"click\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "safe"]
    finding = {"rule": "GUARANTEE.x", "category": "GUARANTEE", "severity": "error", "message": hostile[1],
               "why": hostile[2], "suggestion": hostile[3], "claim": hostile[0], "sentence": hostile[4],
               "region": "main", "line": 1, "column": -1, "url": "http://a.test/", "fetched_at": "t",
               "body_sha256": "0", "fingerprint": "f"}
    data = {"sites": [{"rank": 1, "domain": "a.test", "score": 5, "state": "done", "problems": [],
                       "not_crawled": [], "pages": [{"findings": [finding]}]}]}
    rows = list(csv.DictReader(io.StringIO(render_csv(data))))
    assert rows[0]["claim"] == "'" + hostile[0] and rows[0]["message"] == "'+1+1"
    assert rows[0]["why"] == "'-2+3" and rows[0]["suggestion"] == "'@SUM(A1)"
    assert rows[0]["sentence"] == "'\tx" and rows[0]["column"] == "-1"  # numbers stay numbers


def test_check_does_not_lint_its_own_report_or_leave_a_cache_in_the_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("CLAIMLINT_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(f"<html><body><p>{CLAIM}</p></body></html>", encoding="utf-8")
    first = run_check(str(site), "--format", "html", "-o", str(site / "report.html"), "--format", "json")
    second = run_check(str(site), "--format", "json")
    assert "report.html: a report written by claimlint: not checked" in second.output
    findings = [json.loads(r.output[r.output.index("{"):])["findings"] for r in (first, second)]
    assert findings[0] == findings[1] and len(findings[0]) == 1
    assert not (site / ".claimlint_cache").exists()
    assert (tmp_path / "xdg" / "claimlint" / "check").is_dir()


# hostile servers -----------------------------------------------------------------------------

class DripServer:
    """A server on 127.0.0.1 that sends its response one byte at a time, slowly: the status
    line and headers (``headers=True``) or the body of a 10,000-byte page."""

    def __init__(self, drip_headers: bool) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.drip_headers = drip_headers
        self.sent = 0
        self.stop = threading.Event()
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self) -> None:
        conn, _ = self.listener.accept()
        conn.recv(65536)
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 10000\r\n"
        try:
            if self.drip_headers:
                conn.sendall(b"HTTP/1.1 200 OK\r\n")
                while not self.stop.is_set():
                    conn.sendall(b"X")  # one endless header line
                    self.sent += 1
                    time.sleep(0.05)
            else:
                conn.sendall(head + b"\r\n")
                while not self.stop.is_set() and self.sent < 10_000:
                    conn.sendall(b"<")
                    self.sent += 1
                    time.sleep(0.05)
        except OSError:  # the client hung up
            pass
        conn.close()

    def close(self) -> None:
        self.stop.set()
        self.listener.close()


@pytest.mark.parametrize("drip_headers", [False, True])
def test_a_dripping_server_cannot_extend_a_fetch_past_its_deadline(drip_headers):
    class QuickDeadline(Fetcher):
        DEADLINE_FACTOR = 0.5  # 2 s in all, while a single read may wait 4 s

    server = DripServer(drip_headers)
    try:
        result = QuickDeadline("claimlint-test", timeout=4).get(f"http://127.0.0.1:{server.port}/")
    finally:
        server.close()
    assert result.error_kind == "slow" and "gave up after 2 s" in result.error
    assert not result.retryable
    assert len(result.raw) < 10_000  # cut off: the drip would have lasted 500 s


class TrapSite:
    """A site of ``pages`` pages named /s/pN_N.html, all linked from the home page."""

    def __init__(self, pages: int) -> None:
        self.pages = pages

    def reply(self, path: str, query: str, origin: str, port: int):  # noqa: ANN201
        if path in ("/robots.txt", "/sitemap.xml"):
            return srv.Reply(404, b"", "text/plain")
        if path == "/":
            links = "".join(f"<a href='/s/p{i}_{i % 7}.html'>{i}</a>" for i in range(self.pages))
            return srv.Reply(200, f"<html><body><p>{FILLER}</p>{links}</body></html>".encode(),
                             "text/html; charset=utf-8")
        return srv.Reply(200, f"<html><body><p>{FILLER} {path}</p></body></html>".encode(),
                         "text/html; charset=utf-8")


def test_crawl_trap_cap_is_an_option_and_what_it_leaves_out_is_reported(tmp_path):
    server = srv.FixtureServer({"trap.test": TrapSite(30)}).start()
    tag = uuid.uuid4().hex
    env = {**os.environ, "CLAIMLINT_TEST_TAG": tag}
    try:
        url = f"http://trap.test:{server.port}/"
        base = ["crawl", url, "--resolve", "trap.test:127.0.0.1", "--delay", "0", "--lint-workers", "1",
                "--contact", "mailto:t@example.org"]
        capped = subprocess.run(claimlint_cmd(*base, "--db", "a.db", "--max-similar-urls", "10"),
                                cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
        full = subprocess.run(claimlint_cmd(*base, "--db", "b.db"), cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=300)
    finally:
        server.stop()
    assert capped.returncode == 0, capped.stderr
    assert "11 page(s) checked of 11 URL(s); 20 more URL(s) not crawled (crawl-trap guard: more " \
           "than 10 URLs shaped /s/pN_N.html; raise --max-similar-urls to crawl them)" in capped.stderr
    assert "warning: 20 URL(s) not crawled by the crawl-trap guard" in capped.stderr
    assert "not crawled" not in full.stderr
    for fmt in ("json", "csv", "html"):
        out = subprocess.run(claimlint_cmd("report", "a.db", "--format", fmt), cwd=tmp_path,
                             capture_output=True, text=True, timeout=300).stdout
        assert "20" in out and "more than 10 URLs shaped /s/pN_N.html" in out, fmt
    data = json.loads(subprocess.run(claimlint_cmd("report", "a.db", "--format", "json"), cwd=tmp_path,
                                     capture_output=True, text=True, timeout=300).stdout)
    assert data["summary"]["urls_not_crawled"] == 20
    assert wait_until_gone(tag) == []


# processes -----------------------------------------------------------------------------------

def start_long_crawl(tmp_path: Path, tag: str) -> tuple[subprocess.Popen, object]:
    server = srv.FixtureServer({"long.test": srv.GeneratedSite(pages=2000)}).start()
    cmd = claimlint_cmd("crawl", f"http://long.test:{server.port}/", "--resolve", "long.test:127.0.0.1",
                        "--delay", "0.05", "--lint-workers", "2", "--db", "scan.db",
                        "--max-pages", "2000", "--max-depth", "2000", "--contact", "mailto:t@example.org")
    proc = subprocess.Popen(cmd, cwd=tmp_path, env={**os.environ, "CLAIMLINT_TEST_TAG": tag},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stop = time.monotonic() + 120  # guard: workers appear once spaCy is loading
    while len(tagged_processes(tag)) < 3 and time.monotonic() < stop:  # crawl + 2 lint workers
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.1)
    assert len(tagged_processes(tag)) >= 3, tagged_processes(tag)
    return proc, server


def test_no_process_survives_kill_9_of_a_crawl(tmp_path):
    tag = uuid.uuid4().hex
    proc, server = start_long_crawl(tmp_path, tag)
    try:
        proc.kill()  # SIGKILL: the crawl runs no cleanup at all
        proc.communicate(timeout=60)
        assert wait_until_gone(tag) == []  # lint workers and the resource tracker exit by themselves
    finally:
        server.stop()


def test_sigterm_stops_a_crawl_cleanly(tmp_path):
    tag = uuid.uuid4().hex
    proc, server = start_long_crawl(tmp_path, tag)
    try:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 130
        assert "interrupted: run the same command again to resume this scan" in err
        assert wait_until_gone(tag) == []
    finally:
        server.stop()


# words ---------------------------------------------------------------------------------------

def seed_lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if "the seed" in ln.lower()]


def test_no_user_facing_text_outside_the_rule_pack_says_the_seed():
    from claimlint.catalogue import END, START, render_catalogue
    from claimlint.rulepack import load_rules

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    catalogue = readme.partition(START)[2].partition(END)[0]
    assert catalogue.strip()
    assert seed_lines(readme.replace(catalogue, "")) == []

    generated = render_catalogue(load_rules())
    for rule in load_rules().rules:  # the generator's own words, without the rules' texts
        for text in (rule.message, rule.why, rule.suggestion, rule.seed or ""):
            generated = generated.replace(text, "")
    assert seed_lines(generated) == []
    sources = [p for p in (ROOT / "claimlint").rglob("*.py")]
    for path in sources:
        for line in path.read_text(encoding="utf-8").splitlines():
            if "the seed" in line.lower() and ('"' in line or "'" in line):
                pytest.fail(f"{path.name}: {line.strip()}")


def test_no_rule_message_or_why_says_the_seed():
    from claimlint.rulepack import load_rules

    said = [r.id for r in load_rules().rules
            if "the seed" in f"{r.message} {r.why} {r.suggestion}".lower()]
    assert said == []
    assert seed_lines((ROOT / "README.md").read_text(encoding="utf-8")) == []
