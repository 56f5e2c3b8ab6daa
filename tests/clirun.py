"""Running `claimlint check` in-process for the CI-integration tests (the engine built once
per session is reused), and the fixture pages those tests share."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from click.testing import CliRunner, Result

from claimlint.cli import main

DATA = Path(__file__).resolve().parent / "data"
PAGES = DATA / "pages"
HAS_MARKDOWN = importlib.util.find_spec("claimlint.readers.markdown") is not None


def fixture_pages() -> list[Path]:
    """The test pages (Markdown only once the Markdown reader is there)."""
    return sorted(p for p in PAGES.iterdir() if p.suffix != ".md" or HAS_MARKDOWN)


def run_check(*args: str, input: str | None = None) -> Result:
    """`claimlint check ARGS` in this process."""
    return CliRunner().invoke(main, ["check", *args], input=input, catch_exceptions=False)
