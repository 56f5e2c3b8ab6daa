"""Baselines for adopting claimlint on existing copy: record today's findings, then report
only new ones.

A finding is matched by its fingerprint (rule, path and normalized claim sentence; see
``Finding.fingerprint``) with the path taken relative to the baseline file's directory, so
the baseline works from any working directory. Line numbers play no part: moved lines and
edits elsewhere in a file keep an old finding suppressed, while an edited claim sentence is
a new finding. Matching counts occurrences, so a second copy of a baselined claim in the
same file is reported.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from claimlint import __version__
from claimlint.findings import Finding, sort_key

if TYPE_CHECKING:
    from claimlint.findingstore import FindingStore

FORMAT = 1


class BaselineError(ValueError):
    """A baseline file that cannot be read."""


def baseline_path(path: str, base: Path) -> str:
    """``path`` relative to ``base`` in POSIX form (as written; '-' and URLs unchanged)."""
    if path == "-" or "://" in path:
        return path
    try:
        rel = os.path.relpath(os.path.abspath(path), os.path.abspath(base))
    except ValueError:  # another drive on Windows
        rel = os.path.abspath(path)
    return Path(rel).as_posix()


def fingerprint(finding: Finding, base: Path) -> str:
    """The finding's fingerprint with its path made relative to ``base``."""
    return dataclasses.replace(finding, path=baseline_path(finding.path, base)).fingerprint


def write_baseline(file: Path, findings: list[Finding]) -> int:
    """Record ``findings`` in ``file``; returns how many were written."""
    base = file.resolve().parent
    entries = []
    for f in sorted(findings, key=sort_key):
        entries.append({"fingerprint": fingerprint(f, base), "rule": f.rule,
                        "path": baseline_path(f.path, base), "line": f.line, "text": f.text})
    payload = {"claimlint-baseline": FORMAT, "version": __version__, "findings": entries}
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(entries)


def load_baseline(file: Path) -> Counter[str]:
    """Fingerprints in a baseline file, with how often each occurs (raises BaselineError)."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise BaselineError(f"{file}: cannot read baseline: {exc}") from exc
    if not isinstance(data, dict) or data.get("claimlint-baseline") != FORMAT or not isinstance(
            data.get("findings"), list):
        raise BaselineError(f"{file}: not a claimlint baseline (write one with --write-baseline)")
    try:
        return Counter(str(e["fingerprint"]) for e in data["findings"])
    except (TypeError, KeyError) as exc:
        raise BaselineError(f"{file}: baseline entry without a fingerprint") from exc


def drop_known(store: FindingStore, known: Counter[str], file: Path) -> tuple[int, int]:
    """Hide, in a run's finding store, the findings recorded in the baseline; returns how
    many were hidden and how many baseline entries matched nothing."""
    base = file.resolve().parent
    left = Counter(known)
    before = len(store)

    def keep(f: Finding) -> bool:
        key = fingerprint(f, base)
        if left[key] > 0:
            left[key] -= 1
            return False
        return True

    store.drop_where(keep)
    return before - len(store), sum(left.values())
