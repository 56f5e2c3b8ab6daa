"""Baselines: known findings stay hidden when lines move or other text changes; an edited
claim is reported again."""

import json

import pytest

from tests.clirun import run_check

PAGE = """Welcome to Riverside.

Our stem cell injections have no side effects.

Results are guaranteed for every patient.
"""


@pytest.fixture
def site(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "site").mkdir()
    page = tmp_path / "site" / "page.txt"
    page.write_text(PAGE)
    result = run_check("site", "--write-baseline", "baseline.json")
    assert result.exit_code == 0, result.output
    assert "Wrote 2 findings" in result.stderr
    return page


def findings(*args):
    result = run_check("site", "--baseline", "baseline.json", "--format", "json", *args)
    return result, [(f["rule"], f["line"]) for f in json.loads(result.stdout)["findings"]]


def test_baseline_file_records_fingerprints_and_relative_paths(site, tmp_path):
    data = json.loads((tmp_path / "baseline.json").read_text())
    assert data["claimlint-baseline"] == 1
    assert [(e["rule"], e["path"], e["line"]) for e in data["findings"]] == [
        ("SAFETY.no-side-effects", "site/page.txt", 3),
        ("GUARANTEE.guaranteed-results", "site/page.txt", 5)]
    assert all(len(e["fingerprint"]) == 32 for e in data["findings"])


def test_unchanged_copy_reports_nothing_and_exits_0(site):
    result, found = findings()
    assert found == [] and result.exit_code == 0
    assert "2 known findings not shown" in result.stderr


def test_moved_lines_stay_suppressed(site):
    site.write_text("New intro paragraph.\n\nAnother one.\n\n" + PAGE.replace(
        "Our stem cell injections have no side effects.\n\nResults are guaranteed for every patient.",
        "Results are guaranteed for every patient.\n\nOur stem cell injections have no side effects."))
    assert findings()[1] == []


def test_edits_elsewhere_stay_suppressed(site):
    site.write_text(PAGE.replace("Welcome to Riverside.", "Welcome to the new Riverside clinic!"))
    assert findings()[1] == []


def test_an_edited_claim_resurfaces(site):
    site.write_text(PAGE.replace("Results are guaranteed for every patient.",
                                 "Results are guaranteed for every single patient."))
    result, found = findings()
    assert found == [("GUARANTEE.guaranteed-results", 5)] and result.exit_code == 1


def test_a_second_copy_of_a_known_claim_is_new(site):
    site.write_text(PAGE + "\nOur stem cell injections have no side effects.\n")
    assert findings("--ignore", "DISCLOSURE")[1] == [("SAFETY.no-side-effects", 7)]


def test_fixed_claims_are_counted(site):
    site.write_text("Welcome to Riverside.\n")
    result, found = findings()
    assert found == [] and "2 no longer found" in result.stderr


def test_baseline_works_from_another_directory(site, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path / "site")
    result = run_check("page.txt", "--baseline", "../baseline.json")
    assert result.exit_code == 0, result.output


def test_new_file_is_reported(site, tmp_path):
    (tmp_path / "site" / "other.txt").write_text("Our stem cell injections have no side effects.\n")
    assert findings()[1] == [("SAFETY.no-side-effects", 1)]


@pytest.mark.parametrize("content", ["not json", '{"findings": []}', '{"claimlint-baseline": 1}'])
def test_a_bad_baseline_file_exits_2(tmp_path, content):
    bad = tmp_path / "b.json"
    bad.write_text(content)
    result = run_check("-", "--baseline", str(bad), input="text\n")
    assert result.exit_code == 2 and "baseline" in result.output


def test_missing_baseline_file_exits_2(tmp_path):
    result = run_check("-", "--baseline", str(tmp_path / "none.json"), input="text\n")
    assert result.exit_code == 2
