"""Shared fixtures: spaCy and the rule pack are built once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from claimlint.lint import Linter, get_engine

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SHARED = ROOT.parent / "shared"


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
