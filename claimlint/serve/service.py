"""What ``claimlint serve`` does with a request, without any HTTP: read pasted text or an
uploaded file through the same ``Linter.load`` as ``check`` (same readers, size limit and
errors), lint it on the one ``lint.py`` path, and describe the result for the page.

One Linter (one compiled engine) serves every request. The engine keeps per-run state, so
checks run one at a time under a lock; the web layer runs them in worker threads so the
server keeps answering while a check is in progress.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claimlint import __version__
from claimlint.config import Config
from claimlint.document import Document
from claimlint.findings import Finding
from claimlint.lint import InputError, Linter, kind_for, read_document
from claimlint.report.html import document_view, text_range
from claimlint.report.json import json_payload
from claimlint.rulepack import RulePack, load_rules

PASTE_KINDS = ("auto", "text", "markdown", "html")
UPLOAD_SUFFIXES = (".docx", ".html", ".htm", ".md", ".markdown", ".txt")
REPORT_FORMATS = ("json", "sarif", "html")
PAGE_RULES = {"DISCLOSURE": "DISCLOSURE.no-risk-disclosure",
              "MULTI-INDICATION": "MULTI-INDICATION.many-conditions"}

_HTML_HINT = re.compile(
    r"<(?:!doctype\s+html|html|head|body|p|div|span|a|h[1-6]|ul|ol|li|br|img|section|article|"
    r"strong|em|b|i|table|meta|title)\b[^>]*>", re.I)
_MD_HINT = re.compile(
    r"^(?:#{1,6}\s+\S|>\s|```|\s*(?:[-*+]|\d+\.)\s+\S.*\n\s*(?:[-*+]|\d+\.)\s)"
    r"|\[[^\]\n]+\]\([^)\s]+\)|\*\*[^*\n]+\*\*|__[^_\n]+__", re.M)


class CheckError(ValueError):
    """A request the service refuses (bad kind, empty or unreadable input); ``status`` is
    the HTTP status the web layer answers with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def guess_kind(text: str) -> str:
    """Plain text, Markdown or HTML, judged from the text itself."""
    sample = text[:20_000]
    if len(_HTML_HINT.findall(sample)) >= 1 and re.search(r"</\w+\s*>|<br\s*/?>", sample, re.I):
        return "html"
    if _MD_HINT.search(sample):
        return "markdown"
    return "text"


@dataclass
class Checked:
    """One check: the Document read and its findings, in ``check``'s order."""

    doc: Document
    findings: list[Finding]
    kind: str
    guessed: bool
    editable: str  # the text the page's editor shows for this input


