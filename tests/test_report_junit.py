from xml.etree import ElementTree as ET

from tests.clirun import PAGES, run_check


def test_one_suite_per_file_failures_per_finding(monkeypatch, tmp_path):
    monkeypatch.chdir(PAGES)
    bad = tmp_path / "bin.txt"
    bad.write_bytes(bytes(range(256)) * 8)
    result = run_check("faq.txt", "honest.txt", str(bad), "--format", "junit")
    assert result.exit_code == 2
    root = ET.fromstring(result.stdout)
    assert root.tag == "testsuites"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == ["faq.txt", "honest.txt", str(bad)]
    faq = suites["faq.txt"]
    failures = faq.findall("testcase/failure")
    assert len(failures) == int(faq.get("failures")) == int(faq.get("tests")) >= 2
    assert {f.get("type") for f in failures} <= {"error", "warning", "info"}
    case = faq.find("testcase")
    assert case.get("classname") == "faq.txt" and " at " in case.get("name")
    assert "suggestion:" in failures[0].text
    honest = suites["honest.txt"]
    assert honest.get("failures") == "0" and len(honest.findall("testcase")) == 1
    assert suites[str(bad)].find("testcase/error") is not None
    assert int(root.get("failures")) == sum(int(s.get("failures")) for s in suites.values())
    assert root.get("errors") == "1"
