"""JSON output: ``{version, findings: [...], summary: {...}}`` (see DESIGN.md), written as
the findings are read (one finding per line; ``--pretty`` indents)."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterable
from typing import Any, TextIO

from claimlint import __version__
from claimlint.findings import Finding
from claimlint.report.stream import write_document


def json_payload(findings: list[Finding], *, files: int, errors: list[dict]) -> dict[str, Any]:
    """The ``--format json`` object; ``claimlint serve``'s API returns the same one."""
    summary = {
        "files": files,
        "findings": len(findings),
        "by_severity": dict(Counter(f.severity for f in findings)),
        "by_rule": dict(Counter(f.rule for f in findings)),
        "errors": errors,
    }
    return {"version": __version__, "findings": [f.to_dict() for f in findings],
            "summary": summary}


def write_json(out: TextIO, findings: Iterable[Finding], *, files: int, errors: list[dict],
               pretty: bool = False) -> None:
    """Stream the ``--format json`` object to ``out``, counting the summary on the way."""
    by_severity: Counter[str] = Counter()
    by_rule: Counter[str] = Counter()

    def items():  # noqa: ANN202
        for f in findings:
            by_severity[f.severity] += 1
            by_rule[f.rule] += 1
            yield f.to_dict()

    def make(placeholder: object) -> dict[str, Any]:
        summary = {"files": files, "findings": by_severity.total(), "by_severity": dict(by_severity),
                   "by_rule": dict(by_rule), "errors": errors}
        return {"version": __version__, "findings": placeholder, "summary": summary}

    write_document(out, make, items(), indent=2 if pretty else None)


def render_json(findings: list[Finding], *, files: int, errors: list[dict],
                pretty: bool = True) -> str:
    out = io.StringIO()
    write_json(out, findings, files=files, errors=errors, pretty=pretty)
    return out.getvalue()
