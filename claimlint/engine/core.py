"""The rule engine: compiles a rule pack once, then finds claims in Documents.

Flow for one document: prefilter hits -> candidate sentence windows -> spaCy (tokens,
sentences, lemmas) on those windows only -> phrase, token and regex matches -> context
(negated, hedged, warned, question) -> sentence findings and document-rule findings.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import regex

from claimlint.document import Document
from claimlint.engine import context
from claimlint.engine.prefilter import Prefilter, SentenceWindows, regex_anchors
from claimlint.nlp import forms_of, get_nlp
from claimlint.rulepack import Pattern, Rule, RuleFileError, RulePack

if TYPE_CHECKING:
    from spacy.tokens import Doc

REGEX_TIMEOUT = 0.25  # seconds per pattern per sentence
LITERAL_KEYS = ("ORTH", "TEXT", "LOWER", "NORM", "LEMMA")
UNLESS_CANCEL = frozenset({"negated", "question"})


@dataclass(frozen=True)
class Entry:
    """A compiled pattern and what it is for: a rule's claim, a document group, an unless
    term or an exclusion."""

    rule: int
    role: str  # "claim", "group", "unless", "exclude"
    group: int = 0
    pattern: Pattern | None = None


@dataclass
class Hit:
    """A pattern match in document text, with its sentence and contexts."""

    entry: Entry
    start: int
    end: int
    sent_start: int
    sent_end: int
    contexts: frozenset[str]
    key: str  # lemmas of the matched words, for distinct counting


@dataclass
class EngineFinding:
    """A rule that fired on ``[start, end)`` of the document text."""

    rule: Rule
    start: int
    end: int
    sent_start: int
    sent_end: int
    extra: dict = field(default_factory=dict)


@dataclass
class EngineStats:
    windows: int = 0
    window_chars: int = 0
    regex_timeouts: list[str] = field(default_factory=list)


class Engine:
    """A compiled rule pack. Build once per process; ``run`` is called per document."""

    def __init__(self, pack: RulePack, *, extra_terms: dict[str, list[str]] | None = None):
        self.pack = pack
        self.rules = pack.rules
        self.nlp = get_nlp()
        self.extra_terms = extra_terms or {}
        from spacy.matcher import Matcher, PhraseMatcher

        vocab = self.nlp.vocab
        self._phrase_lower = PhraseMatcher(vocab, attr="LOWER")
        self._phrase_lemma = PhraseMatcher(vocab, attr="LEMMA")
        self._tokens = Matcher(vocab, validate=True)
        self._regexes: list[tuple[str, regex.Pattern, set[str] | None]] = []
        self.entries: dict[str, Entry] = {}
        self._anchor_keys: dict[str, set[str]] = {}  # anchor -> regex entry keys
        self.unanchored: list[str] = []  # rule ids that force full processing
        anchors: set[str] = set()
        for ri, rule in enumerate(self.rules):
            for role, group, pattern in self._rule_patterns(rule):
                key = f"{ri}:{role}:{group}:{len(self.entries)}"
                self.entries[key] = Entry(ri, role, group, pattern)
                found = self._compile(key, pattern, rule)
                if found is None:
                    self.unanchored.append(rule.id)
                else:
                    anchors |= found
        self.prefilter = Prefilter(anchors)
        exceptions = {k[:-1] for k in self.nlp.tokenizer.rules if k.endswith(".")}
        self.windows = SentenceWindows(exceptions)
        self.stats = EngineStats()

    def _rule_patterns(self, rule: Rule):  # noqa: ANN202
        for p in rule.patterns:
            yield "claim", 0, p
        for gi, group in enumerate(rule.requires):
            for p in group.patterns:
                yield "group", gi, p
        for p in rule.unless:
            yield "unless", 0, p
        for term in self.extra_terms.get(rule.unless_config or "", []):
            yield "unless", 0, Pattern("lemma", term)
        for p in rule.exclude:
            yield "exclude", 0, p

    def _compile(self, key: str, pattern: Pattern, rule: Rule) -> set[str] | None:
        """Add one pattern to the matchers; return its anchors (None: unanchored)."""
        nlp = self.nlp
        if pattern.kind == "phrase":
            doc = nlp.make_doc(pattern.value)
            self._phrase_lower.add(key, [doc])
            words = [t.lower_ for t in doc if not t.is_punct and not t.is_space]
            return {max(words or [doc.text.lower()], key=len)}
        if pattern.kind == "lemma":
            doc = nlp(pattern.value)
            self._phrase_lemma.add(key, [doc])
            options = [forms_of(t.lemma_) for t in doc if not t.is_punct and not t.is_space]
            return _best(options) or {doc.text.lower()}
        if pattern.kind == "tokens":
            try:
                self._tokens.add(key, [pattern.value])
            except Exception as exc:  # spaCy raises MatchPatternError or ValueError
                msg = " ".join(str(exc).split()).replace(f"matcher rule '{key}'", "this rule")
                raise RuleFileError(rule.file, rule.id, f"invalid token pattern: {msg}") from exc
            return _best([_token_literals(t) for t in pattern.value if _required(t)])
        try:
            compiled = regex.compile(pattern.value, regex.IGNORECASE | regex.V0)
        except regex.error as exc:
            raise RuleFileError(rule.file, rule.id, f"regex does not compile: {exc}") from exc
        found = regex_anchors(pattern.value)
        self._regexes.append((key, compiled, found))
        for anchor in found or ():
            self._anchor_keys.setdefault(anchor, set()).add(key)
        return found

    # -- running -------------------------------------------------------------------

    def run(self, doc: Document) -> list[EngineFinding]:
        """All findings of all rules in one document."""
        return self.run_many([doc])[0]

    def run_many(self, docs: list[Document]) -> list[list[EngineFinding]]:
        """Findings for several documents, batching their windows through spaCy."""
        plans = [self._plan(doc) for doc in docs]
        texts = [doc.text[a:b] for doc, plan in zip(docs, plans) for (a, b, _) in plan]
        spdocs = iter(self.nlp.pipe(texts, batch_size=256))
        results = []
        for doc, plan in zip(docs, plans):
            hits: list[Hit] = []
            for start, _end, anchors in plan:
                hits.extend(self._match_window(doc, start, next(spdocs), anchors))
            results.append(self._decide(hits))
        return results

    def _plan(self, doc: Document) -> list[tuple[int, int, set[str]]]:
        """Candidate windows of the document, each with the anchors found in it."""
        text = doc.text
        block_starts = [b.start for b in doc.blocks]
        split_cache: dict[int, list[tuple[int, int]]] = {}
        chosen: dict[tuple[int, int], set[str]] = {}

        def windows_of(bi: int) -> list[tuple[int, int]]:
            if bi not in split_cache:
                block = doc.blocks[bi]
                split_cache[bi] = self.windows.split(text, block.start, block.end)
            return split_cache[bi]

        if self.unanchored:
            for bi in range(len(doc.blocks)):
                for w in windows_of(bi):
                    chosen[w] = set(self._anchor_keys)
        else:
            for pos, anchor in self.prefilter.hits(text):
                bi = bisect_right(block_starts, pos) - 1
                if bi < 0 or pos >= doc.blocks[bi].end:
                    continue
                wins = windows_of(bi)
                wi = bisect_right([w[0] for w in wins], pos) - 1
                chosen.setdefault(wins[wi], set()).add(anchor)
        plan = [(a, b, anchors) for (a, b), anchors in sorted(chosen.items())]
        self.stats.windows += len(plan)
        self.stats.window_chars += sum(b - a for a, b, _ in plan)
        return plan

    def _regexes_for(self, anchors: set[str]) -> list[tuple[str, regex.Pattern]]:
        keys: set[str] = set()
        for hit in anchors:
            for i in range(1, len(hit) + 1):
                keys |= self._anchor_keys.get(hit[:i], set())
        return [(k, rx) for k, rx, found in self._regexes if found is None or k in keys]

    def _match_window(self, doc: Document, offset: int, sp: Doc, anchors: set[str]) -> list[Hit]:
        strings = self.nlp.vocab.strings
        spans: list[tuple[str, int, int]] = [
            (strings[m], s, e)
            for matcher in (self._phrase_lower, self._phrase_lemma, self._tokens)
            for m, s, e in matcher(sp)
        ]
        regexes = self._regexes_for(anchors)
        if regexes:
            for sent in sp.sents:
                for key, rx in regexes:
                    try:
                        for m in rx.finditer(sent.text, timeout=REGEX_TIMEOUT):
                            if m.end() == m.start():
                                continue
                            span = sp.char_span(sent.start_char + m.start(),
                                                sent.start_char + m.end(),
                                                alignment_mode="expand")
                            if span is not None:
                                spans.append((key, span.start, span.end))
                    except TimeoutError:
                        self.stats.regex_timeouts.append(self.rules[self.entries[key].rule].id)
        block = doc.block_at(offset)
        lead = doc.text[block.lead[0]:block.lead[1]] if block and block.lead else ""
        hits = []
        for key, s, e in spans:
            sent = sp[s].sent
            if e > sent.end:
                continue  # a match never crosses a sentence boundary
            start = offset + sp[s].idx
            end = offset + sp[e - 1].idx + len(sp[e - 1].text)
            hits.append(Hit(self.entries[key], start, end, offset + sent.start_char,
                            offset + sent.end_char, frozenset(context.contexts(sent, s, e, lead)),
                            " ".join(t.lemma_ for t in sp[s:e])))
        return hits

    def _decide(self, hits: list[Hit]) -> list[EngineFinding]:
        """Turn matches into findings: cancel by context and exclusions, keep one
        finding per rule and overlapping span, evaluate document rules."""
        excluded = {(h.entry.rule, h.sent_start) for h in hits if h.entry.role == "exclude"}
        by_rule: dict[int, list[Hit]] = {}
        for h in hits:
            by_rule.setdefault(h.entry.rule, []).append(h)
        findings: list[EngineFinding] = []
        for ri, rule_hits in by_rule.items():
            rule = self.rules[ri]
            if rule.scope == "document":
                found = self._document_finding(rule, rule_hits)
                if found:
                    findings.append(found)
                continue
            claims = [h for h in rule_hits if h.entry.role == "claim"
                      and not (h.contexts & rule.cancel)
                      and (ri, h.sent_start) not in excluded]
            claims.sort(key=lambda h: (h.start, -(h.end - h.start)))
            last_end = -1
            for h in claims:
                if h.start < last_end:
                    continue
                last_end = h.end
                findings.append(EngineFinding(rule, h.start, h.end, h.sent_start, h.sent_end))
        findings.sort(key=lambda f: (f.start, f.rule.id))
        return findings

    def _document_finding(self, rule: Rule, hits: list[Hit]) -> EngineFinding | None:
        if any(h.entry.role == "unless" and not (h.contexts & UNLESS_CANCEL) for h in hits):
            return None
        first: Hit | None = None
        counts = []
        for gi, group in enumerate(rule.requires):
            live = sorted((h for h in hits if h.entry.role == "group" and h.entry.group == gi
                           and not (h.contexts & rule.cancel)), key=lambda h: h.start)
            if not live:
                return None
            # distinct: different matched words; otherwise: different sentences
            n = len({h.key for h in live}) if group.distinct else len(
                {h.sent_start for h in live})
            if n < group.min:
                return None
            counts.append(f"{group.name}: {n}")
            if gi == 0:
                first = live[0]
        assert first is not None
        return EngineFinding(rule, first.start, first.end, first.sent_start, first.sent_end,
                             {"evidence": ", ".join(counts)})


def _required(token: dict) -> bool:
    """Whether a token spec must match at least once ("+", "{2}", "{1,3}", no operator)."""
    op = token.get("OP")
    if op in (None, "+"):
        return True
    if isinstance(op, str) and op.startswith("{") and not op.startswith("{,"):
        return int(op[1:].split(",")[0].rstrip("}") or 0) >= 1
    return False


def _token_literals(token: dict) -> set[str] | None:
    """Literal strings a token matching this spec must contain."""
    for attr in LITERAL_KEYS:
        if attr not in token:
            continue
        value = token[attr]
        values = [value] if isinstance(value, str) else (
            value.get("IN") if isinstance(value, dict) else None)
        if not values or not all(isinstance(v, str) for v in values):
            continue
        if attr == "LEMMA":
            return set().union(*(forms_of(v) for v in values))
        return {v.lower() for v in values}
    return None


def _best(options: list[set[str] | None]) -> set[str] | None:
    """The anchor set whose shortest member is longest (fewest spurious hits)."""
    usable = [o for o in options if o and all(len(a) >= 2 for a in o)]
    if not usable:
        usable = [o for o in options if o]
    if not usable:
        return None
    return max(usable, key=lambda o: (min(map(len, o)), -len(o)))
