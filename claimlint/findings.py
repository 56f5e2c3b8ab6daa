"""Findings: what the engine reports, positioned in the source."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, fields
from operator import attrgetter

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
        return _sha256(raw.encode("utf-8")).hexdigest()[:32]

    def to_dict(self) -> dict:
        """The finding as JSON-ready data: its fields in order, the fingerprint, then the
        ``extra`` entries (built directly: ``dataclasses.asdict`` deep-copies every field)."""
        data = dict(zip(_FIELD_NAMES, _plain_fields(self)))
        data["fingerprint"] = self.fingerprint
        data.update(self.extra)
        return data

    def as_row(self) -> tuple:
        """Every field's value in order (``Finding(*row)`` makes it again): what the run's
        finding store pickles, cheaper to write and read than the object."""
        return _all_fields(self)


_FIELD_NAMES = tuple(f.name for f in fields(Finding) if f.name != "extra")
_plain_fields = attrgetter(*_FIELD_NAMES)
_all_fields = attrgetter(*(f.name for f in fields(Finding)))
_sha256 = hashlib.sha256
_WORD = re.compile(r"\w+")


def normalize_claim(text: str) -> str:
    """Lower case, words only: the part of a claim that survives reformatting."""
    return " ".join(_WORD.findall(text.lower()))


def sort_key(f: Finding) -> tuple:
    return (f.path, f.line, f.column, f.rule)
