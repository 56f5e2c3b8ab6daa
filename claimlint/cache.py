"""Content-hash cache of per-file findings, so an unchanged file is not linted again.

The key covers everything that decides a file's findings: claimlint's version and a digest
of its modules, the digest of the rule files (hashed as bytes, neither parsed nor compiled,
so a fully cached run never reads YAML or loads spaCy), the effective
configuration, the file's kind and the SHA-256 of its bytes.
Findings are stored without their path, so two identical files share one entry. Entries
are small JSON files under ``<cache dir>/v1/``; the directory ignores itself for git.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import fields
from functools import lru_cache
from pathlib import Path
from typing import Any

from claimlint import __version__
from claimlint.config import Config

LAYOUT = "v1"
_NOT_KEYED = {"include", "exclude", "extend_exclude", "fail_on", "source"}  # file choice, exit code


def pack_digest(dirs: list[Path]) -> str:
    """The rule pack's digest, equal to ``load_rules(dirs).digest``, from the files' bytes
    alone: no YAML is parsed, so a run served from the cache stays fast. Raises
    RuleFileError for a rule directory that does not exist, as ``load_rules`` does."""
    from claimlint.rulepack import RuleFileError, shipped_rules_dir

    digest = hashlib.sha256()
    for src in [shipped_rules_dir(), *map(Path, dirs)]:
        if src.is_file():
            paths = [src]
        elif src.is_dir():
            paths = sorted(list(src.glob("*.yml")) + list(src.glob("*.yaml")))
        else:
            raise RuleFileError(src, None, "rule directory does not exist")
        for path in paths:
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def code_digest() -> str:
    """Digest of claimlint's own modules and the versions of the libraries that shape
    findings, so a changed reader or engine (a development checkout, a git install) or an
    upgraded spaCy never serves stale findings.

    Hashing every module and asking package metadata for versions costs more than a
    small run's linting, so the digest is kept in the plan cache under a stamp of the
    modules' sizes and modification times and of the site-packages folders (installing
    or upgrading a library changes its folder's modification time)."""
    from claimlint.engine.plancache import load_cached, save_cached

    key = f"code-{_code_stamp()}"
    digest = load_cached(key)
    if not isinstance(digest, str):
        digest = _hash_code()
        save_cached(key, digest)
    return digest


def _code_stamp() -> str:
    import sys

    stamp = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for folder, dirs, names in os.walk(package):
        dirs.sort()
        for name in sorted(names):
            if name.endswith(".py") or name.endswith(".json") and folder.endswith("models"):
                try:
                    st = os.stat(os.path.join(folder, name))
                except OSError:
                    continue
                stamp.update(f"{folder}/{name}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    for entry in sys.path:
        if not entry.endswith(("site-packages", "dist-packages")):
            continue  # libraries are installed there; the working folder changes often
        try:
            stamp.update(f"{entry}\0{os.stat(entry or '.').st_mtime_ns}\0".encode())
        except OSError:
            stamp.update(f"{entry}\0-\0".encode())
    return stamp.hexdigest()[:32]


def _hash_code(package: Path | None = None) -> str:
    from importlib.metadata import PackageNotFoundError, version

    digest = hashlib.sha256()
    for dist in ("spacy", "spacy-lookups-data", "markdown-it-py", "lxml",
                 "python-docx", "regex"):
        try:
            digest.update(f"{dist}={version(dist)}\0".encode())
        except PackageNotFoundError:
            digest.update(f"{dist}=none\0".encode())
    package = package or Path(__file__).resolve().parent
    # the code, and the models it ships (the page-kind weights decide findings too)
    for path in sorted(package.rglob("*.py")) + sorted(package.glob("models/*.json")):
        try:
            digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
        except OSError:
            continue
    return digest.hexdigest()


def config_digest(config: Config, select: list[str], ignore: list[str]) -> str:
    """Digest of the settings that change a file's findings (not which files, not exit)."""
    data: dict[str, Any] = {f.name: getattr(config, f.name) for f in fields(Config)
                            if f.name not in _NOT_KEYED}
    data["rule_dirs"] = [str(d) for d in config.rule_dirs()]
    data["selected"] = [list(select), list(ignore)]
    raw = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def default_cache_dir(config: Config | None = None) -> Path:
    """``$CLAIMLINT_CACHE_DIR``, else ``claimlint/check`` in the user's cache directory
    (``$XDG_CACHE_HOME`` or ``~/.cache``): never a folder the user did not ask for inside
    the files being checked. Entries are keyed by content, so projects can share it."""
    env = os.environ.get("CLAIMLINT_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(base) / "claimlint" / "check"


class Cache:
    """Findings by content key. ``hits`` and ``misses`` count lookups in this run."""

    def __init__(self, directory: Path, salt: str) -> None:
        self.root = Path(directory)
        self.dir = self.root / LAYOUT
        self.salt = salt
        self.hits = 0
        self.misses = 0
        self.writes = 0
        self._ready = False

    @classmethod
    def for_run(cls, directory: Path, pack_digest: str, config: Config, select: list[str],
                ignore: list[str]) -> Cache:
        """The cache for one run; ``pack_digest`` is from ``pack_digest()``."""
        salt = "\0".join([__version__, code_digest(), pack_digest,
                          config_digest(config, select, ignore)])
        return cls(directory, salt)

    def key(self, kind: str, data: bytes, digest: str | None = None) -> str:
        """The entry key of a file's bytes (or of their SHA-256 ``digest``, hex, when the
        file is too big to hold)."""
        h = hashlib.sha256(self.salt.encode("utf-8"))
        h.update(b"\0" + kind.encode() + b"\0")
        h.update(bytes.fromhex(digest) if digest else hashlib.sha256(data).digest())
        return h.hexdigest()

    def _path(self, key: str) -> Path:
        return self.dir / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict | None:
        """The stored entry, or None (a missing or unreadable entry is a miss)."""
        try:
            with open(self._path(key), encoding="utf-8") as fh:
                entry = json.load(fh)
        except (OSError, ValueError):
            self.misses += 1
            return None
        self.hits += 1
        return entry

    def put(self, key: str, entry: dict) -> None:
        """Store an entry atomically; a cache that cannot be written is silently skipped."""
        path = self._path(key)
        try:
            self._prepare()
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(entry, fh, ensure_ascii=False, separators=(",", ":"))
            os.replace(tmp, path)
            self.writes += 1
        except OSError:
            pass

    def _prepare(self) -> None:
        if self._ready:
            return
        self.root.mkdir(parents=True, exist_ok=True)
        ignore = self.root / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# created by claimlint\n*\n", encoding="utf-8")
        tag = self.root / "CACHEDIR.TAG"
        if not tag.exists():
            tag.write_text("Signature: 8a477f597d28d172789f06886806bc55\n"
                           "# claimlint cache; see https://bford.info/cachedir/\n", encoding="utf-8")
        self._ready = True
