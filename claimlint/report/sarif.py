"""SARIF 2.1.0 output for code-scanning tools (GitHub code scanning, IDE viewers).

Every rule of the pack is described (id, name, message, why and suggestion as help, a help
URI to the README's rule catalogue, default level); each result has an exact region with
1-based line and column numbers counted in Unicode code points (``columnKind``), an
exclusive end column as SARIF requires, and the claimlint fingerprint as a partial
fingerprint. Files that could not be checked become tool execution notifications.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from claimlint import __version__
from claimlint.findings import Finding
from claimlint.report.stream import write_document

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
# Used only when the installed package names no "Homepage"/"Documentation" Project-URL.
FALLBACK_HOME = "https://github.com/claimlint/claimlint"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
FINGERPRINT_KEY = "claimlintFingerprint/v1"
CATALOGUE_ANCHOR = "rule-catalogue"  # GitHub's anchor for the README heading "Rule catalogue"


@lru_cache(maxsize=8)
def project_url(label: str) -> str | None:
    """A Project-URL of the installed claimlint distribution (``[project.urls]``)."""
    try:
        from importlib.metadata import PackageNotFoundError, metadata

        for entry in metadata("claimlint").get_all("Project-URL") or []:
            name, _, url = entry.partition(",")
            if name.strip().lower() == label.lower() and url.strip():
                return url.strip()
    except (ImportError, PackageNotFoundError):
        pass
    return None


def home_url() -> str:
    return project_url("Homepage") or project_url("Repository") or FALLBACK_HOME


def docs_url() -> str:
    """The README rule catalogue: $CLAIMLINT_DOCS_URL, the Documentation Project-URL, or
    the README on the home page."""
    return (os.environ.get("CLAIMLINT_DOCS_URL") or project_url("Documentation")
            or home_url() + "/blob/main/README.md")


def help_uri(rule_id: str) -> str:
    """Where a rule is documented: the README's generated rule catalogue (one table for
    all rules, so every rule links to the catalogue's heading)."""
    return f"{docs_url()}#{CATALOGUE_ANCHOR}"


def rule_name(rule_id: str) -> str:
    """A SARIF rule name: ``SAFETY.no-side-effects`` -> ``NoSideEffects``."""
    short = rule_id.split(".", 1)[-1]
    return "".join(part[:1].upper() + part[1:] for part in short.replace("_", "-").split("-"))


def artifact_uri(path: str) -> dict[str, str]:
    """A SARIF artifact location: relative paths as URI references from the source root."""
    return dict(_artifact_uri(path))


@lru_cache(maxsize=1024)  # a file's findings share it: Path and quote once per path
def _artifact_uri(path: str) -> dict[str, str]:
    if "://" in path:
        return {"uri": path}
    p = Path(path)
    if p.is_absolute():
        return {"uri": p.as_uri()}
    posix = p.as_posix()
    while posix.startswith("./"):
        posix = posix[2:]
    return {"uri": quote(posix, safe="/"), "uriBaseId": "%SRCROOT%"}


def _descriptor(rule_id: str, category: str, severity: str, message: str, why: str,
                suggestion: str) -> dict[str, Any]:
    full = " ".join(x for x in (why, f"Suggestion: {suggestion}" if suggestion else "") if x)
    md = (f"**{message}**\n\n{why}\n\n**Suggestion:** {suggestion}" if why
          else f"**{message}**\n\n**Suggestion:** {suggestion}")
    return {
        "id": rule_id,
        "name": rule_name(rule_id),
        "shortDescription": {"text": message},
        "fullDescription": {"text": full or message},
        "help": {"text": full or message, "markdown": md},
        "helpUri": help_uri(rule_id),
        "defaultConfiguration": {"level": LEVELS.get(severity, "warning")},
        "properties": {"category": category, "tags": ["compliance", category]},
    }


def write_sarif(out: TextIO, findings: Iterable[Finding], *, rules: list[Any] | None = None,
                errors: list[dict] | None = None, pretty: bool = False) -> None:
    """Stream the SARIF log for ``findings`` (iterated twice: once for the rules they name,
    once for the results); ``rules`` are the pack's Rule objects to describe."""
    descriptors: dict[str, dict] = {}
    for rule in sorted(rules or [], key=lambda r: r.id):
        descriptors[rule.id] = _descriptor(rule.id, rule.category, rule.severity, rule.message,
                                           rule.why, rule.suggestion)
    for f in findings:
        if f.rule not in descriptors:
            descriptors[f.rule] = _descriptor(f.rule, f.category, f.severity, f.message, f.why,
                                              f.suggestion)
    index = {rid: i for i, rid in enumerate(descriptors)}
    notifications = [{
        "level": "error",
        "message": {"text": e.get("error", "could not be checked")},
        "locations": [{"physicalLocation": {"artifactLocation": artifact_uri(e["path"])}}],
    } for e in errors or []]
    invocation: dict[str, Any] = {"executionSuccessful": not errors}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications

    def make(results: object) -> dict[str, Any]:
        return {
            "$schema": SCHEMA_URI,
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {
                    "name": "claimlint",
                    "version": __version__,
                    "semanticVersion": __version__,
                    "informationUri": home_url(),
                    "rules": list(descriptors.values()),
                }},
                "invocations": [invocation],
                "originalUriBaseIds": {"%SRCROOT%": {"uri": Path.cwd().as_uri() + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }],
        }

    write_document(out, make, (_result(f, index[f.rule]) for f in findings),
                   indent=2 if pretty else None)


def render_sarif(findings: list[Finding], *, rules: list[Any] | None = None,
                 errors: list[dict] | None = None, pretty: bool = True) -> str:
    """The SARIF log for ``findings`` as one string."""
    out = io.StringIO()
    write_sarif(out, findings, rules=rules, errors=errors, pretty=pretty)
    return out.getvalue()


def _result(f: Finding, rule_index: int) -> dict[str, Any]:
    region: dict[str, Any] = {
        "startLine": f.line, "startColumn": f.column,
        "endLine": max(f.end_line, f.line), "endColumn": max(f.end_column, 1),
    }
    if f.text:
        region["snippet"] = {"text": f.text}
    result: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "level": LEVELS.get(f.severity, "warning"),
        "message": {"text": f"{f.message} Suggestion: {f.suggestion}" if f.suggestion
                    else f.message},
        "locations": [{"physicalLocation": {
            "artifactLocation": artifact_uri(f.path),
            "region": region,
        }}],
        "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint},
        "properties": {"category": f.category, "severity": f.severity},
    }
    if f.sentence:
        result["properties"]["sentence"] = f.sentence
    if f.extra:
        result["properties"].update({k: v for k, v in f.extra.items() if k not in result})
    return result
