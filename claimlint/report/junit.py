"""JUnit XML, which most CI systems display as test results: one test suite per checked
file, one failing test case per finding, and one passing case for a file with none."""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Callable
from typing import TextIO
from xml.etree import ElementTree as ET

from claimlint.findings import Finding


def render_junit(findings: list[Finding], *, paths: list[str],
                 errors: list[dict] | None = None) -> str:
    """``paths`` are every checked file, in order (files without findings pass)."""
    by_path: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        by_path[f.path].append(f)
    out = io.StringIO()
    write_junit(out, paths=paths, with_findings=list(by_path), findings_of=by_path.__getitem__,
                count=lambda path: len(by_path.get(path, ())), errors=errors)
    return out.getvalue()


def write_junit(out: TextIO, *, paths: list[str], with_findings: list[str],
                findings_of: Callable[[str], list[Finding]], count: Callable[[str], int],
                errors: list[dict] | None = None) -> None:
    """Stream the report one test suite (one file) at a time: ``paths`` are every checked
    file in order, ``with_findings`` the paths that have findings, ``findings_of`` reads
    one path's findings and ``count`` counts them without reading."""
    errored = {e["path"]: e.get("error", "could not be checked") for e in errors or []}
    ordered = list(dict.fromkeys([*paths, *with_findings, *errored]))
    counts = {path: count(path) for path in ordered}
    total = sum(counts[p] + (p in errored) + (not counts[p] and p not in errored) for p in ordered)
    failures = sum(counts.values())
    root = ET.Element("testsuites", name="claimlint", tests=str(total), failures=str(failures),
                      errors=str(len([p for p in ordered if p in errored])))
    head = ET.tostring(root, encoding="unicode")  # <testsuites ... />
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    if not ordered:
        out.write(head + "\n")
        return
    out.write(head[:-3] + ">")
    for path in ordered:
        out.write("\n  ")
        out.write(_suite(path, findings_of(path) if counts[path] else [], errored.get(path)))
    out.write("\n</testsuites>\n")


def _suite(path: str, found: list[Finding], error: str | None) -> str:
    suite = ET.Element("testsuite", name=path, tests="0", failures=str(len(found)),
                       errors="0", skipped="0")
    cases = 0
    if error is not None:
        case = ET.SubElement(suite, "testcase", name="read", classname=path)
        ET.SubElement(case, "error", message=error, type="InputError").text = error
        suite.set("errors", "1")
        cases += 1
    for f in found:
        case = ET.SubElement(suite, "testcase", name=f"{f.rule} at {f.line}:{f.column}",
                             classname=path, file=path, line=str(f.line))
        failure = ET.SubElement(case, "failure", message=f.message, type=f.severity)
        failure.text = (f"{f.path}:{f.line}:{f.column}: {f.severity} {f.rule}\n"
                        f"claim: {f.text}\n{f.message}\nsuggestion: {f.suggestion}")
        cases += 1
    if not found and error is None:
        ET.SubElement(suite, "testcase", name="no misleading claims", classname=path)
        cases += 1
    suite.set("tests", str(cases))
    ET.indent(suite, level=1)
    return ET.tostring(suite, encoding="unicode")
