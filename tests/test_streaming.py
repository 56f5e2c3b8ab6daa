"""Reports written as findings are read back from disk: same content as a report built
whole, in the same order, and `--pretty` byte for byte the indented JSON."""

from __future__ import annotations

import io
import json

from click.testing import CliRunner

from claimlint.cli import main
from claimlint.findings import Finding
from claimlint.findingstore import FindingStore
from claimlint.report.stream import write_document
from tests.conftest import FIXTURES


def _finding(path: str, line: int, rule: str = "R.x", severity: str = "error") -> Finding:
    return Finding(path=path, rule=rule, category=rule.split(".")[0], severity=severity,
                   message="m", line=line, column=1, end_line=line, end_column=2, text="t",
                   suggestion="s")


def test_store_serves_findings_in_report_order_whatever_the_order_added():
    store = FindingStore()
    store.add("b.md", [_finding("b.md", 1)])
    store.add("a.md", [_finding("a.md", 9), _finding("a.md", 2, severity="warning")],
              {"9:1": [1, "x", False]})
    store.add("b.md", [_finding("b.md", 0, "R.a")])  # the same path again: merged
    store.add("c.md", [])
    assert [(f.path, f.line) for f in store] == [("a.md", 2), ("a.md", 9), ("b.md", 0), ("b.md", 1)]
    assert [p for p, _, _ in store.files()] == ["a.md", "b.md"]
    assert dict(store.files().__next__()[2]) == {"9:1": [1, "x", False]}
    assert len(store) == 4 and store.by_severity == {"error": 3, "warning": 1}
    assert store.paths() == ["a.md", "b.md"] and store.count("b.md") == 2 and store.count("c.md") == 0
    assert [f.line for f in store.findings_of("b.md")] == [0, 1]
    store.drop_where(lambda f: f.line != 9)
    assert [(f.path, f.line) for f in store] == [("a.md", 2), ("b.md", 0), ("b.md", 1)]
    assert len(store) == 3 and store.by_rule == {"R.x": 2, "R.a": 1}
    assert store.count("a.md") == 1 and [f.line for f in store.findings_of("a.md")] == [2]
    store.close()


def test_streamed_document_equals_json_dumps():
    for items in ([], [{"a": 1, "b": [1, {"c": "é"}]}, {"d": None}]):
        def make(placeholder, items=items):  # noqa: ANN001, ANN202
            return {"v": 1, "runs": [{"results": placeholder, "n": len(items)}], "z": {}}
        expected = make(items)
        pretty, compact = io.StringIO(), io.StringIO()
        write_document(pretty, make, iter(items), indent=2)
        write_document(compact, make, iter(items))
        assert pretty.getvalue() == json.dumps(expected, indent=2, ensure_ascii=False) + "\n"
        assert json.loads(compact.getvalue()) == expected


def test_json_is_compact_one_finding_a_line_and_pretty_indents(tmp_path):
    runner = CliRunner()
    args = ["check", "--no-cache", "--exit-zero", str(FIXTURES / "pages")]
    compact = runner.invoke(main, [*args, "--format", "json"]).stdout
    pretty = runner.invoke(main, [*args, "--format", "json", "--pretty"]).stdout
    data = json.loads(compact)
    assert data == json.loads(pretty)
    assert len(data["findings"]) > 20
    assert data["summary"]["findings"] == len(data["findings"])
    assert len(compact.splitlines()) == len(data["findings"]) + 2
    assert pretty == json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    sarif = runner.invoke(main, [*args, "--format", "sarif", "-o", str(tmp_path / "r.sarif")])
    assert sarif.exit_code == 0
    log = json.loads((tmp_path / "r.sarif").read_text(encoding="utf-8"))
    assert len(log["runs"][0]["results"]) == len(data["findings"])


def test_indented_items_equal_the_standard_librarys_indenting_encoder():
    import random

    from claimlint.report.stream import indented

    rng = random.Random(2)
    encode = json.JSONEncoder(ensure_ascii=False, indent=2).encode

    def value(depth: int):  # noqa: ANN202
        kind = rng.randrange(10 if depth < 4 else 6)
        if kind == 0:
            return rng.choice(["", "a\nb", 'é\u2028"\\', "\x00\x1f", "claim"])
        if kind == 1:
            return rng.choice([None, True, False, (), [], {}])
        if kind == 2:
            return rng.randrange(-10**20, 10**20)
        if kind == 3:
            return rng.choice([0.1, -0.0, 1e300, 3.0, float("inf"), float("-inf"), float("nan")])
        if kind in (4, 5):
            return "s"
        if kind in (6, 7):
            return [value(depth + 1) for _ in range(rng.randrange(4))]
        if kind == 8:
            return tuple(value(depth + 1) for _ in range(rng.randrange(3)))
        return {rng.choice(["k", "é", 'a"b', 1, 2.5, True, False, None]): value(depth + 1)
                for _ in range(rng.randrange(4))}

    for _ in range(5000):
        item = value(0)
        assert indented(item, "  ", encode) == encode(item)
    assert indented({"a": object}, "  ", lambda v: "fallback") == "fallback"
