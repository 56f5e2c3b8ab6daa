import json
import os

import pytest
from click.testing import CliRunner

from claimlint.cli import main
from tests.conftest import SHARED, slice_source

CLAIMS = "Our stem cell injections have no side effects and results are guaranteed.\n"


@pytest.fixture
def run(linter):
    """Run the CLI in-process (the compiled engine is reused across calls)."""
    def _run(*args, input=None):
        return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)
    return _run


def test_stdin_with_two_claims_reports_two_errors_and_exits_1(run):
    result = run("check", "-", input=CLAIMS)
    assert result.exit_code == 1
    assert "SAFETY.no-side-effects" in result.output
    assert "GUARANTEE.guaranteed-results" in result.output
    assert "Found 2 findings (2 errors) in 1 file." in result.output


@pytest.mark.skipif(not (SHARED / "seed").exists(), reason="shared seed not present")
def test_the_seed_risk_page_has_no_error(run):
    result = run("check", str(SHARED / "seed" / "stem-cell-therapy-risks.txt"), "--format", "json")
    data = json.loads(result.output)
    assert result.exit_code == 0
    assert [f for f in data["findings"] if f["severity"] == "error"] == []


def test_json_output_has_the_documented_fields(run, tmp_path):
    path = tmp_path / "copy.txt"
    path.write_text("Intro line.\r\n\tCafé news: results are guaranteed!\r\n", encoding="utf-8")
    result = run("check", str(path), "--format", "json")
    data = json.loads(result.output)
    assert data["version"] and data["summary"]["findings"] == 1
    (f,) = data["findings"]
    for key in ("path", "rule", "category", "severity", "message", "line", "column",
                "end_line", "end_column", "text", "suggestion"):
        assert key in f
    source = path.read_text(encoding="utf-8", errors="strict").replace("\n", "\n")
    raw = path.read_bytes().decode()
    assert (f["line"], f["column"]) == (2, 13)
    assert slice_source(raw, f["line"], f["column"], f["end_line"], f["end_column"]) == \
        "results are guaranteed"
    assert source


def test_select_ignore_and_fail_on(run):
    assert "SAFETY" not in run("check", "-", "--select", "GUARANTEE", input=CLAIMS).output
    out = run("check", "-", "--ignore", "GUARANTEE.guaranteed-results,SAFETY", input=CLAIMS)
    assert out.exit_code == 0 and "No findings" in out.output
    warn_only = "Say goodbye to knee pain forever.\n"
    assert run("check", "-", input=warn_only).exit_code == 0
    assert run("check", "-", "--fail-on", "warning", input=warn_only).exit_code == 1


def test_text_output_underlines_the_claim(run):
    out = run("check", "-", "--select", "SAFETY", input=CLAIMS).output
    lines = out.splitlines()
    src = next(i for i, line in enumerate(lines) if line.startswith("1 | "))
    caret = lines[src + 1]
    assert caret.index("^") - 4 == CLAIMS.index("no side effects")
    assert caret.count("^") == len("no side effects")
    assert "suggestion:" in lines[src + 2]


def test_config_is_found_upward_and_applied(run, tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.claimlint]\nignore = ["SAFETY"]\nfail-on = "warning"\n'
        '[tool.claimlint.severity]\n"GUARANTEE.guaranteed-results" = "info"\n')
    sub = tmp_path / "site" / "pages"
    sub.mkdir(parents=True)
    (sub / "a.txt").write_text(CLAIMS)
    data = json.loads(run("check", str(sub), "--format", "json").output)
    assert [(f["rule"], f["severity"]) for f in data["findings"]] == [
        ("GUARANTEE.guaranteed-results", "info")]
    shown = run("check", str(sub), "--show-config").output
    assert "pyproject.toml" in shown and "fail-on = 'warning'" in shown


def test_explicit_config_and_claimlint_toml(run, tmp_path):
    cfg = tmp_path / "strict.toml"
    cfg.write_text('select = ["SAFETY"]\n')
    data = json.loads(run("check", "-", "--config", str(cfg), "--format", "json", input=CLAIMS).output)
    assert {f["category"] for f in data["findings"]} == {"SAFETY"}


