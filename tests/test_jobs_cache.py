"""--jobs output equals the serial output; the content-hash cache serves unchanged files
without linting them, and without even building the engine."""

import json
from pathlib import Path

import pytest

import claimlint.lint as lint_module
import claimlint.parallel as parallel_module
import claimlint.rulepack as rulepack_module
from claimlint.cache import Cache, config_digest, default_cache_dir, pack_digest
from claimlint.config import Config
from claimlint.parallel import MIN_PARALLEL
from claimlint.rulepack import RuleFileError, load_rules
from tests.clirun import run_check

SENTENCES = [
    "Our stem cell injections have no side effects.",
    "Results are guaranteed for every patient.",
    "Parking is free and the waiting room is quiet.",
    "Say goodbye to knee pain forever.",
    "Results are not guaranteed, and some patients need repeat treatments.",
]


@pytest.fixture
def repo(tmp_path):
    """More files than the parallel threshold, of three kinds, some with claims."""
    root = tmp_path / "site"
    root.mkdir()
    for i in range(MIN_PARALLEL + 8):
        lines = [SENTENCES[(i + k) % len(SENTENCES)] for k in range(i % 4 + 1)]
        if i % 3 == 0:
            (root / f"p{i:03}.txt").write_text("\n\n".join(lines) + "\n")
        elif i % 3 == 1:
            (root / f"p{i:03}.html").write_text(
                "<html><body>" + "".join(f"<p>{s}</p>\n" for s in lines) + "</body></html>\n")
        else:
            (root / f"p{i:03}.txt").write_text(" ".join(lines) + "\n")
    (root / "empty.txt").write_text("")
    (root / "binary.txt").write_bytes(bytes(range(256)) * 8)
    return root


class Counter:
    def __init__(self, monkeypatch):
        self.docs = 0
        original = lint_module.Linter.lint_documents

        def counting(linter, docs):
            self.docs += len(docs)
            return original(linter, docs)

        monkeypatch.setattr(lint_module.Linter, "lint_documents", counting)


def test_jobs_output_equals_serial_output(repo, monkeypatch):
    pools = []
    real_pool = parallel_module._pool
    monkeypatch.setattr(parallel_module, "_pool", lambda *a: pools.append(a) or real_pool(*a))
    serial = run_check(str(repo), "--jobs", "1", "--no-cache", "--format", "json")
    assert pools == []
    parallel = run_check(str(repo), "--jobs", "2", "--no-cache", "--format", "json")
    assert [n for n, _ in pools] == [2]  # really ran in two worker processes
    assert serial.exit_code == parallel.exit_code == 2  # the binary file
    assert json.loads(serial.stdout)["findings"], "the repo holds claims"
    assert parallel.stdout == serial.stdout
    assert parallel.stderr == serial.stderr
    few = run_check(str(repo / "p000.txt"), str(repo / "p001.html"), "-j", "2", "--no-cache")
    assert len(pools) == 1 and few.exit_code == 1  # two files: no pool
    text_serial = run_check(str(repo), "-j", "1", "--no-cache")
    text_parallel = run_check(str(repo), "-j", "2", "--no-cache")
    assert text_parallel.stdout == text_serial.stdout


def test_a_warm_cache_lints_nothing_and_builds_no_engine(repo, tmp_path, monkeypatch):
    cache_dir = tmp_path / "cache"
    counter = Counter(monkeypatch)
    cold = run_check(str(repo), "--cache-dir", str(cache_dir), "--format", "json", "-j", "1")
    linted = counter.docs
    assert linted == MIN_PARALLEL + 8  # every readable, non-empty file
    assert (cache_dir / ".gitignore").read_text().strip().endswith("*")

    def no_engine(*args, **kwargs):
        raise AssertionError("the engine was built on a warm run")

    monkeypatch.setattr(lint_module, "get_engine", no_engine)
    monkeypatch.setattr(rulepack_module, "load_rules", no_engine)  # not even YAML is read
    warm = run_check(str(repo), "--cache-dir", str(cache_dir), "--format", "json", "-j", "1")
    assert counter.docs == linted  # nothing linted again
    assert warm.stdout == cold.stdout and warm.stderr == cold.stderr
    assert warm.exit_code == cold.exit_code
    text_cold = run_check(str(repo), "--cache-dir", str(cache_dir))
    assert "| Our stem cell injections have no side effects." in text_cold.stdout


