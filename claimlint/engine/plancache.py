"""The engine's plan (anchors of every pattern), kept per rule pack in the user's cache
directory so a new process can prefilter without loading spaCy. A missing, unreadable or
unwritable cache only costs the time to recompute it."""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path


def plan_dir() -> Path:
    base = os.environ.get("CLAIMLINT_PLAN_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache"), "claimlint", "plans")
    return Path(base)


def load_plan(key: str) -> dict | None:
    """The saved plan for ``key``, or None."""
    plan = load_cached(key)
    return plan if isinstance(plan, dict) and "requires" in plan else None


def load_cached(key: str) -> object | None:
    """The object saved under ``key`` (a plan, a parsed rule pack), or None."""
    try:
        with open(plan_dir() / f"{key}.pickle", "rb") as fh:
            return pickle.load(fh)  # noqa: S301 - our own file, keyed by a digest of its inputs
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError,
            ValueError, IndexError):
        return None


def save_plan(key: str, plan: dict) -> None:
    save_cached(key, plan)


def save_cached(key: str, plan: object) -> None:
    """Write atomically (a concurrent reader never sees half a file); failures are ignored."""
    directory = plan_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(plan, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, directory / f"{key}.pickle")
    except OSError:
        pass