@pytest.mark.parametrize("content,problem", [
    ('select = "SAFETY"\n', "must be a list"),
    ("colour = 1\n", "unknown option 'colour'"),
    ('fail-on = "never"\n', "fail-on"),
    ("select = [\n", "cannot read config"),
])
def test_bad_config_exits_2_with_a_clear_message(run, tmp_path, content, problem):
    cfg = tmp_path / ".claimlint.toml"
    cfg.write_text(content)
    result = run("check", "-", "--config", str(cfg), input=CLAIMS)
    assert result.exit_code == 2
    assert problem in result.output


def test_extra_rule_directory_from_config(run, tmp_path):
    rules = tmp_path / "my-rules"
    rules.mkdir()
    (rules / "hype.yml").write_text(
        "category: HYPE\nrules:\n  - id: HYPE.wonder\n    severity: error\n"
        "    message: Wonder language.\n    why: Hype.\n    suggestion: Be plain.\n"
        "    patterns:\n      - phrase: wonder treatment\n")
    (tmp_path / ".claimlint.toml").write_text('extend-rules = ["my-rules"]\n')
    (tmp_path / "page.txt").write_text("A wonder treatment for all.\n")
    out = run("check", str(tmp_path / "page.txt"))
    assert "HYPE.wonder" in out.output and out.exit_code == 1


def test_broken_rule_file_exits_2_naming_file_and_rule(run, tmp_path):
    rules = tmp_path / "bad"
    rules.mkdir()
    (rules / "x.yml").write_text(
        "category: HYPE\nrules:\n  - id: HYPE.bad\n    severity: error\n    message: m\n"
        "    why: w\n    suggestion: s\n    patterns:\n      - regex: '(oops'\n")
    (tmp_path / ".claimlint.toml").write_text('extend-rules = ["bad"]\n')
    (tmp_path / "page.txt").write_text("text\n")
    result = run("check", str(tmp_path / "page.txt"))
    assert result.exit_code == 2
    assert "x.yml" in result.output and "HYPE.bad" in result.output
    assert "regex does not compile" in result.output


def test_bad_inputs_are_reported_and_the_rest_is_checked(run, tmp_path):
    d = tmp_path / "site"
    d.mkdir()
    (d / "a-empty.txt").write_text("")
    (d / "b-binary.txt").write_bytes(bytes(range(256)) * 4)
    (d / "c-latin.txt").write_bytes("Caf\xe9 copy: results are guaranteed.\n".encode("cp1252"))
    (d / "d-huge.txt").write_bytes(b"Stem cell copy. " * 3_200_000)  # ~51 MB
    (d / "e-broken.html").write_text("<html><p>Results are guaranteed<div></span><<p")
    os.symlink(d / "missing.txt", d / "f-unreadable.txt")
    (d / "g-good.txt").write_text(CLAIMS)
    result = run("check", str(d), "--format", "json")
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    errors = {os.path.basename(e["path"]): e["error"] for e in data["summary"]["errors"]}
    assert set(errors) == {"b-binary.txt", "d-huge.txt", "f-unreadable.txt"}
    assert "binary" in errors["b-binary.txt"]
    assert "too large" in errors["d-huge.txt"]
    assert "No such file" in errors["f-unreadable.txt"]
    checked = {os.path.basename(f["path"]) for f in data["findings"]}
    assert {"c-latin.txt", "g-good.txt"} <= checked
    assert "empty file" in result.stderr
    assert "decoded as detected cp1252" in result.stderr
    for line in result.stderr.strip().splitlines():
        assert line.startswith(("error: ", "warning: "))


def test_missing_path_exits_2(run, tmp_path):
    result = run("check", str(tmp_path / "nope.md"))
    assert result.exit_code == 2 and "no such file" in result.output


def test_rules_list_show_and_test(run):
    listed = run("rules", "list").output
    assert "SAFETY.no-side-effects" in listed
    shown = run("rules", "show", "SAFETY.no-side-effects").output
    for part in ("Why:", "Suggestion:", "Flagged:", "Passes:", "§1"):
        assert part in shown
    assert run("rules", "show", "NOPE.rule").exit_code == 2
    tested = run("rules", "test")
    assert tested.exit_code == 0 and "0 failed" in tested.output
