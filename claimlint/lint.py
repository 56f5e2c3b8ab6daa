"""The one code path from source to findings, shared by ``check``, the API and crawls:
read -> Document -> engine -> findings -> the claim model (drops) -> the claim finder (adds)
-> filters (severity, selection, suppressions)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from claimlint.config import Config
from claimlint.decoding import DecodeError, decode
from claimlint.document import Document
from claimlint.engine.core import Engine, EngineFinding
from claimlint.findings import Finding, sort_key
from claimlint.rulepack import RulePack, load_rules
from claimlint.safeio import Unreadable, read_limited, too_large
from claimlint.suppressions import apply_suppressions, selector_matches

KIND_BY_SUFFIX = {
    ".md": "markdown", ".markdown": "markdown", ".mdx": "markdown", ".mkd": "markdown",
    ".html": "html", ".htm": "html", ".xhtml": "html", ".shtml": "html",
    ".docx": "docx",
}
KINDS = ("text", "markdown", "html", "docx")


class InputError(Exception):
    """A source we could not read; the run reports it and goes on with the others."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path, self.problem = path, problem


def kind_for(path: str) -> str:
    """The reader for a file name: markdown, html, docx, or plain text."""
    return KIND_BY_SUFFIX.get(Path(path).suffix.lower(), "text")


def read_document(source: str, kind: str, path: str) -> Document:
    """Run the reader for ``kind`` over decoded source text."""
    if kind == "markdown":
        from claimlint.readers.markdown import read_markdown

        return read_markdown(source, path)
    if kind == "html":
        from claimlint.readers.html import read_html

        return read_html(source, path)
    if kind == "text":
        from claimlint.readers.text import read_text

        return read_text(source, path)
    raise ValueError(f"unknown kind {kind!r} (use {', '.join(KINDS)})")


@lru_cache(maxsize=4)
def get_engine(rule_dirs: tuple[str, ...] = (), disclosure_terms: tuple[str, ...] = ()) -> Engine:
    """The compiled engine for a rule pack, built once per process."""
    return Engine(_rule_pack(rule_dirs), extra_terms={"disclosure-terms": list(disclosure_terms)})


def _rule_pack(rule_dirs: tuple[str, ...]) -> RulePack:
    """The parsed rule pack, kept beside the engine's plan per pack digest and claimlint
    build: a new process skips parsing YAML for a pack it has loaded before."""
    import hashlib

    from claimlint.cache import code_digest, pack_digest
    from claimlint.engine.plancache import load_cached, save_cached

    dirs = [Path(d) for d in rule_dirs]
    key = "pack-" + hashlib.sha256(f"{pack_digest(dirs)}\0{code_digest()}\0{rule_dirs}".encode()
                                   ).hexdigest()[:32]
    pack = load_cached(key)
    if isinstance(pack, RulePack):
        return pack
    pack = load_rules(dirs)
    save_cached(key, pack)
    return pack


class Linter:
    """Lints documents with one config; holds the compiled engine."""

    def __init__(self, config: Config | None = None, *, select: list[str] | None = None,
                 ignore: list[str] | None = None, lazy: bool = False) -> None:
        self.config = config or Config()
        self.select = list(select or []) or list(self.config.select)
        self.ignore = list(self.config.ignore) + list(ignore or [])
        self._engine_key = (tuple(str(d) for d in self.config.rule_dirs()),
                            tuple(self.config.disclosure_terms))
        self._engine: Engine | None = None
        self._by_id: dict | None = None
        self._finder: bool | None = None
        if not lazy:
            self._engine = get_engine(*self._engine_key)

    @property
    def engine(self) -> Engine:
        """The compiled engine, built on first use when the Linter was made ``lazy``
        (so reading documents, or a run served from the cache, never loads spaCy)."""
        if self._engine is None:
            self._engine = get_engine(*self._engine_key)
        return self._engine

    def lint_documents(self, docs: list[Document]) -> list[list[Finding]]:
        """Findings per document, batching spaCy work across documents."""
        if self.config.page_kind != "auto":
            for doc in docs:
                doc.page_kind = self.config.page_kind
        results, timeouts = self.engine.run_many_reporting(docs)
        return [self._finish(doc, found, slow)
                for doc, found, slow in zip(docs, results, timeouts, strict=True)]

    def lint_document(self, doc: Document) -> list[Finding]:
        return self.lint_documents([doc])[0]

    def lint_source(self, source: str, kind: str = "text", path: str = "<text>") -> list[Finding]:
        return self.lint_document(read_document(source, kind, path))

    def load(self, data: bytes, path: str, kind: str | None = None) -> Document:
        """Bytes to Document, refusing what is not text (raises InputError)."""
        kind = kind or kind_for(path)
        if len(data) > self.config.max_file_size:
            raise InputError(path, too_large(len(data), self.config.max_file_size))
        if kind == "docx":
            from claimlint.readers.docx import DocxError, read_docx

            try:
                return read_docx(data, path)
            except DocxError as exc:
                raise InputError(path, str(exc)) from exc
        try:
            decoded = decode(data, encoding=self.config.encoding, html=kind == "html")
        except DecodeError as exc:
            raise InputError(path, str(exc)) from exc
        try:
            doc = read_document(decoded.text, kind, path)
        except (ValueError, RecursionError, AssertionError, IndexError) as exc:
            # a reader bug on odd input must cost one file, never the whole run
            raise InputError(path, f"could not read as {kind}: {exc}") from exc
        doc.encoding_note = decoded.note
        return doc

    def _finish(self, doc: Document, found: list[EngineFinding],
                timeouts: dict[str, list[int]] | None = None) -> list[Finding]:
        if self.config.claim_model:
            kept = found
            if found:
                from claimlint.claimmodel import apply

                kept = apply(doc, found)
            if self.config.claim_finder and self._finder_wanted():
                from claimlint import claimfinder

                kept = claimfinder.apply(doc, found, kept, self._rules_by_id())
            found = kept
        findings = []
        for ef in found:
            rule = ef.rule
            severity = self.config.severity.get(rule.id) or self.config.severity.get(
                rule.category) or rule.severity
            if severity == "off" or not self._selected(rule.id, rule.category):
                continue
            findings.append(to_finding(doc, ef, severity))
        findings = apply_suppressions(doc, findings)
        findings = [f for f in findings if f.rule.startswith("SUPPRESSION.")
                    or self._selected(f.rule, f.category)]
        findings += [timeout_finding(doc, rule_id, offsets) for rule_id, offsets in
                     sorted((timeouts or {}).items()) if self._selected(rule_id, rule_id.split(".")[0])]
        findings.sort(key=sort_key)
        return findings

    def _rules_by_id(self) -> dict:
        if self._by_id is None:
            self._by_id = {r.id: r for r in self.engine.pack.rules}
        return self._by_id

    def _finder_wanted(self) -> bool:
        """Whether any model-backed rule of the claim finder is selected and not turned off
        (if none is, the stage is skipped and its model never read)."""
        if self._finder is None:
            self._finder = any(
                (self.config.severity.get(r.id) or self.config.severity.get(r.category)) != "off"
                and self._selected(r.id, r.category)
                for r in self.engine.pack.rules if r.scope == "model")
        return self._finder

    def _selected(self, rule_id: str, category: str) -> bool:
        if self.select and not any(selector_matches(s, rule_id, category) for s in self.select):
            return False
        return not any(selector_matches(s, rule_id, category) for s in self.ignore)


