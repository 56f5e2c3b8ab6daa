import json

from tests.clirun import run_check

PAGE = ("Our injections have no side effects.\n\nSome text.\n\n"
        "Our injections have no side effects.\n\nSay goodbye to knee pain forever.\n")


def test_code_quality_issues(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "page.txt").write_text(PAGE)
    result = run_check("./site/page.txt", "--format", "gitlab")
    assert result.exit_code == 1
    issues = json.loads(result.stdout)
    assert isinstance(issues, list) and len(issues) >= 3
    for issue in issues:
        assert set(issue) >= {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["location"]["path"] == "site/page.txt"
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
    side = [i for i in issues if i["check_name"] == "SAFETY.no-side-effects"]
    assert [i["location"]["lines"]["begin"] for i in side] == [1, 5]
    assert {i["severity"] for i in side} == {"major"}
    # the same claim twice in one file: still one fingerprint per issue
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    implied = next(i for i in issues if i["check_name"] == "GUARANTEE.implied-outcome")
    assert implied["severity"] == "minor"  # a warning


def test_no_findings_is_an_empty_array(tmp_path):
    page = tmp_path / "ok.txt"
    page.write_text("Our clinic has free parking.\n")
    result = run_check(str(page), "--format", "gitlab")
    assert result.exit_code == 0 and json.loads(result.stdout) == []
