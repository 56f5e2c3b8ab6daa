"""Findings: what the engine reports, positioned in the source."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, fields

SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


@dataclass
class Finding:
    """One claim: the rule that fired and the exact place in the source file.

    Lines and columns are 1-based, columns in characters of the source line; ``end_column``
    is exclusive, so ``line[column-1:end_column-1]`` on a one-line finding is the claim.
    """

    path: str
    rule: str
    category: str
    severity: str
    message: str
    line: int
    column: int
    end_line: int
    end_column: int
    text: str
    suggestion: str
    sentence: str = ""
    start: int = 0  # source character offsets, end exclusive
    end: int = 0
    region: str = "main"
    why: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        """Stable identity for baselines and scan diffs: rule, path and normalized claim
        sentence; independent of line numbers so moved text keeps its identity."""
        claim = normalize_claim(self.sentence or self.text)
        raw = f"{self.rule}\0{self.path}\0{claim}"
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]

    def to_dict(self) -> dict:
        """The finding as JSON-ready data: its fields in order, the fingerprint, then the
        ``extra`` entries (built directly: ``dataclasses.asdict`` deep-copies every field)."""
        data = {name: getattr(self, name) for name in _FIELD_NAMES}
        data["fingerprint"] = self.fingerprint
        data.update(self.extra)
        return data


_FIELD_NAMES = tuple(f.name for f in fields(Finding) if f.name != "extra")


def normalize_claim(text: str) -> str:
    """Lower case, words only: the part of a claim that survives reformatting."""
    return " ".join(re.findall(r"\w+", text.lower()))


def sort_key(f: Finding) -> tuple:
    return (f.path, f.line, f.column, f.rule)
