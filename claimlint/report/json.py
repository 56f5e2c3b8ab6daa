"""JSON output: ``{version, findings: [...], summary: {...}}`` (see DESIGN.md)."""

from __future__ import annotations

import json
from collections import Counter

from claimlint import __version__
from claimlint.findings import Finding


def render_json(findings: list[Finding], *, files: int, errors: list[dict]) -> str:
    summary = {
        "files": files,
        "findings": len(findings),
        "by_severity": dict(Counter(f.severity for f in findings)),
        "by_rule": dict(Counter(f.rule for f in findings)),
        "errors": errors,
    }
    payload = {"version": __version__, "findings": [f.to_dict() for f in findings],
               "summary": summary}
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
