"""Several --format/--output pairs in one run, and how outputs pair with formats."""

import json
from xml.etree import ElementTree as ET

import click
import pytest

from claimlint.cli import output_pairs
from tests.clirun import PAGES, run_check


def test_several_formats_in_one_run(tmp_path, monkeypatch):
    monkeypatch.chdir(PAGES)
    out = tmp_path / "reports"
    result = run_check("faq.txt", "clinic.html",
                       "--format", "sarif", "--output", str(out / "c.sarif"),
                       "--format", "json", "-o", str(out / "c.json"),
                       "--format=junit", f"--output={out / 'c.xml'}",
                       "--format", "gitlab", "--output", str(out / "gl.json"),
                       "--format", "html", "--output", str(out / "r.html"),
                       "--format", "github")
    assert result.exit_code == 1
    assert result.stdout.startswith("::") or result.stdout.splitlines()[0].startswith("::")
    data = json.loads((out / "c.json").read_text())
    sarif = json.loads((out / "c.sarif").read_text())
    gitlab = json.loads((out / "gl.json").read_text())
    junit = ET.fromstring((out / "c.xml").read_text())
    n = len(data["findings"])
    assert n == len(sarif["runs"][0]["results"]) == len(gitlab) == int(junit.get("failures")) > 0
    assert "<mark" in (out / "r.html").read_text()
    assert sum(line.startswith("::") for line in result.stdout.splitlines()) == n


def test_output_without_format_writes_text_and_statistics_only_touch_stdout(tmp_path):
    page = tmp_path / "p.txt"
    page.write_text("Our injections have no side effects.\n")
    report = tmp_path / "out.txt"
    result = run_check(str(page), "--output", str(report))
    assert result.stdout == ""
    assert "SAFETY.no-side-effects" in report.read_text() and "\x1b[" not in report.read_text()
    result = run_check(str(page), "--statistics", "--format", "json", "-o", str(tmp_path / "j.json"),
                       "--format", "text")
    assert result.stdout.split() == ["1", "SAFETY.no-side-effects", "[error]"]
    assert json.loads((tmp_path / "j.json").read_text())["summary"]["findings"] == 1


@pytest.mark.parametrize("order,expected", [
    ([], [("text", None)]),
    ([("format", "json")], [("json", None)]),
    ([("output", "a")], [("text", "a")]),
    ([("format", "text"), ("format", "sarif"), ("output", "s")], [("text", None), ("sarif", "s")]),
    ([("format", "sarif"), ("output", "s"), ("format", "text")], [("sarif", "s"), ("text", None)]),
    ([("output", "s"), ("format", "sarif"), ("format", "json"), ("output", "-")],
     [("sarif", "s"), ("json", None)]),
])
def test_each_output_follows_its_format(order, expected):
    formats = tuple(v for k, v in order if k == "format")
    outputs = tuple(v for k, v in order if k == "output")
    assert output_pairs(order, formats, outputs) == expected


@pytest.mark.parametrize("order", [
    [("format", "json"), ("format", "sarif")],
    [("format", "json"), ("output", "a"), ("output", "b")],
])
def test_ambiguous_pairs_are_usage_errors(order):
    formats = tuple(v for k, v in order if k == "format")
    outputs = tuple(v for k, v in order if k == "output")
    with pytest.raises(click.UsageError):
        output_pairs(order, formats, outputs)


def test_usage_error_exits_2(tmp_path):
    result = run_check("-", "--format", "json", "--format", "sarif", input="x\n")
    assert result.exit_code == 2 and "standard output" in result.output
