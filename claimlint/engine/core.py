"""The rule engine: compiles a rule pack once, then finds claims in Documents.

Flow for one document: prefilter hits -> candidate sentence windows -> spaCy (tokens,
sentences, lemmas) on those windows only -> phrase, token and regex matches of the rules
whose anchors occur there -> context (negated, hedged, warned, question) -> sentence
findings. Document rules look at just as many windows as they need to decide.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
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
Window = tuple[int, int]


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
    """A pattern match in document text, with its sentence and the contexts that apply."""

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


@dataclass
class _DocState:
    """Per-document working state: candidate windows, what may match in each, results."""

    doc: Document
    windows: dict[Window, set[str]]  # window -> entry keys whose anchors occur in it
    done: dict[Window, list[Hit]] = field(default_factory=dict)


class Engine:
    """A compiled rule pack. Build once per process; ``run`` is called per document."""

    def __init__(self, pack: RulePack, *, extra_terms: dict[str, list[str]] | None = None,
                 use_prefilter: bool = True):
        from spacy.matcher import Matcher, PhraseMatcher

        self.pack = pack
        self.rules = pack.rules
        self.use_prefilter = use_prefilter  # off: every sentence goes through spaCy (tests)
        self.nlp = get_nlp()
        self.extra_terms = extra_terms or {}
        vocab = self.nlp.vocab
        self._phrase_lower = PhraseMatcher(vocab, attr="LOWER")
        self._phrase_lemma = PhraseMatcher(vocab, attr="LEMMA")
        self._token_matchers: dict[int, Matcher] = {}  # one per rule, run only where needed
        self._regexes: dict[str, regex.Pattern] = {}
        self.entries: dict[str, Entry] = {}
        self._anchor_entries: dict[str, set[str]] = defaultdict(set)
        self._always: set[str] = set()  # entries with no anchor: every window
        self.unanchored: list[str] = []
        for ri, rule in enumerate(self.rules):
            for role, group, pattern in self._rule_patterns(rule):
                key = f"{ri}:{role}:{group}:{len(self.entries)}"
                self.entries[key] = Entry(ri, role, group, pattern)
                found = self._compile(key, pattern, rule, Matcher)
                if found is None:
                    self._always.add(key)
                    self.unanchored.append(rule.id)
                for anchor in found or ():
                    self._anchor_entries[anchor].add(key)
        self._doc_rules = [ri for ri, r in enumerate(self.rules) if r.scope == "document"]
        self._sentence_keys = {k for k, e in self.entries.items()
                               if self.rules[e.rule].scope == "sentence"}
        self.prefilter = Prefilter(set(self._anchor_entries))
        exceptions = {k[:-1] for k in self.nlp.tokenizer.rules if k.endswith(".")}
        self.windows = SentenceWindows(exceptions)
        self.stats = EngineStats()
        self._context_needs = {
            k: (UNLESS_CANCEL if e.role == "unless" else
                frozenset() if e.role == "exclude" else self.rules[e.rule].cancel)
            for k, e in self.entries.items()}

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

    def _compile(self, key: str, pattern: Pattern, rule: Rule, matcher_cls) -> set[str] | None:  # noqa: ANN001
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
            matcher = self._token_matchers.get(self.entries[key].rule)
            if matcher is None:
                matcher = self._token_matchers[self.entries[key].rule] = matcher_cls(
                    nlp.vocab, validate=True)
            try:
                matcher.add(key, [pattern.value])
            except Exception as exc:  # spaCy raises MatchPatternError or ValueError
                msg = " ".join(str(exc).split()).replace(f"matcher rule '{key}'", "this rule")
                raise RuleFileError(rule.file, rule.id, f"invalid token pattern: {msg}") from exc
            return _best([_token_literals(t) for t in pattern.value if _required(t)])
        try:
            self._regexes[key] = regex.compile(pattern.value, regex.IGNORECASE | regex.V0)
        except regex.error as exc:
            raise RuleFileError(rule.file, rule.id, f"regex does not compile: {exc}") from exc
        return regex_anchors(pattern.value)

    # -- running -------------------------------------------------------------------

    def run(self, doc: Document) -> list[EngineFinding]:
        """All findings of all rules in one document."""
        return self.run_many([doc])[0]

    def run_many(self, docs: list[Document]) -> list[list[EngineFinding]]:
        """Findings for several documents; sentence windows of all documents go through
        spaCy in one batch."""
        states = [_DocState(doc, self._plan(doc)) for doc in docs]
        todo = [(st, w) for st in states for w, keys in st.windows.items()
                if keys & self._sentence_keys]
        self._process(todo)
        return [self._findings(st) for st in states]

    def _plan(self, doc: Document) -> dict[Window, set[str]]:
        """Candidate windows of the document, each with the entries that may match in it."""
        text = doc.text
        block_starts = [b.start for b in doc.blocks]
        split_cache: dict[int, tuple[list[Window], list[int]]] = {}
        chosen: dict[Window, set[str]] = {}

        def windows_of(bi: int) -> tuple[list[Window], list[int]]:
            if bi not in split_cache:
                block = doc.blocks[bi]
                wins = self.windows.split(text, block.start, block.end)
                split_cache[bi] = (wins, [w[0] for w in wins])
            return split_cache[bi]

        if self.unanchored or not self.use_prefilter:
            every = set(self.entries)
            for bi in range(len(doc.blocks)):
                for w in windows_of(bi)[0]:
                    chosen[w] = every
            return chosen
        anchor_entries = self._anchor_entries
        for pos, anchors in self.prefilter.hits(text):
            bi = bisect_right(block_starts, pos) - 1
            if bi < 0 or pos >= doc.blocks[bi].end:
                continue
            wins, starts = windows_of(bi)
            win = wins[bisect_right(starts, pos) - 1]
            keys = chosen.get(win)
            if keys is None:
                keys = chosen[win] = set()
            for anchor in anchors:
                keys |= anchor_entries[anchor]
        return dict(sorted(chosen.items()))

    def _process(self, todo: list[tuple[_DocState, Window]]) -> None:
        """Run spaCy and the matchers over windows that have not been processed yet."""
        todo = [(st, w) for st, w in todo if w not in st.done]
        if not todo:
            return
        texts = [st.doc.text[a:b] for st, (a, b) in todo]
        self.stats.windows += len(todo)
        self.stats.window_chars += sum(map(len, texts))
        for (st, w), sp in zip(todo, self.nlp.pipe(texts, batch_size=512)):
            st.done[w] = self._match_window(st.doc, w[0], sp, st.windows[w] | self._always)

    def _match_window(self, doc: Document, offset: int, sp: Doc, keys: set[str]) -> list[Hit]:
        strings = self.nlp.vocab.strings
        spans: list[tuple[str, int, int]] = []
        for matcher in (self._phrase_lower, self._phrase_lemma):
            if len(matcher):
                spans.extend((strings[m], s, e) for m, s, e in matcher(sp))
        rules = {self.entries[k].rule for k in keys}
        for ri in rules:
            matcher = self._token_matchers.get(ri)
            if matcher is not None:
                spans.extend((strings[m], s, e) for m, s, e in matcher(sp))
        regex_keys = [k for k in keys if k in self._regexes]
        if regex_keys:
            for sent in sp.sents:
                for key in regex_keys:
                    self._regex_spans(sp, sent, key, spans)
        if not spans:
            return []
        block = doc.block_at(offset)
        lead = doc.text[block.lead[0]:block.lead[1]] if block and block.lead else ""
        cache: dict[tuple[int, int, str], bool] = {}
        hits = []
        for key, s, e in spans:
            sent = sp[s].sent
            if e > sent.end:
                continue  # a match never crosses a sentence boundary
            found = set()
            for ctx in self._context_needs[key]:
                memo = (s, e, ctx)
                if memo not in cache:
                    cache[memo] = context.CHECKS[ctx](sent, s, e, lead)
                if cache[memo]:
                    found.add(ctx)
            last = sp[e - 1]
            hits.append(Hit(self.entries[key], offset + sp[s].idx, offset + last.idx + len(last),
                            offset + sent.start_char, offset + sent.end_char, frozenset(found),
                            " ".join(t.lemma_ for t in sp[s:e])))
        return hits

    def _regex_spans(self, sp: Doc, sent, key: str, spans: list) -> None:  # noqa: ANN001
        try:
            for m in self._regexes[key].finditer(sent.text, timeout=REGEX_TIMEOUT):
                if m.end() > m.start():
                    span = sp.char_span(sent.start_char + m.start(), sent.start_char + m.end(),
                                        alignment_mode="expand")
                    if span is not None:
                        spans.append((key, span.start, span.end))
        except TimeoutError:
            self.stats.regex_timeouts.append(self.rules[self.entries[key].rule].id)

    # -- deciding ------------------------------------------------------------------

    def _findings(self, st: _DocState) -> list[EngineFinding]:
        """Sentence findings from the processed windows, then document rules."""
        hits = [h for w in st.windows if w in st.done for h in st.done[w]]
        excluded = {(h.entry.rule, h.sent_start) for h in hits if h.entry.role == "exclude"}
        by_rule: dict[int, list[Hit]] = defaultdict(list)
        for h in hits:
            if h.entry.role == "claim":
                by_rule[h.entry.rule].append(h)
        findings: list[EngineFinding] = []
        for ri, rule_hits in by_rule.items():
            rule = self.rules[ri]
            claims = sorted((h for h in rule_hits if not (h.contexts & rule.cancel)
                             and (ri, h.sent_start) not in excluded),
                            key=lambda h: (h.start, -(h.end - h.start)))
            last_end = -1
            for h in claims:
                if h.start >= last_end:
                    last_end = h.end
                    findings.append(EngineFinding(rule, h.start, h.end, h.sent_start, h.sent_end))
        for ri in self._doc_rules:
            found = self._document_finding(st, ri)
            if found:
                findings.append(found)
        findings.sort(key=lambda f: (f.start, f.rule.id))
        return findings

    def _live_hits(self, st: _DocState, ri: int, role: str, group: int = 0):  # noqa: ANN202
        """Hits of one part of a document rule that no context cancels, in document order,
        processing further windows only as they are asked for."""
        rule = self.rules[ri]
        cancel = UNLESS_CANCEL if role == "unless" else rule.cancel
        for w, keys in st.windows.items():
            if not any(self.entries[k].rule == ri and self.entries[k].role == role
                       and self.entries[k].group == group for k in keys | self._always):
                continue
            self._process([(st, w)])
            for h in sorted(st.done[w], key=lambda h: h.start):
                e = h.entry
                if e.rule == ri and e.role == role and e.group == group and not (h.contexts & cancel):
                    yield h

    def _document_finding(self, st: _DocState, ri: int) -> EngineFinding | None:
        """A document rule fires when every ``requires`` group reaches its minimum and no
        ``unless`` term (a risk disclosure, say) appears uncancelled on the page."""
        rule = self.rules[ri]
        first: Hit | None = None  # the first mention of the first group: where to report
        counts = []
        for gi, group in enumerate(rule.requires):
            seen: set = set()
            for h in self._live_hits(st, ri, "group", gi):
                if gi == 0 and first is None:
                    first = h
                # distinct: different matched words; otherwise: different sentences
                seen.add(h.key if group.distinct else h.sent_start)
                if len(seen) >= group.min:
                    break
            if len(seen) < group.min:
                return None
            counts.append(f"{group.name}: {len(seen)}+")
        if first is None or next(self._live_hits(st, ri, "unless"), None) is not None:
            return None
        h = first
        return EngineFinding(rule, h.start, h.end, h.sent_start, h.sent_end,
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
