"""JUnit XML, which most CI systems display as test results: one test suite per checked
file, one failing test case per finding, and one passing case for a file with none."""

from __future__ import annotations

from collections import defaultdict
from xml.etree import ElementTree as ET

from claimlint.findings import Finding


def render_junit(findings: list[Finding], *, paths: list[str],
                 errors: list[dict] | None = None) -> str:
    """``paths`` are every checked file, in order (files without findings pass)."""
    by_path: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        by_path[f.path].append(f)
    errored = {e["path"]: e.get("error", "could not be checked") for e in errors or []}
    ordered = list(dict.fromkeys([*paths, *by_path, *errored]))
    root = ET.Element("testsuites", name="claimlint", tests="0", failures="0", errors="0")
    total = failures = error_count = 0
    for path in ordered:
        found = by_path.get(path, [])
        suite = ET.SubElement(root, "testsuite", name=path, tests="0", failures=str(len(found)),
                              errors="0", skipped="0")
        cases = 0
        if path in errored:
            case = ET.SubElement(suite, "testcase", name="read", classname=path)
            ET.SubElement(case, "error", message=errored[path], type="InputError").text = errored[path]
            suite.set("errors", "1")
            error_count += 1
            cases += 1
        for f in found:
            case = ET.SubElement(suite, "testcase", name=f"{f.rule} at {f.line}:{f.column}",
                                 classname=path, file=path, line=str(f.line))
            failure = ET.SubElement(case, "failure", message=f.message, type=f.severity)
            failure.text = (f"{f.path}:{f.line}:{f.column}: {f.severity} {f.rule}\n"
                            f"claim: {f.text}\n{f.message}\nsuggestion: {f.suggestion}")
            cases += 1
        if not found and path not in errored:
            ET.SubElement(suite, "testcase", name="no misleading claims", classname=path)
            cases += 1
        suite.set("tests", str(cases))
        total += cases
        failures += len(found)
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", str(error_count))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
