"""Shared fixtures: spaCy and the rule pack are built once per test session."""

from __future__ import annotations

import html
import os
import re
import uuid
from pathlib import Path

import pytest

from claimlint.lint import Linter, get_engine

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SHARED = ROOT.parent / "shared"


# Every process a test starts (claimlint subprocesses, their lint workers, multiprocessing's
# resource tracker) inherits this tag; when the session ends none of them may still run.
SESSION_TAG = uuid.uuid4().hex
os.environ["CLAIMLINT_TEST_TAG"] = SESSION_TAG


def leftover_processes(tag: str) -> list[str]:
    """Processes carrying ``tag`` other than this one and the resource tracker it started
    itself (that one ends when this process does: it reads a pipe only we hold)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if f"CLAIMLINT_TEST_TAG={tag}".encode() not in environ:
            continue
        if parent == os.getpid() and "resource_tracker" in cmdline:
            continue
        found.append(f"pid {entry.name}: {cmdline[:150]}")
    return found


def pytest_sessionfinish(session, exitstatus):
    """Fail the run if any process started by the tests outlived them (30 s grace for
    workers still shutting down; a guard, not a measurement)."""
    import time

    stop = time.monotonic() + 30
    while (left := leftover_processes(SESSION_TAG)) and time.monotonic() < stop:
        time.sleep(0.2)
    if left:
        session.config.get_terminal_writer().line(
            "processes started by the tests are still running:\n  " + "\n  ".join(left), red=True)
        session.exitstatus = 1


@pytest.fixture(scope="session", autouse=True)
def _cache_outside_the_repo(tmp_path_factory):
    """`claimlint check` caches findings; keep the cache of test runs out of the checkout."""
    old = os.environ.get("CLAIMLINT_CACHE_DIR")
    os.environ["CLAIMLINT_CACHE_DIR"] = str(tmp_path_factory.mktemp("claimlint_cache"))
    yield
    if old is None:
        os.environ.pop("CLAIMLINT_CACHE_DIR", None)
    else:
        os.environ["CLAIMLINT_CACHE_DIR"] = old


@pytest.fixture(scope="session")
def engine():
    return get_engine()


@pytest.fixture(scope="session")
def linter(engine):
    return Linter()


def slice_source(source: str, line: int, column: int, end_line: int, end_column: int) -> str:
    """The source text between two 1-based (line, column) positions, lines split like an
    editor does (CRLF, LF, CR)."""
    from claimlint.document import line_starts

    starts = line_starts(source)
    return source[starts[line - 1] + column - 1:starts[end_line - 1] + end_column - 1]


def prose_words(text: str) -> str:
    """The prose words of a source slice: markup, link targets and entities removed."""
    text = re.sub(r"\]\([^)]*\)", "", text)
    text = re.sub(r"<[^>]*>", " ", text)
    text = re.sub(r"[*_\[\]`>]|^\s*#+\s", " ", text, flags=re.M)
    return words(html.unescape(text))


def words(text: str) -> str:
    """``text``'s words one space apart, none before punctuation (an inline tag before a full
    stop, "<b>guaranteed</b>.", leaves no space in the prose a reader sees)."""
    return re.sub(r" (?=[.,;:!?](?:\s|$))", "", " ".join(text.split()))
