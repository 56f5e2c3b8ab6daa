"""JSON output: ``{version, findings: [...], summary: {...}}`` (see DESIGN.md)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from claimlint import __version__
from claimlint.findings import Finding


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


def render_json(findings: list[Finding], *, files: int, errors: list[dict]) -> str:
    payload = json_payload(findings, files=files, errors=errors)
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
