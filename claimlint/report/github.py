"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` annotation
per finding, escaped as GitHub's toolkit escapes them.

GitHub shows at most 10 error, 10 warning and 10 notice annotations per step and 50 per
job (actions/toolkit, docs/problem-matchers.md); the rest stay in the log only. When a run
has more than a step shows, a notice saying so comes first (so it is never the one cut)
and a plain summary line closes the output.
"""

from __future__ import annotations

import io
import os
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from pathlib import PurePath
from typing import TextIO

from claimlint.findings import Finding

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}
PER_STEP = 10   # per annotation level, per step
PER_JOB = 50    # all levels, all steps of a job


def escape_data(text: str) -> str:
    """Escape a workflow command's message (``%``, CR, LF)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command property value (also ``:`` and ``,``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workspace_path(path: str) -> str:
    """A path as GitHub wants it: relative to the workspace, forward slashes, no ``./``."""
    return _workspace_path(path, os.environ.get("GITHUB_WORKSPACE"))


@lru_cache(maxsize=1024)  # a file's findings share it
def _workspace_path(path: str, workspace: str | None) -> str:
    if workspace and os.path.isabs(path):
        rel = os.path.relpath(path, workspace)
        if not rel.startswith(".."):
            path = rel
    posix = PurePath(path).as_posix()
    while posix.startswith("./"):
        posix = posix[2:]
    return posix


def annotation(f: Finding) -> str:
    """The workflow command for one finding."""
    props = [("file", workspace_path(f.path)), ("line", str(f.line)), ("col", str(f.column)),
             ("endLine", str(max(f.end_line, f.line)))]
    if f.end_line == f.line:  # GitHub ignores endColumn on multi-line annotations
        props.append(("endColumn", str(f.end_column)))
    props.append(("title", f"claimlint {f.rule}"))
    body = ",".join(f"{k}={escape_property(v)}" for k, v in props)
    message = f"{f.message}\nSuggestion: {f.suggestion}" if f.suggestion else f.message
    return f"::{COMMANDS.get(f.severity, 'warning')} {body}::{escape_data(message)}"


def hidden_counts(findings: Iterable[Finding] | Counter[str]) -> tuple[int, Counter[str]]:
    """How many annotations GitHub will not show in one step, overall and per level (the
    per-job limit of 50 only bites when other steps annotate too). ``findings`` may be a
    Counter of findings by severity."""
    by_severity = findings if isinstance(findings, Counter) else Counter(f.severity for f in findings)
    counts: Counter[str] = Counter()
    for severity, n in by_severity.items():
        counts[COMMANDS.get(severity, "warning")] += n
    hidden = Counter({level: n - PER_STEP for level, n in counts.items() if n > PER_STEP})
    return sum(hidden.values()), hidden


def render_github(findings: list[Finding], *, files: int, errors: list[dict] | None = None) -> str:
    """Annotations for ``findings`` and input errors, with a summary when some will be hidden."""
    out = io.StringIO()
    write_github(out, findings, Counter(f.severity for f in findings), files=files, errors=errors)
    return out.getvalue()


def write_github(out: TextIO, findings: Iterable[Finding], counts: Counter[str], *, files: int,
                 errors: list[dict] | None = None) -> None:
    """Stream the annotations; ``counts`` are the findings by severity (for the notice
    that comes before them)."""
    total_hidden, hidden = hidden_counts(counts)
    total = sum(counts.values())
    levels = ", ".join(f"{counts[s]} {s}{'s' if counts[s] != 1 and s != 'info' else ''}"
                       for s in ("error", "warning", "info") if counts[s])
    summary = (f"claimlint: {total} finding{'s' if total != 1 else ''}"
               f"{f' ({levels})' if levels else ''} in {files} file{'s' if files != 1 else ''}")
    if total_hidden:
        detail = ", ".join(f"{n} {level}" for level, n in sorted(hidden.items()))
        note = (f"{summary}; GitHub shows at most {PER_STEP} annotations of each level per step, "
                f"so {total_hidden} ({detail}) appear only in this log. Upload SARIF "
                f"(--format sarif) to see every finding in code scanning.")
        out.write(f"::notice title=claimlint::{escape_data(note)}\n")
    for f in findings:
        out.write(annotation(f) + "\n")
    for e in errors or []:
        out.write(f"::error file={escape_property(workspace_path(e['path']))},title=claimlint input error::"
                  f"{escape_data(e.get('error', 'could not be checked'))}\n")
    out.write(summary + (f"; {total_hidden} not shown as annotations." if total_hidden else ".") + "\n")
