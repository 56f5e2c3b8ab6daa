"""Shared fixtures: spaCy and the rule pack are built once per test session."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from claimlint.lint import Linter, get_engine

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session", autouse=True)
def _cache_outside_the_repo(tmp_path_factory):
    """`claimlint check` caches findings; keep the cache of test runs out of the checkout."""
    import os

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
    return " ".join(html.unescape(text).split())
