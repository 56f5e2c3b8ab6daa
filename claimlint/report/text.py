"""Text output like ruff's: location, severity, rule and message, the source line with the
claim underlined, the suggestion, and a summary line. Colour only on a terminal."""

from __future__ import annotations

from collections import Counter

import click

from claimlint.findings import Finding

COLOURS = {"error": "red", "warning": "yellow", "info": "blue"}


def render_text(findings: list[Finding], sources: dict[str, list[str]], *, colour: bool,
                files: int, errors: int = 0, show_source: bool = True) -> str:
    """Render findings; ``sources`` maps a path to its source lines for the excerpt."""
    out: list[str] = []

    def style(text: str, **kw: object) -> str:
        return click.style(text, **kw) if colour else text

    for f in findings:
        head = (f"{style(f.path, bold=True)}:{f.line}:{f.column}: "
                f"{style(f.severity, fg=COLOURS.get(f.severity), bold=True)} "
                f"{style(f.rule, bold=True)} {f.message}")
        out.append(head)
        lines = sources.get(f.path)
        if show_source and lines and 0 < f.line <= len(lines):
            src = lines[f.line - 1].expandtabs(1)
            gutter = " " * len(str(f.line))
            end = f.end_column if f.end_line == f.line else len(src) + 1
            width = max(1, end - f.column)
            out.append(f"{gutter} |")
            out.append(f"{f.line} | {src}")
            out.append(f"{gutter} | " + " " * (f.column - 1)
                       + style("^" * width, fg=COLOURS.get(f.severity)))
            out.append(f"{gutter} = suggestion: {f.suggestion}")
        else:
            out.append(f"  = suggestion: {f.suggestion}")
        out.append("")
    out.append(summary_line(findings, files, errors))
    return "\n".join(out) + "\n"


def summary_line(findings: list[Finding], files: int, errors: int = 0) -> str:
    counts = Counter(f.severity for f in findings)
    parts = [f"{counts[s]} {s}{'s' if counts[s] != 1 else ''}"
             for s in ("error", "warning", "info") if counts[s]]
    plural = "s" if files != 1 else ""
    text = (f"Found {len(findings)} finding{'s' if len(findings) != 1 else ''}"
            f" ({', '.join(parts)}) in {files} file{plural}." if findings
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
