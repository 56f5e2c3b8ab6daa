"""pre-commit itself, installed in a temporary git repository, blocks a commit whose
copy makes a claim, naming the rule. The hook environment is built by pre-commit with pip
from a snapshot of this checkout, so this test needs PyPI and takes a minute or two."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.clirun import HAS_MARKDOWN
from tests.conftest import ROOT

CLAIM = "Our stem cell injections have no side effects.\n"
# copied when this checkout is not a git repository
PACKAGE_FILES = ("claimlint", "rules", "pyproject.toml", "README.md", ".pre-commit-hooks.yaml")


def pre_commit() -> list[str] | None:
    exe = shutil.which("pre-commit")
    if exe:
        return [exe]
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        return None
    return [sys.executable, "-m", "pre_commit"]


PRE_COMMIT = pre_commit()
needs_pre_commit = pytest.mark.skipif(PRE_COMMIT is None, reason="pre-commit is not installed "
                                      "(pip install pre-commit; .ci/run installs it)")


def git(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """git with an identity of its own (a fresh CI machine has none configured)."""
    return subprocess.run(["git", "-c", "user.name=claimlint tests", "-c",
                           "user.email=tests@claimlint.invalid", "-c", "commit.gpgsign=false",
                           *args], cwd=cwd, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory) -> tuple[Path, str]:
    """This checkout's package files (uncommitted edits included) as a one-commit repo."""
    repo = tmp_path_factory.mktemp("claimlint-hooks")
    listed = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    names = [n for n in listed.stdout.split("\0") if n] if listed.returncode == 0 else []
    for name in names or PACKAGE_FILES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, repo / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif src.is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, repo / name)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    assert git(repo, "commit", "-qm", "snapshot").returncode == 0
    return repo, git(repo, "rev-parse", "HEAD").stdout.strip()


@needs_pre_commit
def test_commit_with_a_claim_is_blocked_and_names_the_rule(hook_repo, tmp_path):
    repo, rev = hook_repo
    site = tmp_path / "site"
    site.mkdir()
    assert git(site, "init", "-q").returncode == 0
    (site / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {repo}\n    rev: {rev}\n    hooks:\n      - id: claimlint\n")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
           "CLAIMLINT_CACHE_DIR": str(tmp_path / "cache"),
           # no global or system git config: no hooksPath, signing or templates of the machine
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    env.pop("PYTHONPATH", None)
    install = subprocess.run([*PRE_COMMIT, "install"], cwd=site, env=env, capture_output=True,
                             text=True, check=False)
    assert install.returncode == 0, install.stdout + install.stderr
    page = "index.md" if HAS_MARKDOWN else "index.txt"
    (site / page).write_text("# Knee care\n\n" + CLAIM)
    (site / "notes.py").write_text("# no side effects here: code is not copy\n")
    git(site, "add", "-A")
    commit = subprocess.run(["git", "commit", "-m", "add page"], cwd=site, env=env,
                            capture_output=True, text=True, check=False, timeout=1500)
    output = commit.stdout + commit.stderr
    assert commit.returncode != 0, output
    assert "SAFETY.no-side-effects" in output, output
    assert f"{page}:3:31" in output, output
    assert "notes.py" not in output
    assert git(site, "rev-parse", "--verify", "HEAD").returncode != 0  # nothing committed

    (site / page).write_text("# Knee care\n\nSide effects include swelling and soreness.\n")
    git(site, "add", "-A")
    commit = subprocess.run(["git", "commit", "-m", "add page"], cwd=site, env=env,
                            capture_output=True, text=True, check=False, timeout=600)
    assert commit.returncode == 0, commit.stdout + commit.stderr


def test_hook_and_action_definitions():
    import yaml

    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert hooks["claimlint"]["entry"] == "claimlint check"
    assert hooks["claimlint"]["language"] == "python"
    assert set(hooks["claimlint"]["types_or"]) == {"markdown", "html", "plain-text"}
    assert hooks["claimlint-docx"]["files"] == r"\.docx$"
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    run = next(s for s in steps if s.get("id") == "check")["run"]
    assert "claimlint check" in run and "--format sarif --output" in run
    assert any(s.get("uses", "").startswith("github/codeql-action/upload-sarif@") for s in steps)
    assert any("github.action_path" in s.get("run", "") for s in steps)
