"""Text output like ruff's: location, severity, rule and message, the source line with the
claim underlined, the suggestion, and a summary line. Colour only on a terminal."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator

import click

from claimlint.document import Document
from claimlint.findings import Finding

COLOURS = {"error": "red", "warning": "yellow", "info": "blue"}


EXCERPT = 80  # characters of the source line shown either side of a claim
MAX_CLAIM = 240  # characters of a very long claim shown before it is cut


def excerpt(doc: Document, line: int, column: int, end_column: int | None = None) -> list:
    """``[first column, text, cut at the end]``: a window of source line ``line`` around the
    claim at ``column``..``end_column`` (exclusive; None runs to the end of the line). A short
    line is kept whole; a long one (a minified page is one line) is cut, so output and memory
    never grow with the length of a line."""
    start = doc.line_offset(line)
    stop = doc.line_offset(line + 1)
    tail = doc.source[max(start, stop - 2):stop]
    length = stop - start - (len(tail) - len(tail.rstrip("\r\n")))
    end_column = length + 1 if end_column is None else min(end_column, length + 1)
    end_column = min(end_column, column + MAX_CLAIM)
    if length <= 2 * EXCERPT + MAX_CLAIM:
        first, last = 1, length + 1
    else:
        first, last = max(1, column - EXCERPT), min(length + 1, end_column + EXCERPT)
    text = doc.source[start + first - 1:start + last - 1]
    return [first, text, last <= length]


def excerpts(doc: Document, findings: list[Finding]) -> dict[str, list]:
    """The excerpt of each finding's first line, keyed ``"line:column"``."""
    return {f"{f.line}:{f.column}": excerpt(doc, f.line, f.column,
                                            f.end_column if f.end_line == f.line else None)
            for f in findings}


def location(f: Finding) -> str:
    """Where a finding is, in the words of its file kind: a Word document has no lines, so
    its place is a paragraph (counted as in the reader) and a character in it."""
    if f.path.lower().endswith(".docx"):
        return f"{f.path}: paragraph {f.line}, character {f.column}:"
    return f"{f.path}:{f.line}:{f.column}:"


def render_text(findings: list[Finding], sources: dict[str, dict[str, list]], *, colour: bool,
                files: int, errors: int = 0, show_source: bool = True) -> str:
    """Render findings; ``sources`` maps a path to its excerpts (see ``excerpts``)."""
    body = "".join(text_entries(findings, sources, colour=colour, show_source=show_source))
    return body + summary_line(findings, files, errors) + "\n"


def text_entries(findings: Iterable[Finding], sources: dict[str, dict[str, list]], *,
                 colour: bool, show_source: bool = True) -> Iterator[str]:
    """Each finding's lines (location, excerpt, suggestion) and a blank line."""

    def style(text: str, **kw: object) -> str:
        return click.style(text, **kw) if colour else text

    for f in findings:
        out: list[str] = []
        where = location(f)
        path, rest = where[:len(f.path)], where[len(f.path):]
        out.append(f"{style(path, bold=True)}{rest} "
                   f"{style(f.severity, fg=COLOURS.get(f.severity), bold=True)} "
                   f"{style(f.rule, bold=True)} {f.message}")
        shown = sources.get(f.path, {}).get(f"{f.line}:{f.column}")
        if show_source and shown:
            first, text, cut = shown
            lead = "…" if first > 1 else ""
            src = lead + text.expandtabs(1) + ("…" if cut else "")
            gutter = " " * len(str(f.line))
            end = f.end_column if f.end_line == f.line else first + len(text)
            end = min(end, first + len(text))
            width = max(1, end - f.column)
            out.append(f"{gutter} |")
            out.append(f"{f.line} | {src}")
            out.append(f"{gutter} | " + " " * (f.column - first + len(lead))
                       + style("^" * width, fg=COLOURS.get(f.severity)))
            out.append(f"{gutter} = suggestion: {f.suggestion}")
        else:
            out.append(f"  = suggestion: {f.suggestion}")
        yield "".join(line + "\n" for line in out) + "\n"


def summary_line(findings: list[Finding] | Counter[str], files: int, errors: int = 0) -> str:
    """The closing line; ``findings`` may be a Counter of findings by severity."""
    counts = findings if isinstance(findings, Counter) else Counter(f.severity for f in findings)
    total = sum(counts.values())
    parts = [f"{counts[s]} {s}{'s' if counts[s] != 1 else ''}"
             for s in ("error", "warning", "info") if counts[s]]
    plural = "s" if files != 1 else ""
    text = (f"Found {total} finding{'s' if total != 1 else ''}"
            f" ({', '.join(parts)}) in {files} file{plural}." if total
            else f"No findings in {files} file{plural}.")
    if errors:
        text += f" {errors} file{'s' if errors != 1 else ''} could not be checked."
    return text


def render_statistics(findings: list[Finding]) -> str:
    """Counts per rule, most frequent first (``--statistics``)."""
    counts = Counter((f.rule, f.severity) for f in findings)
    width = max((len(str(n)) for n in counts.values()), default=1)
    return "".join(f"{n:>{width}}  {rule}  [{sev}]\n"
                   for (rule, sev), n in counts.most_common())