class CheckService:
    """Loads the engine once and checks many documents with one configuration."""

    def __init__(self, config: Config | None = None, *, time_limit: float = 30.0) -> None:
        self.config = config or Config()
        self.time_limit = time_limit
        self.linter = Linter(self.config)  # builds (or reuses) the engine now, not per request
        self._lock = threading.Lock()
        self._pack: RulePack | None = None

    def warm_up(self) -> None:
        """Lint a few claims once, so spaCy's matchers are built before the first user waits."""
        self.check_text("Regenerative stem cell clinic. Our stem cell injections have no side "
                        "effects and results are guaranteed. Book now!", "text")

    @property
    def pack(self) -> RulePack:
        if self._pack is None:
            self._pack = load_rules(self.config.rule_dirs())
        return self._pack

    # -- checking ------------------------------------------------------------------------
    def check_text(self, text: str, kind: str = "auto", name: str = "-") -> Checked:
        """Check pasted copy; ``kind`` is one of PASTE_KINDS."""
        if kind not in PASTE_KINDS:
            raise CheckError(f"unknown kind '{kind}' (use {', '.join(PASTE_KINDS)})")
        if not text.strip():
            raise CheckError("There is no text to check: paste or type your copy first.")
        guessed = kind == "auto"
        if guessed:
            kind = guess_kind(text)
        name = name or "-"
        # Pasted copy is already text: no decoding (a configured file `encoding` or a
        # page's <meta charset> must not re-read it), the same size limit and reader errors.
        data = text.encode("utf-8", "replace")  # a lone surrogate becomes "?"
        self._check_size(len(data), name)
        text = data.decode("utf-8")
        try:
            doc = read_document(text, kind, name)
        except (ValueError, RecursionError, AssertionError, IndexError) as exc:
            raise CheckError(f"{name}: could not read as {kind}: {exc}") from exc
        return self._lint(doc, kind, guessed, editable=text)

    def check_upload(self, data: bytes, filename: str) -> Checked:
        """Check an uploaded file; its extension picks the reader, as for ``check``."""
        name = Path(filename or "upload.txt").name or "upload.txt"
        if Path(name).suffix.lower() not in UPLOAD_SUFFIXES:
            raise CheckError(f"{name}: claimlint reads {', '.join(UPLOAD_SUFFIXES)} files; "
                             "save the copy in one of these formats, or paste it.", 415)
        if not data.strip():
            raise CheckError(f"{name}: the file is empty, there is nothing to check.")
        kind = kind_for(name)
        try:
            doc = self.linter.load(data, name, kind)
        except InputError as exc:
            status = 413 if "too large" in exc.problem else 400
            raise CheckError(f"{name}: {exc.problem}", status) from exc
        # the editor shows an upload's source, or a Word document's text
        return self._lint(doc, kind, False, editable=doc.text if kind == "docx" else doc.source)

    def _check_size(self, size: int, name: str) -> None:
        limit = self.config.max_file_size
        if size > limit:
            raise CheckError(f"{name}: too large ({size / 1e6:.1f} MB > limit of "
                             f"{limit / 1e6:.1f} MB; raise max-file-size)", 413)

    def _lint(self, doc: Document, kind: str, guessed: bool, editable: str) -> Checked:
        with self._lock:
            findings = self.linter.lint_document(doc)
        return Checked(doc, findings, kind, guessed, editable)

    # -- describing results --------------------------------------------------------------
    def result(self, checked: Checked) -> dict[str, Any]:
        """The ``--format json`` object, plus what the page draws: the document's readable
        text with each finding's range in it, and the page-level verdicts."""
        doc, findings = checked.doc, checked.findings
        payload = json_payload(findings, files=1, errors=[])
        ranges = [list(r) if (r := text_range(doc, f)) else None for f in findings]
        # where each claim is in the text the page's editor holds: the source, or for a Word
        # document (whose editor holds the readable text) the same ranges as the highlights
        in_editor = ranges if checked.kind == "docx" else [[f.start, f.end] for f in findings]
        payload["document"] = {
            "name": doc.path, "kind": checked.kind, "guessed": checked.guessed,
            "text": doc.text, "blocks": [[b.start, b.end, b.kind, b.region] for b in doc.blocks],
            "ranges": ranges, "editable": checked.editable, "editable_ranges": in_editor,
            "words": len(doc.text.split()),
            "encoding_note": doc.encoding_note,
        }
        payload["page"] = self.page_summary(findings)
        return payload

    def page_summary(self, findings: list[Finding]) -> dict[str, Any]:
        """Findings by category and the verdict of each page-level rule."""
        verdicts = {}
        for category, rule_id in PAGE_RULES.items():
            rule = self.pack.get(rule_id)
            hit = next((i for i, f in enumerate(findings) if f.rule == rule_id), None)
            if rule is None or not self.rule_enabled(rule.id, rule.category):
                status = "off"
            else:
                status = "flagged" if hit is not None else "clear"
            verdicts[category] = {"rule": rule_id, "status": status, "finding": hit,
                                  "message": rule.message if rule else ""}
        return {"by_category": dict(Counter(f.category for f in findings)), "verdicts": verdicts}

    def rule_enabled(self, rule_id: str, category: str) -> bool:
        cfg = self.config
        if (cfg.severity.get(rule_id) or cfg.severity.get(category)) == "off":
            return False
        return self.linter._selected(rule_id, category)

    def report(self, checked: Checked, fmt: str) -> tuple[str, str, str]:
        """A downloadable report of one check: (body, media type, file name)."""
        stem = Path(checked.doc.path).stem if checked.doc.path not in ("-", "") else "copy"
        stem = re.sub(r"[^\w.-]+", "_", stem) or "copy"
        if fmt == "sarif":
            from claimlint.report.sarif import render_sarif

            return (render_sarif(checked.findings, rules=self.pack.rules),
                    "application/sarif+json", f"{stem}.claimlint.sarif")
        if fmt == "html":
            from claimlint.report.html import render_html

            views = {checked.doc.path: document_view(checked.doc, checked.findings)}
            return (render_html(checked.findings, paths=[checked.doc.path], views=views),
                    "text/html; charset=utf-8", f"{stem}.claimlint.html")
        if fmt == "json":
            from claimlint.report.json import render_json

            return (render_json(checked.findings, files=1, errors=[]),
                    "application/json", f"{stem}.claimlint.json")
        raise CheckError(f"unknown format '{fmt}' (use {', '.join(REPORT_FORMATS)})")

    # -- rules and configuration ---------------------------------------------------------
    def rules(self) -> list[dict[str, Any]]:
        """Every rule of the pack in force, as the rules browser shows it."""
        from claimlint.rulepack import shipped_rules_dir

        shipped = str(shipped_rules_dir().resolve())
        out = []
        for r in sorted(self.pack.rules, key=lambda r: r.id):
            severity = (self.config.severity.get(r.id) or self.config.severity.get(r.category)
                        or r.severity)
            out.append({
                "id": r.id, "category": r.category, "severity": r.severity,
                "severity_in_force": severity, "enabled": self.rule_enabled(r.id, r.category),
                "scope": r.scope, "message": r.message, "why": r.why,
                "suggestion": r.suggestion, "sources": list(r.sources), "seed": r.seed,
                "cancel": sorted(r.cancel), "flag": list(r.flag_examples),
                "pass": list(r.pass_examples),
                "origin": "shipped" if str(Path(r.file).resolve()).startswith(shipped) else "user",
                "file": Path(r.file).name,
            })
        return out

    def config_info(self) -> dict[str, Any]:
        """The configuration in force and where it came from."""
        cfg = self.config
        return {
            "version": __version__,
            "source": cfg.source,
            "settings": cfg.as_toml_dict(),
            "rule_dirs": [str(d) for d in cfg.rule_dirs()],
            "rule_files": len(self.pack.files),
            "rules": len(self.pack.rules),
            "limits": {"max_file_size": cfg.max_file_size, "time_limit": self.time_limit},
            "selected": [s for s in cfg.select],
            "ignored": [s for s in cfg.ignore],
            "categories": self.pack.categories,
        }


