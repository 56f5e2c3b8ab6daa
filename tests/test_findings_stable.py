"""Engine speed work must not move a single finding: the findings (rule, path, start, end)
on the fixture pages and on small corpora from the two benchmark generators are compared
with the ones recorded from the engine before that work.

After a deliberate change of rule data, record them again with
``CLAIMLINT_RECORD_FINDINGS=1 python -m pytest tests/test_findings_stable.py``.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

import pytest

from claimlint.lint import kind_for
from tests.conftest import FIXTURES, ROOT

EXPECTED = ROOT / "tests" / "data" / "expected_findings.json"
sys.path.insert(0, str(ROOT / "benchmarks"))


def _fixture_files() -> list[Path]:
    return sorted(p for p in FIXTURES.rglob("*") if p.is_file() and kind_for(p.name) != "docx")


def _findings(linter, paths: list[Path], root: Path) -> list[list]:  # noqa: ANN001
    from claimlint.lint import InputError

    out = []
    for path in paths:
        try:
            doc = linter.load(path.read_bytes(), str(path))
        except InputError:
            continue
        out += [[f.rule, path.relative_to(root).as_posix(), f.start, f.end]
                for f in linter.lint_document(doc)]
    return out


def _digest(rows: list[list]) -> str:
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()


@pytest.fixture(scope="module")
def observed(linter, tmp_path_factory) -> dict:
    import bench_check
    import bench_repo

    result = {"fixtures": _findings(linter, _fixture_files(), FIXTURES)}
    for name, make in (("bench_check", lambda d: bench_check.make_corpus(d, 0.3)),
                       ("bench_repo", lambda d: bench_repo.make_repo(d, 40, 6))):
        root = tmp_path_factory.mktemp(name)
        make(root)
        rows = _findings(linter, sorted(p for p in root.rglob("*") if p.is_file()), root)
        result[name] = {"count": len(rows), "sha256": _digest(rows)}
    if os.environ.get("CLAIMLINT_RECORD_FINDINGS"):
        rows = ",\n  ".join(json.dumps(r) for r in result["fixtures"])
        rest = ",\n".join(f" {json.dumps(k)}: {json.dumps(result[k])}" for k in ("bench_check", "bench_repo"))
        EXPECTED.write_text(f'{{\n "fixtures": [\n  {rows}\n ],\n{rest}\n}}\n', encoding="utf-8")
    return result


@pytest.mark.parametrize("part", ["fixtures", "bench_check", "bench_repo"])
def test_findings_identical_to_recorded(observed, part):
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    assert observed[part] == expected[part]


def test_recorded_findings_are_not_trivial():
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    assert len(expected["fixtures"]) > 30
    assert expected["bench_check"]["count"] > 100 and expected["bench_repo"]["count"] > 20
