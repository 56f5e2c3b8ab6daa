"""GitLab Code Quality JSON: an array of issues with description, check name, a unique
fingerprint, severity and ``location.path``/``lines.begin``, for merge-request widgets."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

from claimlint.findings import Finding

SEVERITIES = {"error": "major", "warning": "minor", "info": "info"}


def render_gitlab(findings: list[Finding]) -> str:
    """Code Quality issues. GitLab needs each fingerprint unique, so a repeated claim in the
    same file gets its occurrence number mixed into the finding's own fingerprint."""
    seen: Counter[str] = Counter()
    issues = []
    for f in findings:
        base = f.fingerprint
        seen[base] += 1
        fingerprint = base if seen[base] == 1 else hashlib.sha256(
            f"{base}\0{seen[base]}".encode()).hexdigest()[:32]
        path = Path(f.path).as_posix()
        while path.startswith("./"):
            path = path[2:]
        issues.append({
            "type": "issue",
            "check_name": f.rule,
            "description": f"{f.rule}: {f.message}",
            "content": {"body": f"Claim: {f.text}\n\n{f.why}\n\nSuggestion: {f.suggestion}".strip()},
            "fingerprint": fingerprint,
            "severity": SEVERITIES.get(f.severity, "minor"),
            "location": {"path": path, "lines": {"begin": f.line, "end": max(f.end_line, f.line)}},
        })
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
