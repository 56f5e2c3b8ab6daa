"""Configuration: ``[tool.claimlint]`` in pyproject.toml or a ``.claimlint.toml``, the nearest
one upward from the checked path, or one named with ``--config``."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from claimlint.rulepack import PAGE_KINDS, SEVERITIES

DEFAULT_INCLUDE = ["*.md", "*.markdown", "*.mdx", "*.html", "*.htm", "*.xhtml", "*.txt", "*.docx"]
DEFAULT_EXCLUDE = [".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__",
                   ".tox", "build", "dist", "_site", ".cache",
                   ".claimlint_cache"]
CONFIG_FILES = (".claimlint.toml", "claimlint.toml", "pyproject.toml")


class ConfigError(ValueError):
    """A configuration file or option that cannot be used."""


@dataclass
class Config:
    """Settings in force for a run; field names are the TOML keys with ``_`` for ``-``."""

    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)
    extend_rules: list[str] = field(default_factory=list)
    include: list[str] = field(default_factory=lambda: list(DEFAULT_INCLUDE))
    exclude: list[str] = field(default_factory=lambda: list(DEFAULT_EXCLUDE))
    extend_exclude: list[str] = field(default_factory=list)
    fail_on: str = "error"
    disclosure_terms: list[str] = field(default_factory=list)
    max_file_size: int = 10_000_000
    encoding: str | None = None
    page_kind: str = "auto"  # auto (decided per page) or promotional, mixed, educational
    claim_model: bool = True  # drop findings on sentences the claim model reads as no claim
    claim_finder: bool = True  # add findings where the claim finder reads a claim no rule found
    source: str | None = None  # the file this came from

    def rule_dirs(self) -> list[Path]:
        base = Path(self.source).parent if self.source else Path.cwd()
        return [(base / d).resolve() for d in self.extend_rules]

    def as_toml_dict(self) -> dict[str, Any]:
        out = {}
        for f in fields(self):
            if f.name != "source":
                out[f.name.replace("_", "-")] = getattr(self, f.name)
        return out


def find_config(start: Path) -> Path | None:
    """The nearest config file at or above ``start`` that configures claimlint."""
    here = start.resolve()
    if here.is_file() or not here.exists():
        here = here.parent
    for directory in (here, *here.parents):
        for name in CONFIG_FILES:
            candidate = directory / name
            if candidate.is_file() and (name != "pyproject.toml" or _has_tool_section(candidate)):
                return candidate
    return None


def _has_tool_section(path: Path) -> bool:
    try:
        return "claimlint" in _read_toml(path).get("tool", {})
    except ConfigError:
        return False


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from exc


def load_config(path: Path | None) -> Config:
    """Read a config file (None gives the defaults)."""
    if path is None:
        return Config()
    data = _read_toml(path)
    if path.name == "pyproject.toml" or "tool" in data:
        data = data.get("tool", {}).get("claimlint", {})
    return config_from_dict(data, str(path))


def config_from_dict(data: dict, source: str | None = None) -> Config:
    """Validate a ``[tool.claimlint]`` table into a Config."""
    known = {f.name.replace("_", "-"): f.name for f in fields(Config) if f.name != "source"}
    cfg = Config(source=source)
    where = source or "config"
    for key, value in data.items():
        if key not in known:
            raise ConfigError(f"{where}: unknown option '{key}' (known: {', '.join(sorted(known))})")
        name = known[key]
        default = getattr(cfg, name)
        if isinstance(default, list) and not (
                isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise ConfigError(f"{where}: '{key}' must be a list of strings")
        if isinstance(default, dict) and not isinstance(value, dict):
            raise ConfigError(f"{where}: '{key}' must be a table")
        setattr(cfg, name, value)
    if cfg.fail_on not in SEVERITIES:
        raise ConfigError(f"{where}: 'fail-on' must be one of {', '.join(SEVERITIES)}")
    for rule, level in cfg.severity.items():
        if level not in (*SEVERITIES, "off"):
            raise ConfigError(f"{where}: severity of '{rule}' must be error, warning, info or off")
    if cfg.page_kind not in ("auto", *PAGE_KINDS):
        raise ConfigError(f"{where}: 'page-kind' must be auto, promotional, mixed or educational")
    if not isinstance(cfg.claim_model, bool):
        raise ConfigError(f"{where}: 'claim-model' must be true or false")
    if not isinstance(cfg.claim_finder, bool):
        raise ConfigError(f"{where}: 'claim-finder' must be true or false")
    if not isinstance(cfg.max_file_size, int) or cfg.max_file_size <= 0:
        raise ConfigError(f"{where}: 'max-file-size' must be a positive number of bytes")
    return cfg