def test_a_changed_file_is_linted_again_and_only_it(repo, tmp_path, monkeypatch):
    cache_dir = tmp_path / "cache"
    run_check(str(repo), "--cache-dir", str(cache_dir), "-j", "1")
    counter = Counter(monkeypatch)
    (repo / "p000.txt").write_text("Our stem cell injections have no side effects at all.\n")
    result = run_check(str(repo), "--cache-dir", str(cache_dir), "-j", "1", "--format", "json")
    assert counter.docs == 1
    assert any(f["path"].endswith("p000.txt") and f["text"] == "no side effects"
               for f in json.loads(result.stdout)["findings"])


def test_no_cache_lints_everything(repo, tmp_path, monkeypatch):
    cache_dir = tmp_path / "cache"
    run_check(str(repo), "--cache-dir", str(cache_dir), "-j", "1")
    counter = Counter(monkeypatch)
    run_check(str(repo), "--cache-dir", str(cache_dir), "-j", "1", "--no-cache")
    assert counter.docs == MIN_PARALLEL + 8


def test_config_change_misses_the_cache(repo, tmp_path, monkeypatch):
    cache_dir = tmp_path / "cache"
    run_check(str(repo), "--cache-dir", str(cache_dir), "-j", "1")
    counter = Counter(monkeypatch)
    result = run_check(str(repo), "--cache-dir", str(cache_dir), "-j", "1", "--select", "SAFETY",
                       "--format", "json")
    assert counter.docs == MIN_PARALLEL + 8
    assert {f["category"] for f in json.loads(result.stdout)["findings"]} == {"SAFETY"}


def test_identical_files_share_an_entry_but_keep_their_paths(tmp_path, monkeypatch):
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text("Results are guaranteed.\n")
    counter = Counter(monkeypatch)
    result = run_check(str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "-j", "1",
                       "--cache-dir", str(tmp_path / "c"), "--format", "json")
    paths = [f["path"] for f in json.loads(result.stdout)["findings"]]
    assert paths == [str(tmp_path / "a.txt"), str(tmp_path / "b.txt")]
    assert counter.docs == 2  # both missed in one batch; the second run would hit both


def test_cache_key_parts():
    config = Config()
    cache = Cache.for_run(Path("/nonexistent"), pack_digest([]), config, [], [])
    assert cache.key("text", b"x") != cache.key("markdown", b"x")
    assert cache.key("text", b"x") != cache.key("text", b"y")
    other = Config(severity={"SAFETY": "info"})
    assert config_digest(config, [], []) != config_digest(other, [], [])
    assert config_digest(config, [], []) != config_digest(config, ["SAFETY"], [])
    assert config_digest(config, [], []) == config_digest(Config(exclude=["drafts"]), [], [])
    assert cache.get("0" * 64) is None and cache.misses == 1


def test_pack_digest_matches_the_loaded_pack_without_parsing(tmp_path):
    extra = tmp_path / "more"
    extra.mkdir()
    (extra / "hype.yml").write_text(
        "category: HYPE\nrules:\n  - id: HYPE.wonder\n    severity: error\n"
        "    message: Wonder.\n    why: Hype.\n    suggestion: Be plain.\n"
        "    patterns:\n      - phrase: wonder treatment\n")
    assert pack_digest([]) == load_rules().digest
    assert pack_digest([extra]) == load_rules([extra]).digest != pack_digest([])
    with pytest.raises(RuleFileError):
        pack_digest([tmp_path / "missing"])


def test_default_cache_dir_is_the_users_cache_not_the_checked_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("CLAIMLINT_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)
    config = Config(source=str(tmp_path / "proj" / "pyproject.toml"))
    wanted = tmp_path / "xdg" / "claimlint" / "check"
    assert default_cache_dir(Config()) == default_cache_dir(config) == wanted
    monkeypatch.setenv("CLAIMLINT_CACHE_DIR", str(tmp_path / "mine"))
    assert default_cache_dir(config) == tmp_path / "mine"


def test_the_code_digest_covers_the_shipped_models(tmp_path):
    """The page-kind weights decide findings as much as the code: a refitted model must
    miss the findings cache."""
    import shutil

    from claimlint import cache

    package = tmp_path / "claimlint"
    shutil.copytree(Path(cache.__file__).resolve().parent / "models", package / "models")
    (package / "lint.py").write_text("# code\n")
    before = cache._hash_code(package)
    model = package / "models" / "pagekind.json"
    model.write_text(model.read_text().replace('"bias"', '"bias" ', 1))
    assert cache._hash_code(package) != before
