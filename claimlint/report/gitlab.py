"""GitLab Code Quality JSON: an array of issues with description, check name, a unique
fingerprint, severity and ``location.path``/``lines.begin``, for merge-request widgets."""

from __future__ import annotations

import hashlib
import io
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from claimlint.findings import Finding
from claimlint.report.stream import write_document

SEVERITIES = {"error": "major", "warning": "minor", "info": "info"}


def render_gitlab(findings: list[Finding]) -> str:
    """Code Quality issues as one string (see ``write_gitlab``)."""
    out = io.StringIO()
    write_gitlab(out, findings)
    return out.getvalue()


def write_gitlab(out: TextIO, findings: Iterable[Finding]) -> None:
    """Stream the Code Quality issues. GitLab needs each fingerprint unique, so a repeated
    claim in the same file gets its occurrence number mixed into the finding's own
    fingerprint."""
    seen: Counter[str] = Counter()
    paths: dict[str, str] = {}

    def issues():  # noqa: ANN202
        for f in findings:
            base = f.fingerprint
            seen[base] += 1
            fingerprint = base if seen[base] == 1 else hashlib.sha256(
                f"{base}\0{seen[base]}".encode()).hexdigest()[:32]
            path = paths.get(f.path)
            if path is None:
                path = Path(f.path).as_posix()
                while path.startswith("./"):
                    path = path[2:]
                paths[f.path] = path
            yield {
                "type": "issue",
                "check_name": f.rule,
                "description": f"{f.rule}: {f.message}",
                "content": {"body": f"Claim: {f.text}\n\n{f.why}\n\nSuggestion: {f.suggestion}".strip()},
                "fingerprint": fingerprint,
                "severity": SEVERITIES.get(f.severity, "minor"),
                "location": {"path": path, "lines": {"begin": f.line, "end": max(f.end_line, f.line)}},
            }

    write_document(out, lambda placeholder: placeholder, issues(), indent=2)