SENTENCE_CHARS = 1000  # a longer "sentence" (a page with no full stops) is cut around its claim


def sentence_excerpt(text: str, sent_start: int, sent_end: int, start: int, end: int) -> str:
    """The sentence of a claim at ``[start, end)``; past SENTENCE_CHARS, the part around the
    claim cut at spaces and marked with "…", so a page without punctuation does not copy
    itself into each of its findings."""
    if sent_end - sent_start <= SENTENCE_CHARS:
        return text[sent_start:sent_end].strip()
    margin = max(100, (SENTENCE_CHARS - (end - start)) // 2)
    a, b = max(sent_start, start - margin), min(sent_end, end + margin)
    if a > sent_start:
        space = text.find(" ", a, start)
        a = space + 1 if space >= 0 else a
    if b < sent_end:
        space = text.rfind(" ", end, b)
        b = space if space >= 0 else b
    return ("…" if a > sent_start else "") + text[a:b].strip() + ("…" if b < sent_end else "")


def to_finding(doc: Document, ef: EngineFinding, severity: str) -> Finding:
    """Position an engine finding in the source."""
    start, end = doc.source_range(ef.start, ef.end)
    line, column = doc.position(start)
    end_line, end_column = doc.position(end)
    block = doc.block_at(ef.start)
    rule = ef.rule
    return Finding(
        path=doc.path, rule=rule.id, category=rule.category, severity=severity,
        message=rule.message, line=line, column=column, end_line=end_line,
        end_column=end_column, text=doc.quoted[ef.start:ef.end], suggestion=rule.suggestion,
        sentence=sentence_excerpt(doc.quoted, ef.sent_start, ef.sent_end, ef.start, ef.end),
        start=start, end=end,
        region=block.region if block else "main", why=rule.why, extra=dict(ef.extra),
    )


TIMEOUT_RULE = "SKIPPED.regex-timeout"


def timeout_finding(doc: Document, rule_id: str, offsets: list[int]) -> Finding:
    """A warning that rule ``rule_id`` was not fully applied: its regular expression ran
    past the time limit on the sentences at ``offsets`` (text offsets), so those were not
    checked by it, and after MAX_TIMEOUTS of them it was stopped for the rest of the file."""
    from claimlint.engine.core import MAX_TIMEOUTS, REGEX_TIMEOUT

    start, _ = doc.source_range(offsets[0], offsets[0] + 1)
    line, column = doc.position(start)
    stopped = len(offsets) >= MAX_TIMEOUTS
    lines = sorted({doc.position(doc.source_range(o, o + 1)[0])[0] for o in offsets})
    return Finding(
        path=doc.path, rule=TIMEOUT_RULE, category="SKIPPED", severity="warning",
        message=(f"Rule {rule_id} was not applied to {len(offsets)} sentence(s) (line "
                 f"{', '.join(map(str, lines))}): its regular expression took longer than "
                 f"{REGEX_TIMEOUT:g} s on each" + (", so it was stopped for the rest of this "
                                                   "file." if stopped else ".")),
        line=line, column=column, end_line=line, end_column=column, text="",
        suggestion=f"Rewrite the regex of {rule_id} without nested repetition such as "
                   "(a|aa)+, or check these sentences by hand.",
        start=start, end=start, region="main", why="A check that did not run cannot report a claim.",
        extra={"skipped_rule": rule_id, "sentences": len(offsets), "stopped": stopped})


def lint_text(text: str, *, kind: str = "text", path: str = "<text>",
              config: Config | None = None) -> list[Finding]:
    """Lint a string of text, Markdown or HTML and return its findings."""
    return Linter(config).lint_source(text, kind, path)


def lint_path(path: str | Path, config: Config | None = None) -> list[Finding]:
    """Lint one file (its kind chosen by extension); raises InputError if unreadable."""
    linter = Linter(config)
    try:
        data = read_limited(path, linter.config.max_file_size)
    except Unreadable as exc:
        raise InputError(str(path), exc.problem) from exc
    return linter.lint_document(linter.load(data, str(path)))
