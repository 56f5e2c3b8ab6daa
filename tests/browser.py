"""Headless Debian chromium driven by Playwright for Python (never a downloaded browser)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def chromium_path() -> str | None:
    """The system chromium: $CLAIMLINT_CHROMIUM, /usr/bin/chromium, or one on PATH."""
    for candidate in (os.environ.get("CLAIMLINT_CHROMIUM"), "/usr/bin/chromium",
                      shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def why_no_browser() -> str | None:
    """None when a browser test can run, else the reason it cannot."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install '.[test]')"
    if chromium_path() is None:
        return "no chromium browser found (apt-get install -y chromium, or set CLAIMLINT_CHROMIUM)"
    return None


@contextmanager
def launch() -> Iterator[Any]:
    """A browser context (fresh profile) of headless system chromium."""
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="claimlint-chromium-")
    try:
        with sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                profile, executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS,
                viewport={"width": 1440, "height": 900}, accept_downloads=True)
            try:
                yield context
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
