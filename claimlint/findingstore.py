"""A run's findings kept in a temporary file, not in memory: ``check`` adds each file's
findings as they come and the reporters read them back in report order, so memory follows
the largest single file, not the whole input."""

from __future__ import annotations

import pickle
import tempfile
from collections import Counter
from collections.abc import Iterator

from claimlint.findings import Finding, sort_key


class FindingStore:
    """Findings per file on disk, served back sorted (by path, line, column, rule) like a
    list sorted with ``sort_key``. Counters by severity and rule stay in memory."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(prefix="claimlint-findings-")  # noqa: SIM115 - closed by close()
        self._records: list[tuple[str, int, int]] = []  # path, offset, findings in it
        self._dropped: set[tuple[int, int]] = set()  # (record, finding) hidden by a baseline
        self._by_path: dict[str, list[int]] = {}  # path -> its records
        self.by_severity: Counter[str] = Counter()
        self.by_rule: Counter[str] = Counter()

    def add(self, path: str, findings: list[Finding], excerpts: dict | None = None) -> None:
        """Keep one file's findings (and the source lines the text report shows)."""
        if not findings:
            return
        self._file.seek(0, 2)
        self._by_path.setdefault(path, []).append(len(self._records))
        self._records.append((path, self._file.tell(), len(findings)))
        pickle.dump(([f.as_row() for f in findings], excerpts or {}), self._file,
                    protocol=pickle.HIGHEST_PROTOCOL)  # rows: half the cost of objects
        self.by_severity.update(f.severity for f in findings)
        self.by_rule.update(f.rule for f in findings)

    def __len__(self) -> int:
        return sum(self.by_severity.values())

    def _read(self, index: int) -> tuple[list[Finding], dict]:
        self._file.seek(self._records[index][1])
        rows, excerpts = pickle.load(self._file)  # noqa: S301 - our own file, written above
        return [Finding(*row) for row in rows], excerpts

    def files(self) -> Iterator[tuple[str, list[Finding], dict]]:
        """(path, its findings sorted, its source excerpts) in path order; a path added
        more than once comes once, its findings merged."""
        order = sorted(range(len(self._records)), key=lambda i: self._records[i][0])
        i = 0
        while i < len(order):
            path = self._records[order[i]][0]
            found: list[Finding] = []
            excerpts: dict = {}
            while i < len(order) and self._records[order[i]][0] == path:
                index = order[i]
                part, lines = self._read(index)
                found += [f for n, f in enumerate(part) if (index, n) not in self._dropped]
                excerpts.update(lines)
                i += 1
            if found:
                yield path, sorted(found, key=sort_key), excerpts
        self._file.seek(0, 2)

    def paths(self) -> list[str]:
        """Paths with findings, in report order."""
        return sorted(path for path in self._by_path if self.count(path))

    def count(self, path: str) -> int:
        """How many findings ``path`` has (without reading them)."""
        dropped = self._dropped
        return sum(self._records[i][2] - (sum(1 for k in range(self._records[i][2]) if (i, k) in dropped)
                                          if dropped else 0)
                   for i in self._by_path.get(path, ()))

    def findings_of(self, path: str) -> list[Finding]:
        """One path's findings, sorted."""
        found = []
        for index in self._by_path.get(path, ()):
            part, _ = self._read(index)
            found += [f for n, f in enumerate(part) if (index, n) not in self._dropped]
        self._file.seek(0, 2)
        return sorted(found, key=sort_key)

    def __iter__(self) -> Iterator[Finding]:
        for _path, found, _excerpts in self.files():
            yield from found

    def drop_where(self, keep) -> None:  # noqa: ANN001
        """Hide, for good, the findings ``keep`` (called once per finding, in report
        order) answers False for (a baseline's known findings)."""
        order = sorted(range(len(self._records)), key=lambda i: self._records[i][0])
        for index in order:
            part, _ = self._read(index)
            ranked = sorted(range(len(part)), key=lambda n: sort_key(part[n]))
            for n in ranked:
                if (index, n) not in self._dropped and not keep(part[n]):
                    self._dropped.add((index, n))
                    self.by_severity[part[n].severity] -= 1
                    self.by_rule[part[n].rule] -= 1
        self.by_severity = +self.by_severity
        self.by_rule = +self.by_rule

    def close(self) -> None:
        self._file.close()
