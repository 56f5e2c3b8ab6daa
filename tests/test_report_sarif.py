import json

import jsonschema
import pytest

from claimlint.document import line_starts
from claimlint.findings import Finding
from claimlint.report.sarif import artifact_uri, help_uri, render_sarif, rule_name
from claimlint.rulepack import load_rules
from tests.clirun import DATA, PAGES, fixture_pages, run_check
from tests.conftest import FIXTURES, ROOT

SCHEMA = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def validate(log: dict) -> None:
    jsonschema.Draft7Validator(SCHEMA, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
                               ).validate(log)


def sarif_of(*paths: str) -> dict:
    result = run_check(*paths, "--format", "sarif", "--no-cache")
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def test_the_fixture_pages_validate_against_the_sarif_schema():
    pages = [str(p) for p in fixture_pages()]
    if (FIXTURES / "pages").is_dir():  # the project's fixture pages, and this module's own
        pages.append(str(FIXTURES / "pages"))
    log = sarif_of(*pages)
    validate(log)
    run = log["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["results"], "the fixture pages hold claims"
    assert {r["level"] for r in run["results"]} <= {"error", "warning", "note"}


def test_regions_are_exact_source_ranges(monkeypatch):
    monkeypatch.chdir(PAGES)
    log = sarif_of("faq.txt", "./clinic.html")
    results = log["runs"][0]["results"]
    assert len(results) >= 3
    for r in results:
        loc = r["locations"][0]["physicalLocation"]
        region = loc["region"]
        assert loc["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        source = (PAGES / loc["artifactLocation"]["uri"]).read_text(encoding="utf-8")
        starts = line_starts(source)
        start = starts[region["startLine"] - 1] + region["startColumn"] - 1
        end = starts[region["endLine"] - 1] + region["endColumn"] - 1
        claim = source[start:end]
        if r["ruleId"].startswith("DISCLOSURE"):
            continue
        assert " ".join(claim.replace("<b>", "").replace("</b>", "").split()) == \
            region["snippet"]["text"]
    faq = [r for r in results if r["locations"][0]["physicalLocation"]["artifactLocation"][
        "uri"] == "faq.txt" and r["ruleId"] == "SAFETY.no-side-effects"]
    (side,) = faq
    # a tab and a curly quote on the line: columns count characters, 1-based, end exclusive
    assert side["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 4, "startColumn": 32, "endLine": 4, "endColumn": 47,
        "snippet": {"text": "no side effects"}}


def test_rules_carry_help_uri_default_level_and_descriptions():
    log = sarif_of(str(PAGES / "faq.txt"))
    driver = log["runs"][0]["tool"]["driver"]
    pack = load_rules()
    ids = [r["id"] for r in driver["rules"]]
    assert set(ids) >= {r.id for r in pack.rules}
    rule = next(r for r in driver["rules"] if r["id"] == "SAFETY.no-side-effects")
    assert rule["name"] == "NoSideEffects"
    assert rule["helpUri"].endswith("/README.md#rule-catalogue")
    assert rule["defaultConfiguration"]["level"] == "error"
    assert rule["shortDescription"]["text"].startswith("This says there are no side effects")
    assert "Suggestion:" in rule["help"]["text"] and "section 1" in rule["fullDescription"]["text"]
    for result in log["runs"][0]["results"]:
        assert ids[result["ruleIndex"]] == result["ruleId"]
        assert len(result["partialFingerprints"]["claimlintFingerprint/v1"]) == 32


def test_levels_follow_effective_severity(tmp_path):
    (tmp_path / ".claimlint.toml").write_text(
        '[severity]\n"GUARANTEE" = "info"\n"SAFETY" = "warning"\n')
    page = tmp_path / "p.txt"
    page.write_text("Our injections have no side effects. Results are guaranteed.\n")
    levels = {r["ruleId"]: r["level"] for r in sarif_of(str(page))["runs"][0]["results"]}
    assert levels == {"SAFETY.no-side-effects": "warning", "GUARANTEE.guaranteed-results": "note"}


def test_unreadable_files_become_notifications_and_the_log_still_validates(tmp_path):
    bad = tmp_path / "bin.txt"
    bad.write_bytes(bytes(range(256)) * 8)
    result = run_check(str(bad), "--format", "sarif")
    assert result.exit_code == 2
    log = json.loads(result.stdout)
    validate(log)
    inv = log["runs"][0]["invocations"][0]
    assert inv["executionSuccessful"] is False
    assert "binary" in inv["toolExecutionNotifications"][0]["message"]["text"]


def test_uris_and_names():
    assert artifact_uri("./site/a b.md") == {"uri": "site/a%20b.md", "uriBaseId": "%SRCROOT%"}
    assert artifact_uri("/tmp/x.md")["uri"] == "file:///tmp/x.md"
    assert rule_name("CELL-SOURCE.live-cell-count") == "LiveCellCount"
    assert help_uri("GUARANTEE.guaranteed-results").endswith("#rule-catalogue")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "\n## Rule catalogue\n" in readme  # the heading the anchor names


@pytest.mark.parametrize("line,col,end_line,end_col", [(1, 1, 1, 2), (3, 5, 4, 1)])
def test_rendered_log_validates_for_edge_regions(line, col, end_line, end_col):
    f = Finding(path="p.md", rule="X.y", category="X", severity="info", message="m", line=line,
                column=col, end_line=end_line, end_column=end_col, text="t", suggestion="")
    validate(json.loads(render_sarif([f])))
