"""The rule engine: compiles a rule pack once, then finds claims in Documents.

Flow for one document: prefilter hits -> candidate sentence windows -> claimlint.lite or
spaCy (tokens, sentences, lemmas) on those windows only -> phrase, token and regex matches of the rules
whose anchors occur there -> context (negated, warned, question) -> sentence
findings. Document rules look at just as many windows as they need to decide.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from itertools import chain
from typing import TYPE_CHECKING

from claimlint import __version__, lite
from claimlint.document import Document
from claimlint.engine import context
from claimlint.engine.plancache import load_plan, save_plan
from claimlint.engine.prefilter import (
    Prefilter,
    SentenceWindows,
    inside_word_anchors,
    letter_anchor,
    position_sensitive,
    regex_alternatives,
    regex_anchors,
    regex_formula,
    relaxed,
)
from claimlint.engine.tokenmatch import TokenMatcher, lexeme_facts, supported, word_facts
from claimlint.nlp import forms_of, get_nlp, lemma_of
from claimlint.rulepack import Pattern, Rule, RuleFileError, RulePack

if TYPE_CHECKING:
    from collections.abc import Callable

    import regex
    from spacy.tokens import Doc

REGEX_TIMEOUT = 0.25  # seconds per pattern per sentence
MAX_TIMEOUTS = 3  # a rule whose regex times out this often in one document stops there
LITERAL_KEYS = ("ORTH", "TEXT", "LOWER", "LEMMA")
UNLESS_CANCEL = frozenset({"negated", "question"})
ASKED = frozenset({"question"})  # the contexts of a claim cancelled only as a question
Window = tuple[int, int]
SEPARATOR = "\n\n"
CHUNK_CHARS = 2000
ITEM_WORDS = 12  # a list item this short inherits its lead-in's claim
ACTIVE_MEMO = 4096  # anchor sets whose active entries are remembered (bounded memory)


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
class _Matching:
    """A tokenizer and the matchers built on it: spaCy's, or claimlint.lite's stand-ins
    (the same tokens and matches without importing spaCy)."""

    nlp: object  # a spaCy Language, or lite.Pipeline
    lower: object  # phrase matchers on LOWER and LEMMA
    lemma: object
    tokens: TokenMatcher  # the token patterns it supports, word by word
    words: object  # a tokenized chunk -> its word ids (what ``tokens`` reads)
    added: set[str] = field(default_factory=set)  # phrase entries added so far
    others: object = None  # spaCy's Matcher, for token patterns ``tokens`` cannot run

    @classmethod
    def build(cls, specs: dict[str, list[dict]], tokenizer_rules: dict | None) -> _Matching:
        """spaCy's matching, or with ``tokenizer_rules`` (from the plan) the lite one."""
        specs = {k: spec for k, spec in specs.items() if supported(spec)}
        if tokenizer_rules is not None:
            nlp = lite.Pipeline(tokenizer_rules)
            return cls(nlp, lite.PhraseMatcher(None, attr="LOWER"),
                       lite.PhraseMatcher(None, attr="LEMMA"),
                       TokenMatcher(specs, word_facts(nlp.vocab.number_words)),
                       lambda doc: doc.words)
        nlp = get_nlp()  # first: it imports spaCy the cheap way (claimlint.nlp.import_spacy)
        from spacy.attrs import ORTH
        from spacy.matcher import PhraseMatcher

        return cls(nlp, PhraseMatcher(nlp.vocab, attr="LOWER"), PhraseMatcher(nlp.vocab, attr="LEMMA"),
                   TokenMatcher(specs, lexeme_facts(nlp.vocab)), lambda doc: doc.to_array(ORTH).tolist())


@dataclass
class _DocState:
    """Per-document working state: candidate windows, what may match in each, results."""

    doc: Document
    windows: dict[Window, set[str]] = field(default_factory=dict)  # -> entries that may match
    split: dict[int, tuple] = field(default_factory=dict)  # block -> (windows, their starts)
    done: dict[Window, list[Hit]] = field(default_factory=dict)
    parsed: dict[Window, tuple] = field(default_factory=dict)  # (doc, start, end, offset, ...)
    matched: dict[Window, set[str]] = field(default_factory=dict)
    timeouts: dict[str, list[int]] = field(default_factory=dict)  # rule id -> text offsets
    hits: list[tuple[int, tuple[str, ...]]] = field(default_factory=list)  # all anchors, in order
    by_window: list[tuple[Window, list[tuple[str, ...]]]] | None = None  # hits per window, in order


class Engine:
    """A compiled rule pack. Build once per process; ``run`` is called per document.

    What the prefilter needs (every pattern's anchors) is the engine's *plan*; it is saved in
    the user's cache directory per rule pack and claimlint build, so a later process builds
    its prefilter and tokenizer without spaCy (``claimlint.lite``), and imports spaCy only
    for a pattern only spaCy's Matcher can run.
    """

    def __init__(self, pack: RulePack, *, extra_terms: dict[str, list[str]] | None = None,
                 use_prefilter: bool = True, plan_cache: bool = True, lite: bool = True):
        self.pack = pack
        self.rules = pack.rules
        self.use_prefilter = use_prefilter  # off: every sentence goes through spaCy (tests)
        self.extra_terms = extra_terms or {}
        # claimlint.lite's tokens where the plan allows (as fast as spaCy's, with no import
        # of spaCy and half the memory); False: spaCy's (tests compare the two)
        self.lite = lite
        self._matching: dict[bool, _Matching] = {}
        self._regexes = _Regexes()
        self.entries: dict[str, Entry] = {}
        self._anchor_entries: dict[str, set[str]] = defaultdict(set)
        self._always: set[str] = set()  # entries with no anchor: every window
        self._requires: dict[str, list[frozenset[str]]] = {}  # entry -> anchor sets, all needed
        self._literals: dict[str, _Words] = {}  # entry -> words its pattern names
        self.unanchored: list[str] = []
        self._token_specs: dict[str, list[dict]] | None = None  # lemmas looked up (the plan's)
        for ri, rule in enumerate(self.rules):
            for role, group, pattern in self._rule_patterns(rule):
                key = f"{ri}:{role}:{group}:{len(self.entries)}"
                self.entries[key] = Entry(ri, role, group, pattern)
                if pattern.kind == "regex":
                    self._regexes.source[key] = pattern.value
        self._phrase_keys = frozenset(k for k, e in self.entries.items()
                                      if e.pattern.kind in ("phrase", "lemma"))
        plan = load_plan(self._plan_key()) if plan_cache else None
        self._validated = plan is not None  # a saved plan means every pattern was accepted
        if plan is None:
            import regex

            for key in list(self._regexes.source):  # a bad regex must stop the run now
                try:
                    self._regexes[key]
                except regex.error as exc:
                    rule = self.rules[self.entries[key].rule]
                    raise RuleFileError(rule.file, rule.id, f"regex does not compile: {exc}") from exc
            self._validate_patterns()
            plan = self._make_plan()
            if plan_cache:
                save_plan(self._plan_key(), plan)
        self._position_sensitive = plan["position_sensitive"]
        self._token_specs = plan["token_specs"]
        self._tokenizer_rules = plan["tokenizer"]
        # claimlint.lite needs the tokenizer's rules, and token patterns it can match
        # (``tokenmatch.supported``): the rest need spaCy's Matcher
        self._lite_able = self._tokenizer_rules is not None and all(
            map(supported, self._token_specs.values()))
        self._free_excludes: dict[int, set[str]] = defaultdict(set)  # rule -> unanchored exclusions
        for key, entry in self.entries.items():
            reqs = plan["requires"][key]
            self._literals[key] = _Words(*plan["literals"][key])
            if not reqs and entry.role == "exclude":
                # an exclusion with no word of its own rides on its rule's claims
                self._free_excludes[entry.rule].add(key)
            elif not reqs:
                self._always.add(key)
                self.unanchored.append(self.rules[entry.rule].id)
            self._requires[key] = reqs
            for anchor in set().union(*reqs) if reqs else ():
                self._anchor_entries[anchor].add(key)
        self._active_memo: dict[tuple[frozenset[str], int], frozenset[str]] = {}
        # the regex each window is confirmed with before spaCy sees it: the entry's own, or,
        # where anchors and lookarounds make it depend on where a sentence starts, the same
        # regex without them (it finds a superset of places; a pattern with nothing left
        # but zero-width conditions is not confirmed)
        self._confirm_source = {k: src for k, src in self._regexes.source.items()
                                if k not in self._position_sensitive}
        self._confirm_source.update((k, src) for k, src in plan["relaxed"].items() if src)
        self._confirmable = frozenset(self._confirm_source)
        self._excludes = frozenset(k for k, e in self.entries.items() if e.role == "exclude")
        self._rule_of = {k: e.rule for k, e in self.entries.items()}
        self._multi_requires = {k: reqs for k, reqs in self._requires.items() if len(reqs) > 1}
        self._multi_keys = frozenset(self._multi_requires)
        # words a pattern needs that are too common or too short to be anchors ("no", "100")
        # one test of a window's lower-cased text per entry: the spelled-out words, and a
        # regex's literal runs (``regex_formula``), before spaCy or the regex sees it
        self._tests = _TextTests(_text_tests(plan["spelled"], plan["formulas"]))
        self._alternatives = {k: _Alternatives(groups) for k, groups in plan["alternatives"].items()}
        self._kinds_memo: dict[frozenset[str], tuple] = {}
        # a phrase's or token pattern's words come in the order the pattern names them
        self._ordered = frozenset(k for k in self._multi_requires
                                  if self.entries[k].pattern.kind != "regex")
        self._doc_rules = [ri for ri, r in enumerate(self.rules) if r.scope == "document"]
        self._lead_rules = [r for r in self.rules if r.list_leads]
        self._sentence_keys = {k for k, e in self.entries.items()
                               if self.rules[e.rule].scope == "sentence"}
        self._inside_words = plan["inside_words"]
        # one scan of each document finds the anchors of every rule, sentence and document
        # rules alike; each user then keeps the hits of its own anchors
        self.prefilter = Prefilter(self._anchors_of(set(self.entries)), self._inside_words)
        self._sentence_anchors = frozenset(self._anchors_of(self._sentence_keys))
        # document rules: the entries and anchors of each part (a group, or the unless terms)
        self._part_keys: dict[tuple[int, str, int], set[str]] = defaultdict(set)
        for k, e in self.entries.items():
            if self.rules[e.rule].scope == "document":
                self._part_keys[(e.rule, e.role, e.group)].add(k)
        self._part_anchors = {part: frozenset(self._anchors_of(keys))
                              for part, keys in self._part_keys.items()}
        self.windows = SentenceWindows(plan["exceptions"])
        self.stats = EngineStats()
        self._context_needs = {
            k: (UNLESS_CANCEL if e.role == "unless" else
                frozenset() if e.role == "exclude" else self.rules[e.rule].cancel)
            for k, e in self.entries.items()}

    @property
    def nlp(self):  # noqa: ANN201 - spaCy Language, imported lazily
        return get_nlp()

    def _plan_key(self) -> str:
        terms = json.dumps(self.extra_terms, sort_keys=True)
        return hashlib.sha256(f"{__version__}\0{self.pack.digest}\0{terms}\0"
                              f"{_code_digest()}".encode()).hexdigest()[:32]

    def _make_plan(self) -> dict:
        """Anchors and literal words of every entry, and the tokenizer facts the prefilter
        needs; computed with spaCy once per rule pack."""
        nlp = self.nlp
        requires, literals, spelled, alternatives = {}, {}, {}, {}
        pieces = _inside_word_pieces(nlp)
        inside = set()
        for key, entry in self.entries.items():
            parts = self._anchor_parts(entry.pattern)
            requires[key] = _requirements(parts, pieces)
            if entry.pattern.kind != "regex":
                # a phrase or token pattern's word may be a piece the tokenizer cuts out of
                # a longer word ("not" of "cannot"): such anchors are looked for inside
                # words. A regex runs on the text, not on tokens: which of its anchors may
                # follow a letter its own parse tells (``inside_word_anchors``), so "ll" of
                # ``we\s*'ll`` is not looked for inside "will" and "all"
                inside |= pieces & frozenset().union(*requires[key])
            if entry.pattern.kind == "regex" and _formula_size(entry.pattern.value) > SPLIT_TESTS \
                    and (alts := regex_alternatives(entry.pattern.value)):
                # a regex of alternatives: each is tested only where its anchors are found
                requires[key] = [frozenset().union(*(a for a, _, _ in alts))]
                inside.update(*(i for _, i, _ in alts))
                alternatives[key] = _grouped(alts)
            elif entry.pattern.kind == "regex":  # anchors a match may hold after a letter
                inside |= inside_word_anchors(entry.pattern.value)
            if entry.pattern.kind == "phrase":  # a phrase's words are spelled out
                spelled[key] = _spelled_parts(parts, requires[key])
            elif entry.pattern.kind == "tokens":
                spelled[key] = _spelled_parts(_exact_parts(entry.pattern), requires[key])
            words = _literal_words(entry.pattern)
            literals[key] = (frozenset(words.words), words.source)
        sensitive = {k for k, src in self._regexes.source.items() if position_sensitive(src)}
        try:
            tokenizer = lite.tokenizer_rules(nlp)
        except (ValueError, KeyError, AttributeError):  # a spaCy unlike the one lite copies
            tokenizer = None
        return {"requires": requires, "literals": literals, "token_specs": self._token_specs,
                "position_sensitive": sensitive, "spelled": spelled,
                # a regex's literal runs, all of them, as a test on a window's text
                "formulas": {k: f for k, src in self._regexes.source.items()
                             if (f := regex_formula(src, lookarounds=True, marks=True))},
                "relaxed": {k: relaxed(self._regexes.source[k]) for k in sensitive},
                # anchors a match may hold right after a letter are looked for inside words
                "inside_words": frozenset(inside), "alternatives": alternatives,
                "exceptions": {k[:-1] for k in nlp.tokenizer.rules if k.endswith(".")},
                "tokenizer": tokenizer}

    def _anchor_parts(self, pattern: Pattern) -> list[set[str] | None]:
        """For each part of a pattern, the literal strings one of which a match contains."""
        if pattern.kind == "phrase":
            return [{t.lower_} for t in self.nlp.make_doc(pattern.value) if not t.is_space]
        if pattern.kind == "lemma":
            return [set(forms_of(t.lemma_)) | {t.lower_} for t in self.nlp(pattern.value)
                    if not t.is_space]
        if pattern.kind == "tokens":
            return [_token_literals(_lemmatized(t)) for t in pattern.value if _required(t)]
        return [regex_anchors(pattern.value)]

    def prepare(self) -> None:
        """Build the tokenizer and the matchers now rather than on first use (before forking
        workers, which then share them)."""
        self.prefilter.compile()
        self._add_phrases(self._matchers(self.lite), self._phrase_keys)

    def _validate_patterns(self) -> None:
        """Build every pattern with spaCy, which validates it (no saved plan yet)."""
        if self._token_specs is None:
            self._token_specs = {key: [_lemmatized(t) for t in e.pattern.value]
                                 for key, e in self.entries.items() if e.pattern.kind == "tokens"}
        m = self._matchers(False)
        self._add_phrases(m, self._phrase_keys)
        from spacy.matcher import Matcher

        for key, spec in self._token_specs.items():
            try:
                Matcher(self.nlp.vocab, validate=True).add(key, [spec])
            except Exception as exc:  # spaCy raises MatchPatternError or ValueError
                rule = self.rules[self.entries[key].rule]
                msg = " ".join(str(exc).split()).replace(f"matcher rule '{key}'", "this rule")
                raise RuleFileError(rule.file, rule.id, f"invalid token pattern: {msg}") from exc

    def _matchers(self, lite_ok: bool) -> _Matching:
        """spaCy's matching, or (``lite_ok``, and a plan with the tokenizer's rules) the
        lite one; phrase patterns are added as windows first need them (a small file
        builds a handful, not the whole pack)."""
        use_lite = lite_ok and self._lite_able
        if use_lite not in self._matching:
            self._matching[use_lite] = _Matching.build(
                self._token_specs, self._tokenizer_rules if use_lite else None)
        return self._matching[use_lite]

    def _add_phrases(self, m: _Matching, keys) -> None:  # noqa: ANN001 - entry keys
        """Add the phrase and lemma-phrase patterns ``keys`` to the phrase matchers, in
        entry order (once each)."""
        missing = [k for k in keys if k not in m.added]
        if not missing:
            return
        order = list(self.entries)
        for key in sorted(missing, key=order.index):
            pattern = self.entries[key].pattern
            if pattern.kind == "phrase":
                m.lower.add(key, [m.nlp.make_doc(pattern.value)])
            else:
                m.lemma.add(key, [m.nlp(pattern.value)])
            m.added.add(key)

    def _other_matches(self, m: _Matching, window, keys: set[str]) -> list:  # noqa: ANN001
        """Matches of the token patterns ``keys`` that only spaCy's Matcher can run (a
        rule file's ``SHAPE``, ``REGEX`` ...), in Span positions: one Matcher holds them all."""
        if m.others is None:
            from spacy.matcher import Matcher

            m.others = Matcher(m.nlp.vocab, validate=False)
            for k, spec in self._token_specs.items():
                if k not in m.tokens:
                    m.others.add(k, [spec])
        strings = m.nlp.vocab.strings
        return [(k, s, e) for i, s, e in m.others(window) if (k := strings[i]) in keys]

    def _anchors_of(self, keys: set[str]) -> set[str]:
        return {a for k in keys for req in self._requires[k] for a in req}

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

    # -- running -------------------------------------------------------------------

    def run(self, doc: Document) -> list[EngineFinding]:
        """All findings of all rules in one document."""
        return self.run_many([doc])[0]

    def claim_hits(self, docs: list[Document]) -> list[list[Hit]]:
        """Every sentence-rule match with the contexts found around it, cancelled or not
        (for ``rules test``: each rule shows the contexts that cancel it)."""
        return [[h for hits in st.done.values() for h in hits if h.entry.role == "claim"]
                for st in self._states(docs)]

    def run_many(self, docs: list[Document], *, one_per_claim: bool = True) -> list[list[EngineFinding]]:
        """Findings for several documents; the candidate windows of all documents go
        through spaCy together. ``one_per_claim=False`` keeps every rule's finding where
        several rules of one category found the same claim (``rules test`` checks each rule)."""
        return self.run_many_reporting(docs, one_per_claim=one_per_claim)[0]

    def run_many_reporting(self, docs: list[Document], *, one_per_claim: bool = True
                           ) -> tuple[list[list[EngineFinding]], list[dict[str, list[int]]]]:
        """``run_many``, plus per document the rules whose regex timed out, with the text
        offsets of the sentences left unchecked (a rule stops after MAX_TIMEOUTS)."""
        states = self._states(docs)
        return [self._findings(st, one_per_claim) for st in states], [st.timeouts for st in states]

    def _states(self, docs: list[Document]) -> list[_DocState]:
        """Plan every document's sentence-rule windows and match them in one spaCy batch."""
        states = [_DocState(doc) for doc in docs]
        for st in states:
            if self.use_prefilter and not self.unanchored:
                st.hits = self.prefilter.hits(st.doc.text)
            st.windows = self._plan(st, self._sentence_anchors, self._sentence_keys)
        self._process([(st, w) for st in states for w in st.windows])
        return states

    def _windows_of(self, st: _DocState, bi: int) -> tuple[list[Window], list[int]]:
        """A block's windows and their start offsets, split once per document."""
        if bi not in st.split:
            block = st.doc.blocks[bi]
            wins = self.windows.split(st.doc.text, block.start, block.end)
            st.split[bi] = (wins, [w[0] for w in wins])
        return st.split[bi]

    def _active(self, found: set[str], allowed: set[str]) -> frozenset[str]:
        """Entries (among ``allowed``) whose every anchor set occurs in ``found`` (kept per
        set of anchors: windows meet the same few sets over and over)."""
        memo_key = (frozenset(found), id(allowed))
        keys = self._active_memo.get(memo_key)
        if keys is None:
            candidates = set().union(*map(self._anchor_entries.__getitem__, found))
            candidates &= allowed
            multi = self._multi_requires  # an entry with one anchor set: met when present
            keys = frozenset(candidates.difference(self._multi_keys).union(
                k for k in candidates.intersection(self._multi_keys)
                if not any(map(found.isdisjoint, multi[k]))))
            if len(self._active_memo) >= ACTIVE_MEMO:
                self._active_memo.clear()
            self._active_memo[memo_key] = keys
        return keys

    def _kinds(self, keys: frozenset[str]) -> tuple[frozenset[str], tuple, tuple, tuple]:
        """``keys`` split into those with nothing more to check in a window, those whose
        words must come in order, those with a test of the window's text, and the
        exclusions (tested only where a claim of their rule is left: ``_plan``)."""
        kinds = self._kinds_memo.get(keys)
        if kinds is None:
            excludes = tuple(k for k in keys if k in self._excludes)
            ordered = tuple(k for k in keys if k in self._ordered and k not in self._excludes)
            tested = tuple(k for k in keys if k in self._tests.source and k not in self._ordered
                           and k not in self._excludes)
            kinds = (keys.difference(ordered, tested, excludes), ordered, tested, excludes)
            if len(self._kinds_memo) >= ACTIVE_MEMO:
                self._kinds_memo.clear()
            self._kinds_memo[keys] = kinds
        return kinds

    def _hit_windows(self, st: _DocState) -> list[tuple[Window, list[tuple[str, ...]]]]:
        """The windows holding a prefilter hit, in document order, each with its hits'
        anchors in order (worked out once per document, for sentence and document rules)."""
        if st.by_window is None:
            doc, seen = st.doc, {}
            wins: list[Window] = []
            wi, win_end, block_end, here = 0, -1, -1, []
            for pos, anchors in st.hits:  # hits come in order: walk forward
                if pos >= win_end:  # the next window (or block) holding a hit
                    if pos >= block_end:
                        bi = doc.block_index(pos)
                        if bi is None:
                            continue  # in a block break
                        wins, wi, block_end = self._windows_of(st, bi)[0], 0, doc.blocks[bi].end
                    while pos >= wins[wi][1]:
                        wi += 1
                    win_end = wins[wi][1]
                    here = seen.setdefault(wins[wi], [])
                here.append(anchors)
            st.by_window = sorted(seen.items())
        return st.by_window

    def _plan(self, st: _DocState, wanted: frozenset[str], allowed: set[str]
              ) -> dict[Window, set[str]]:
        """Windows of the document where some allowed entry may match, with those entries."""
        doc = st.doc
        if self.unanchored or not self.use_prefilter:
            return {w: set(allowed) for bi in range(len(doc.blocks))
                    for w in self._windows_of(st, bi)[0]}
        planned = {}
        tests, requires, alternatives = self._tests, self._requires, self._alternatives
        rule_of = self._rule_of
        for win, hits in self._hit_windows(st):
            found = wanted.intersection(chain.from_iterable(hits))
            if not found:
                continue
            keys = self._active(found, allowed)
            if not keys:
                continue
            plain, ordered, tested, excludes = self._kinds(keys)
            keys = set(plain)
            lower = None
            if ordered or tested:
                lower = doc.text[win[0]:win[1]].lower()
                keys.update(k for k in ordered if _in_order(requires[k], hits)
                            and (k not in tests.source or tests[k](lower)))
                keys.update(k for k in tested if tests[k](lower) if k not in alternatives
                            or alternatives[k](found, lower))
            if excludes and keys:
                # an exclusion matters only where a claim of its rule may be: its words are
                # tested only there (the rest are dropped below in any case)
                claiming = {rule_of[k] for k in keys}
                excludes = [k for k in excludes if rule_of[k] in claiming]
                if excludes and lower is None:
                    lower = doc.text[win[0]:win[1]].lower()
                for k in excludes:
                    if k in self._ordered:
                        if not _in_order(requires[k], hits) or (
                                k in tests.source and not tests[k](lower)):
                            continue
                    elif k in tests.source and not (tests[k](lower) and (
                            k not in alternatives or alternatives[k](found, lower))):
                        continue
                    keys.add(k)
            if keys:
                planned[win] = keys
        # claims first: an exclusion matters only where its rule may claim something, so
        # exclusions are confirmed only in the windows where a claim of their rule is left
        self._confirm_regexes(doc.text, planned, self._confirmable - self._excludes)
        chosen = {}
        for win, keys in planned.items():
            claiming = {self.entries[k].rule for k in keys if k not in self._excludes}
            keys = {k for k in keys if self.entries[k].rule in claiming}
            if keys:
                chosen[win] = keys
        self._confirm_regexes(doc.text, chosen, self._confirmable & self._excludes)
        for keys in chosen.values():
            keys.update(k for r in {self.entries[k].rule for k in keys}
                        for k in self._free_excludes.get(r, ()))
        return chosen

    def _confirm_regexes(self, text: str, planned: dict[Window, set[str]],
                         confirmable: frozenset[str]) -> None:
        """Drop regex entries from the windows where their regex does not match the raw
        text (no spaCy needed to know that). Each regex runs once per document, over its
        windows joined by blank lines, finding a match at every place one starts
        (``overlapped``): a match inside a window is found there, so nothing is lost.
        A regex with anchors or lookarounds, which depend on where a sentence starts, is
        run here without them (``relaxed``): it finds a superset of places. All windows of
        a regex that times out are kept."""
        by_key: dict[str, list[Window]] = defaultdict(list)
        for win, keys in planned.items():
            for k in keys & confirmable:
                by_key[k].append(win)
        # regexes met in the same windows search the same joined text: joined once (and
        # dropped before the next one: memory stays one joined text, whatever the document)
        groups: dict[tuple[Window, ...], list[str]] = defaultdict(list)
        for k, wins in by_key.items():
            groups[tuple(wins)].append(k)
        for wins, keys in groups.items():
            starts, parts, pos = [], [], 0
            for a, b in wins:
                starts.append(pos)
                parts.append(text[a:b])
                pos += b - a + len(SEPARATOR)
            joined, sizes = SEPARATOR.join(parts), [b - a for a, b in wins]
            for k in keys:
                hit = self._windows_matched(_compiled(self._confirm_source[k]), joined, starts, sizes)
                if hit is None:
                    continue  # timed out: every window keeps it
                for i, win in enumerate(wins):
                    if i not in hit:
                        planned[win].discard(k)
        for win in [w for w, keys in planned.items() if not keys]:
            del planned[win]

    @staticmethod
    def _windows_matched(rx: regex.Pattern, joined: str, starts: list[int],
                         sizes: list[int]) -> set[int] | None:
        """Which windows (at ``starts`` in ``joined``, of ``sizes``) have a place where a
        match of ``rx`` starts; None if that took longer than REGEX_TIMEOUT. One search per
        window at most: from the start of the first window not yet known, the leftmost
        match tells which window it starts in (or that it starts in a separator), and the
        next search begins at the following window."""
        hit: set[int] = set()
        deadline = time.monotonic() + REGEX_TIMEOUT
        i, n = 0, len(starts)
        while i < n:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                m = rx.search(joined, starts[i], timeout=left)
            except TimeoutError:
                return None
            if m is None:
                break
            j = bisect_right(starts, m.start()) - 1
            if m.start() < starts[j] + sizes[j]:
                hit.add(j)
            i = j + 1
        return hit

    def _process(self, todo: list[tuple[_DocState, Window]]) -> None:
        """Tokenize windows not seen yet and match the entries active in each.

        Windows are joined into chunks (one spaCy Doc each, a sentence starting at every
        window) because spaCy's per-call overhead dwarfs the work on a short window.
        """
        fresh = [(st, w) for st, w in todo if w not in st.parsed]
        if fresh:
            chars = sum(b - a for _, (a, b) in fresh)
            self.stats.windows += len(fresh)
            self.stats.window_chars += chars
            m = self._matchers(self.lite)
            chunks: list[list[tuple[_DocState, Window]]] = [[]]
            size = 0
            for item in fresh:
                if size > CHUNK_CHARS:
                    chunks.append([])
                    size = 0
                chunks[-1].append(item)
                size += item[1][1] - item[1][0] + len(SEPARATOR)
            texts = [SEPARATOR.join(st.doc.text[a:b] for st, (a, b) in chunk) for chunk in chunks]
            for chunk, text, sp in zip(chunks, texts, m.nlp.pipe(texts, batch_size=32)):
                self._split_chunk(chunk, sp, text, m)
        for st, w in todo:
            missing = (st.windows.get(w, set()) | self._always) - st.matched.setdefault(w, set())
            if missing:
                st.matched[w] |= missing
                st.done.setdefault(w, []).extend(self._match_window(st, w, missing))

    def _split_chunk(self, chunk: list[tuple[_DocState, Window]], sp: Doc, text: str,
                     m: _Matching) -> None:
        """Record, for each window of a chunk, its token range in the chunk's spaCy Doc
        (and the chunk's text: a sentence's text is a slice of it, no Token objects)."""
        pos = 0
        starts = []
        for _st, (a, b) in chunk:
            span = sp.char_span(pos, pos + 1, alignment_mode="expand")
            starts.append((span.start, a - pos))
            if span.start:
                sp[span.start].is_sent_start = True  # a window always starts a sentence
            pos += b - a + len(SEPARATOR)
        ends = [s for s, _ in starts[1:]] + [len(sp)]
        words = m.words(sp) if self._token_specs else None
        for (st, w), (ts, offset), te in zip(chunk, starts, ends):
            st.parsed[w] = (sp, ts, te, offset, text, m, words)

    def _match_window(self, st: _DocState, w: Window, keys: set[str]) -> list[Hit]:
        """Hits of the ``keys`` entries in one tokenized window."""
        sp, ts, te, offset, text, m, words = st.parsed[w]
        window = sp[ts:te]
        strings = m.nlp.vocab.strings
        spans: list[tuple[str, int, int]] = []
        phrase_keys = [k for k in keys if k in self._phrase_keys]
        if phrase_keys:
            self._add_phrases(m, phrase_keys)
        for matcher in (m.lower, m.lemma) if phrase_keys else ():
            if len(matcher):  # PhraseMatcher answers in Doc positions, Matcher in Span positions
                spans.extend((k, s, e) for m, s, e in matcher(window)
                             if (k := strings[m]) in keys)
        token_keys = [k for k in keys if k in self._token_specs]
        if token_keys:
            spans.extend(m.tokens(words, ts, te, [k for k in token_keys if k in m.tokens]))
            if len(m.tokens) < len(self._token_specs):
                spans.extend((k, ts + s, ts + e) for k, s, e in self._other_matches(m, window, keys))
        regex_keys = [k for k in keys if k in self._regexes]
        sents = list(window.sents)
        if sents and sents[-1].end_char > w[1] - offset:
            # the window's last sentence ends where the window does: not in the blank lines
            # that join it to the next window of its chunk (a regex's ``$`` must not depend
            # on which other windows share the chunk)
            sents[-1] = _Sentence(sents[-1].start, sents[-1].end, sents[-1].start_char,
                                  w[1] - offset)
        sent_starts = [s.start for s in sents]
        excludes = []
        if regex_keys:
            claims = [k for k in regex_keys if self.entries[k].role != "exclude"]
            excludes = [k for k in regex_keys if self.entries[k].role == "exclude"]
            self._regex_sentences(st, sp, sents, claims, spans, offset, text)
        if not spans:
            return []
        block = st.doc.block_at(w[0])
        lead = st.doc.text[block.lead[0]:block.lead[1]] if block and block.lead else ""
        hits = self._hits(spans, sp, sents, sent_starts, offset, text, lead)
        if excludes:
            # an exclusion only cancels its rule's claims in the same sentence: it runs
            # where a claim of its rule was found that its context did not cancel, or only
            # as a question (a yes answer makes it a claim: _answered). A rule's claims and
            # exclusions are matched in the same call: _plan gives a window both at once
            claimed = {(h.entry.rule, h.sent_start) for h in hits if h.entry.role == "claim"
                       and (not h.contexts or h.contexts == ASKED)}
            excluding: list[tuple[str, int, int]] = []
            for sent in sents:
                here = [k for k in excludes
                        if (self.entries[k].rule, offset + sent.start_char) in claimed]
                if here:
                    self._regex_sentences(st, sp, [sent], here, excluding, offset, text)
            if excluding:
                hits += self._hits(excluding, sp, sents, sent_starts, offset, text, lead)
        return hits

    def _hits(self, spans: list[tuple[str, int, int]], sp: Doc, sents: list, sent_starts: list[int],
              offset: int, text: str, lead: str) -> list[Hit]:
        """Hits of the matches ``spans`` in a window's sentences, with their contexts."""
        cache: dict[tuple[int, int, str, str | None], bool] = {}
        live = []
        reach: dict[int, list[int]] = {}  # sentence start -> first start, last end of its matches
        for key, s, e in spans:
            sent = sents[bisect_right(sent_starts, s) - 1]
            if e > sent.end:
                continue  # a match never crosses a sentence boundary
            live.append((key, s, e, sent))
            bounds = reach.get(sent.start)
            if bounds is None:
                reach[sent.start] = [s, e]
            else:
                bounds[0], bounds[1] = min(bounds[0], s), max(bounds[1], e)
        tokens: dict[int, context.Tokens] = {}  # sentence start -> its token lists
        hits = []
        for key, s, e, sent in live:
            toks = tokens.get(sent.start)
            if toks is None:
                toks = tokens[sent.start] = context.Tokens.around(sp, sent.start, sent.end,
                                                                  *reach[sent.start])
            ls, le = s - toks.base, e - toks.base  # the match in the sentence's lists
            found = set()
            for ctx in self._context_needs[key]:
                # "negated" reads the pattern's own words (a negator it names is no negation),
                # so two patterns' matches on the same words may differ there
                memo = ((sent.start, -1, ctx, None) if ctx in context.SENTENCE_WIDE
                        else (s, e, ctx, key if ctx == "negated" else None))
                if memo not in cache:
                    cache[memo] = context.CHECKS[ctx](toks, ls, le, lead, self._literals[key].__contains__,
                                                      text[sent.start_char:sent.end_char])
                if cache[memo]:
                    found.add(ctx)
            first, last, lemmas = toks.span(ls, le)
            hits.append(Hit(self.entries[key], offset + first, offset + last,
                            offset + sent.start_char, offset + sent.end_char, frozenset(found),
                            lemmas))
        return hits

    def _regex_sentences(self, st: _DocState, sp: Doc, sents: list, keys: list[str], spans: list,
                         offset: int, text: str) -> None:
        """Add the spans of the regex entries ``keys`` in each of ``sents``, recording the
        sentences where a rule's regex timed out (a rule stops after MAX_TIMEOUTS). A regex
        runs only in the sentences that hold its literal runs (its text test)."""
        tests = self._tests
        for sent in sents:
            low = None
            for key in keys:
                rule_id = self.rules[self.entries[key].rule].id
                if len(st.timeouts.get(rule_id, ())) >= MAX_TIMEOUTS:
                    continue  # stopped in this document: reported, never retried
                if key in tests.source:
                    if low is None:
                        low = text[sent.start_char:sent.end_char].lower()
                    if not tests[key](low):
                        continue
                if not self._regex_spans(sp, sent, key, spans, text):
                    st.timeouts.setdefault(rule_id, []).append(offset + sent.start_char)

    def _regex_spans(self, sp: Doc, sent, key: str, spans: list, text: str) -> bool:  # noqa: ANN001
        """Add a regex entry's spans in one sentence (of the chunk ``text``); False if the
        regex timed out."""
        try:
            exclusion = self.entries[key].role == "exclude"  # an empty match still excludes
            sent_text = text[sent.start_char:sent.end_char]
            for m in self._regexes[key].finditer(sent_text, timeout=REGEX_TIMEOUT):
                if m.end() > m.start() or exclusion and sent_text:
                    end = max(m.end(), min(m.start() + 1, len(sent_text)))
                    span = sp.char_span(sent.start_char + m.start(), sent.start_char + end,
                                        alignment_mode="expand")
                    if span is not None:
                        spans.append((key, span.start, span.end))
        except TimeoutError:
            self.stats.regex_timeouts.append(self.rules[self.entries[key].rule].id)
            return False
        return True

    # -- deciding ------------------------------------------------------------------

    def _findings(self, st: _DocState, one_per_claim: bool = True) -> list[EngineFinding]:
        """Sentence findings from the processed windows, then document rules."""
        hits = [h for w in st.done for h in st.done[w]]
        excluded = {(h.entry.rule, h.sent_start) for h in hits if h.entry.role == "exclude"}
        by_rule: dict[int, list[Hit]] = defaultdict(list)
        for h in hits:
            if h.entry.role == "claim":
                by_rule[h.entry.rule].append(h)
        findings: list[EngineFinding] = []
        for ri, rule_hits in by_rule.items():
            rule = self.rules[ri]
            if st.doc.page_kind not in rule.pages:
                continue  # "who is speaking": an explainer's page makes no seller's claims
            claims = sorted((h for h in rule_hits if not (h.contexts & rule.cancel)
                             and (ri, h.sent_start) not in excluded
                             and not _in_reference(st.doc, h.start)),
                            key=lambda h: (h.start, -(h.end - h.start)))
            # overlapping matches of one rule are one claim: report their union
            for h in claims:
                last = findings[-1] if findings and findings[-1].rule is rule else None
                if last is not None and h.start < last.end and h.sent_start == last.sent_start:
                    last.end = max(last.end, h.end)
                else:
                    findings.append(EngineFinding(rule, h.start, h.end, h.sent_start, h.sent_end))
        findings += self._answered(st.doc.text, st.doc.page_kind, by_rule, excluded, findings)
        findings += self._inherited(st.doc, findings)
        text = st.doc.text
        for f in findings:  # a claim's span never ends in punctuation or space
            while f.end > f.start + 1 and (text[f.end - 1] in ".,;:!?…" or text[f.end - 1].isspace()):
                f.end -= 1
        findings = _without_yielded(findings)
        if one_per_claim:
            findings = _one_per_claim(without_repeats(st.doc, findings))
        for ri in self._doc_rules:
            if not self._may_fire(st, ri) or st.doc.page_kind not in self.rules[ri].pages:
                continue  # (the page kind is worked out only when some rule needs it)
            need = dict(self.rules[ri].min_words).get(st.doc.page_kind)
            if need and not _has_words(st.doc.text, need):
                continue  # too short to tell that a page of this kind sells (a news snippet)
            found = self._document_finding(st, ri)
            if found:
                findings.append(found)
        findings.sort(key=lambda f: (f.start, f.rule.id))
        return findings

    def _answered(self, text: str, page_kind: str, by_rule: dict[int, list[Hit]], excluded: set,
                  findings: list[EngineFinding]) -> list[EngineFinding]:
        """A question answered yes asserts what it asks: after "Is the procedure safe?",
        "Yes, we are confident it is." is the claim the question only asked. The answer
        is a claim of each rule whose match the question alone cancelled."""
        added: dict[tuple[int, int], EngineFinding] = {}
        for ri, rule_hits in by_rule.items():
            rule = self.rules[ri]
            if page_kind not in rule.pages:
                continue
            for h in rule_hits:
                if h.contexts != {"question"} or (ri, h.sent_start) in excluded:
                    continue
                answer = _yes_answer(text, h.sent_end)
                if answer and (ri, answer[0]) not in added and not any(
                        f.rule is rule and f.start < answer[1] and f.end > answer[0] for f in findings):
                    asked = {"answers": text[h.sent_start:h.sent_end]}
                    added[ri, answer[0]] = EngineFinding(rule, *answer, *answer, asked)
        return list(added.values())

    def _inherited(self, doc: Document, findings: list[EngineFinding]) -> list[EngineFinding]:
        """List items inherit their lead-in: under "Conditions we treat:" each short item
        ("Multiple sclerosis", "Tremors") is a claim of the rule that flagged the lead, for
        rules marked ``list_items``, and of a rule whose ``list_leads`` name the lead ("Ideal
        candidates"). A lead warned against ("Avoid clinics that offer:") was never flagged,
        so its items stay warnings."""
        added: list[EngineFinding] = []
        leads: dict[tuple[int, int], list[Rule]] = {}
        for block in doc.blocks:
            if block.kind != "list_item" or block.lead is None:
                continue
            if block.lead not in leads:
                a, b = block.lead
                by_id = {f.rule.id: f.rule for f in findings if f.rule.list_items and a <= f.start < b}
                lead = doc.text[a:b]
                for rule in self._lead_rules:
                    if rule.id not in by_id and doc.page_kind in rule.pages and _leads(rule, lead):
                        by_id[rule.id] = rule
                leads[block.lead] = list(by_id.values())
            if len(doc.text[block.start:block.end].split()) > ITEM_WORDS:
                continue
            for rule in leads[block.lead]:
                if not any(f.rule.category == rule.category and block.start <= f.start < block.end
                           for f in findings):
                    added.append(EngineFinding(rule, block.start, block.end, block.start, block.end,
                                               {"lead": doc.text[block.lead[0]:block.lead[1]]}))
        return added

    def _live_hits(self, st: _DocState, part: tuple[int, str, int]):  # noqa: ANN202
        """Uncancelled hits of one part of a document rule (a group, or its unless terms)
        in document order; windows are found and processed only as they are asked for."""
        ri, role, _group = part
        keys = self._part_keys[part]
        cancel = UNLESS_CANCEL if role == "unless" else self.rules[ri].cancel
        wanted = self._part_anchors[part]
        if self.unanchored or not self.use_prefilter:
            windows = ((win, keys) for win in self._plan(st, wanted, keys))
        else:
            windows = ((win, self._passing(st.doc, win, hits, found, self._active(found, keys)))
                       for win, hits in self._hit_windows(st)
                       if (found := wanted.intersection(chain.from_iterable(hits))))
        for win, active in windows:
            if not active:
                continue
            st.windows[win] = st.windows.get(win, set()) | active
            self._process([(st, win)])
            for h in sorted(st.done[win], key=lambda h: h.start):
                e = h.entry
                if (e.rule, e.role, e.group) == part and not (h.contexts & cancel):
                    yield h

    def _passing(self, doc: Document, win: Window, hits: list[tuple[str, ...]],
                 found: set[str], keys: frozenset[str]) -> set[str]:
        """The entries of ``keys`` whose words a window holds as they need them (in order, and
        their text test: what ``_plan`` checks for sentence rules before spaCy sees a window;
        an entry failing them cannot match there)."""
        tests, alternatives = self._tests, self._alternatives
        lower = None
        out = set()
        for k in keys:
            if k in self._ordered and not _in_order(self._requires[k], hits):
                continue
            if k in tests.source:
                if lower is None:
                    lower = doc.text[win[0]:win[1]].lower()
                if not tests[k](lower) or k in alternatives and not alternatives[k](found, lower):
                    continue
            out.add(k)
        return out

    def _may_fire(self, st: _DocState, ri: int) -> bool:
        """False when a document rule certainly cannot fire: no anchor of its first group
        occurs in the document (that group's first mention is where it would report)."""
        if self.unanchored or not self.use_prefilter or not self.rules[ri].requires:
            return True
        wanted = self._part_anchors[(ri, "group", 0)]
        return any(not wanted.isdisjoint(anchors) for _, anchors in st.hits)

    def _document_finding(self, st: _DocState, ri: int) -> EngineFinding | None:
        """A document rule fires when every ``requires`` group reaches its minimum and no
        ``unless`` term (a risk disclosure, say) appears uncancelled on the page."""
        rule = self.rules[ri]
        first: Hit | None = None  # the first mention of the first group: where to report
        counts = []
        for gi, group in enumerate(rule.requires):
            seen: set = set()
            need = group.needed(lambda n: _has_words(st.doc.text, n))
            for h in self._live_hits(st, (ri, "group", gi)):
                if gi == 0 and first is None:
                    first = h
                # distinct: different matched words; otherwise: different sentences
                seen.add(h.key if group.distinct else h.sent_start)
                if len(seen) >= need:
                    break
            if len(seen) < need:
                return None
            counts.append(f"{group.name}: {len(seen)}+")
        if first is None or (
                rule.unless or (rule.unless_config and self.extra_terms.get(rule.unless_config))
        ) and next(self._live_hits(st, (ri, "unless", 0)), None) is not None:
            return None
        return EngineFinding(rule, first.start, first.end, first.sent_start, first.sent_end,
                             {"evidence": ", ".join(counts)})


@dataclass(frozen=True)
class _Sentence:
    """A sentence of a tokenized chunk, as the engine reads it (token and character range)."""

    start: int
    end: int
    start_char: int
    end_char: int


def _in_reference(doc: Document, offset: int) -> bool:
    """Is ``offset`` inside an entry of a list of references (a paper cited, not a claim)?"""
    block = doc.block_at(offset)
    return block is not None and block.kind == "reference"


_WORD = re.compile(r"\w+")


def _has_words(text: str, n: int) -> bool:
    """Whether ``text`` has at least ``n`` words (stops counting there)."""
    return any(i + 1 >= n for i, _ in enumerate(_WORD.finditer(text)))


def _code_digest() -> str:
    from claimlint.cache import code_digest

    return code_digest()


def _without_yielded(findings: list[EngineFinding]) -> list[EngineFinding]:
    """Drop findings of rules that yield to another: to a category found in the same
    sentence (a generic mechanism claim adds nothing next to a treatment claim), or to a
    rule id whose finding overlaps them ("no risk of rejection" is one claim, not two)."""
    categories: dict[int, set[str]] = defaultdict(set)
    by_rule: dict[str, list[EngineFinding]] = defaultdict(list)
    for f in findings:
        categories[f.sent_start].add(f.rule.category)
        by_rule[f.rule.id].append(f)
    # per rule: starts in order and the furthest end so far, so "does a finding of this rule
    # overlap [start, end)" is one bisection, not a pass over every finding
    reach: dict[str, tuple[list[int], list[int]]] = {}
    for rule_id, found in by_rule.items():
        found.sort(key=lambda g: g.start)
        ends, furthest = [], -1
        for g in found:
            furthest = max(furthest, g.end)
            ends.append(furthest)
        reach[rule_id] = ([g.start for g in found], ends)

    def overlaps(rule_id: str, f: EngineFinding) -> bool:
        if rule_id not in reach:
            return False
        starts, ends = reach[rule_id]
        i = bisect_left(starts, f.end)
        return bool(i) and ends[i - 1] > f.start

    def yields(f: EngineFinding) -> bool:
        for target in f.rule.yields_to:
            if "." in target:
                if overlaps(target, f):
                    return True
            elif target in categories[f.sent_start] and target != f.rule.category:
                return True
        return False

    return [f for f in findings if not f.rule.yields_to or not yields(f)]


SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}


REPEAT_WORDS = 2  # a repeated block this short is a section label, not a repeated claim
_SENTENCE_END = re.compile(r"[.!?…][\"'\u201d\u2019)\]]*$")  # a sentence, not a title line


def without_repeats(doc: Document, findings: list[EngineFinding],
                     by: Callable[[EngineFinding], str] = lambda f: f.rule.id,
                     droppable: Callable[[EngineFinding], bool] = lambda f: True) -> list[EngineFinding]:
    """One claim, one finding, across repeated title lines: a block without closing
    punctuation that repeats an earlier block word for word (a page's title repeated as its
    first heading, a banner shown twice) says what the earlier one said; a rule that fired in
    the earlier block is not reported again in the copy. A short label repeated ("Patient
    stories" over two sections, REPEAT_WORDS words or fewer) names each section anew, and a
    sentence written twice in the copy is a second claim (a baseline reports it as new): both
    are reported each time. ``by`` names what must have fired in the earlier block (the rule;
    the claim finder asks for the category), and only ``droppable`` findings are dropped."""
    blocks = doc.blocks
    if len(blocks) < 2 or not findings:
        return findings
    first: dict[str, int] = {}  # a block's text -> the index of its first occurrence
    fired: set[tuple[str, int]] = set()  # (rule id, block index) of kept findings
    spans = sorted(((doc.block_index(f.start), f) for f in findings),
                   key=lambda bf: (-1 if bf[0] is None else bf[0], bf[1].start))
    keys: dict[int, str | None] = {}  # block index -> its words joined (None: a short label)
    kept = []
    for bi, f in spans:
        if bi is not None:
            if bi not in keys:
                words = doc.text[blocks[bi].start:blocks[bi].end].split()
                keys[bi] = (" ".join(words) if len(words) > REPEAT_WORDS
                            and not _SENTENCE_END.search(words[-1]) else None)
            key = keys[bi]
            if key is None:
                kept.append(f)
                continue
            origin = first.setdefault(key, bi)
            if origin != bi and (by(f), origin) in fired and droppable(f):
                continue
            fired.add((by(f), bi))
        kept.append(f)
    return kept


def _one_per_claim(findings: list[EngineFinding]) -> list[EngineFinding]:
    """One claim, one finding: of the findings of one category whose spans overlap ("cures
    Parkinson" is both a cure and a treatment claim), keep the most severe, then the most
    specific (the shortest match)."""
    ranked = sorted(findings, key=lambda f: (SEVERITY_RANK.get(f.rule.severity, 3),
                                             f.end - f.start, f.start, f.rule.id))
    kept: list[EngineFinding] = []
    # per category, the spans kept so far: disjoint, so sorted by start they are sorted by
    # end too, and only the last one starting before a new span's end can overlap it
    spans: dict[str, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for f in ranked:
        starts, ends = spans[f.rule.category]
        i = bisect_left(starts, f.end)
        if i and ends[i - 1] > f.start:
            continue
        starts.insert(i, f.start)
        ends.insert(i, f.end)
        kept.append(f)
    return kept


ANSWER_WORDS = 8  # a yes this short takes its question's words as its own
# an answer that says yes, at most a few words in ("In short, yes", "Simply put: yes")
_YES = re.compile(r"[\s\"'\u201c\u2018*]{0,6}(?:(?:in\s+short|in\s+a\s+word|simply\s+put|"
                  r"the\s+(?:short\s+)?answer\s+is)\s*[,:\u2014\u2013-]?\s*)?"
                  r"(?:yes|absolutely|definitely|certainly)\b[^.!?\n]{0,200}", re.IGNORECASE)


def _yes_answer(text: str, question_end: int) -> tuple[int, int] | None:
    """The sentence right after a question, if it is a bare yes: its text range. A longer
    answer ("Yes, it is legal in Colombia and regulated by...") says what it asserts itself,
    and the rules judge it on its own words."""
    m = _YES.match(text, question_end, question_end + 260)
    if m is None or len(m.group().split()) > ANSWER_WORDS:
        return None
    start = question_end + len(m.group()) - len(m.group().lstrip(" \t\n\r\"'\u201c\u2018*"))
    end = m.end()
    if end < len(text) and text[end] in ".!?":
        end += 1
    return start, end


def _inside_word_pieces(nlp) -> frozenset[str]:  # noqa: ANN001
    """Letter runs that the tokenizer's exceptions cut out of a longer word ("cannot" ->
    "can" + "not"): anchors equal to one may start right after a letter."""
    pieces = set()
    for key, tokens in nlp.tokenizer.rules.items():
        pos = 0
        for tok in tokens:
            text = tok.get(65, "") if isinstance(tok, dict) else ""  # 65 = ORTH
            text = text or tok.get("ORTH", "") if isinstance(tok, dict) else text
            at = key.find(text, pos) if text else -1
            # a run of letters that follows a letter of the key ("not" of "cannot"; not
            # "re" of "we're", which follows the apostrophe)
            pieces.update(r.group().lower() for r in re.finditer(r"[^\W\d_]+", text)
                          if at >= 0 and at + r.start() > 0 and key[at + r.start() - 1].isalpha())
            if at >= 0:
                pos = at + len(text)
    return frozenset(pieces)


def _lemmatized(token: dict) -> dict:
    """A token spec whose LEMMA values are run through the pipeline's lemmatizer, so rule
    authors can write "amazing" or "exosomes" and match every form the pipeline lemmatizes
    the same way."""
    value = token.get("LEMMA")
    if isinstance(value, str):
        return {**token, "LEMMA": lemma_of(value)}
    if isinstance(value, dict):
        value = {op: [lemma_of(v) for v in vs] if op in ("IN", "NOT_IN") and isinstance(vs, list)
                 else vs for op, vs in value.items()}
        return {**token, "LEMMA": value}
    return token


@cache
def _compiled(source: str) -> regex.Pattern:
    """A rule's regex as every pattern is matched: case-insensitive, compiled once."""
    import regex

    return regex.compile(source, regex.IGNORECASE | regex.V0)


def _leads(rule: Rule, lead: str) -> bool:
    """Is ``lead`` one of the rule's ``list_leads`` ("Ideal candidates", "Who we treat")?"""
    try:
        return any(_compiled(rx).search(lead, timeout=REGEX_TIMEOUT) for rx in rule.list_leads)
    except TimeoutError:
        return False


class _Regexes(dict):
    """Entry key -> its compiled regex, compiled on first use (a saved plan means every
    regex compiled before); ``in`` answers for every regex entry, compiled or not."""

    def __init__(self) -> None:
        super().__init__()
        self.source: dict[str, str] = {}

    def __contains__(self, key: object) -> bool:
        return key in self.source

    def __missing__(self, key: str) -> regex.Pattern:
        compiled = self[key] = _compiled(self.source[key])
        return compiled


def _text_tests(spelled: dict[str, list[frozenset[str]]], formulas: dict[str, str]
                ) -> dict[str, str]:
    """Entry key -> an expression over ``t``, a window's lower-cased text, true wherever the
    entry can match there: one of each spelled-out part's words, and a regex's formula."""
    tests: dict[str, list[str]] = defaultdict(list)
    for key, parts in spelled.items():
        tests[key] += ["(" + " or ".join(f"{w!r} in t" for w in sorted(part)) + ")"
                       for part in parts]
    for key, formula in formulas.items():
        tests[key].append(formula)
    return {key: " and ".join(parts) for key, parts in tests.items() if parts}


SPLIT_TESTS = 60  # a regex whose formula makes more tests is also tested by alternative


def _formula_size(pattern: str) -> int:
    """How many literals a regex's formula tests (when they all fail)."""
    return (regex_formula(pattern) or "").count(" in t")


def _grouped(alternatives: list[tuple[frozenset[str], frozenset[str], str | None]]
             ) -> list[tuple[frozenset[str], str | None]]:
    """A regex's alternatives (``regex_alternatives``) with the same anchor set joined:
    each set with the formulas of its alternatives joined by ``or`` (None: one of them has
    no literal to test, so the set's presence is all there is to check)."""
    by_set: dict[frozenset[str], list[str | None]] = {}
    for anchors, _inside, formula in alternatives:
        by_set.setdefault(anchors, []).append(formula)
    return [(anchors, None if None in formulas else " or ".join(f"({f})" for f in dict.fromkeys(formulas)))
            for anchors, formulas in by_set.items()]


class _Alternatives:
    """The window test of a regex of alternatives: true where the formula of an alternative
    holds whose anchor set was found in the window (a window without any anchor of an
    alternative cannot hold a match of it, so its formula is not tested there)."""

    def __init__(self, groups: list[tuple[frozenset[str], str | None]]) -> None:
        self.by_anchor: dict[str, list[int]] = defaultdict(list)
        for i, (anchors, _) in enumerate(groups):
            for anchor in anchors:
                self.by_anchor[anchor].append(i)
        self.anchors = frozenset(self.by_anchor)
        self.tests = _TextTests({i: f for i, (_, f) in enumerate(groups) if f is not None})
        self.untested = {i for i, (_, f) in enumerate(groups) if f is None}

    def __call__(self, found: set[str], lower: str) -> bool:
        present = self.anchors.intersection(found)
        groups = self.by_anchor[next(iter(present))] if len(present) == 1 else \
            set().union(*map(self.by_anchor.__getitem__, present))
        tests = self.tests
        return any(i in self.untested or tests[i](lower) for i in groups)


class _TextTests(dict):
    """Entry key -> its ``_text_tests`` expression as a function of a window's lower-cased
    text, compiled on first use (the expressions hold only quoted literals, ``in``, ``and``
    and ``or``)."""

    def __init__(self, source: dict[str, str]) -> None:
        super().__init__()
        self.source = source
        self._by_source: dict[str, object] = {}

    def __missing__(self, key: str):  # noqa: ANN204 - a compiled test
        source = self.source[key]
        test = self._by_source.get(source)
        if test is None:  # entries with the same test share one function
            test = self._by_source[source] = eval(compile(f"lambda t: {source}", "<formula>", "eval"))
        self[key] = test
        return test


class _Words:
    """The words a pattern names literally (a regex: any word in its source)."""

    def __init__(self, words: set[str], source: str = "") -> None:
        self.words, self.source = words, source

    def __contains__(self, word: str) -> bool:
        return word in self.words or bool(self.source) and word in self.source


def _literal_words(pattern: Pattern) -> _Words:
    if pattern.kind in ("phrase", "lemma"):
        words = set(pattern.value.lower().split())
        return _Words(words | {f for w in words for f in forms_of(w)} if pattern.kind == "lemma" else words)
    if pattern.kind == "regex":
        return _Words(set(), pattern.value.lower())
    words: set[str] = set()
    for token in pattern.value:
        words |= _token_literals(token) or set()
    return _Words(words)


def _required(token: dict) -> bool:
    """Whether a token spec must match at least once ("+", "{2}", "{1,3}", no operator)."""
    op = token.get("OP")
    if op in (None, "+"):
        return True
    if isinstance(op, str) and op.startswith("{") and not op.startswith("{,"):
        return int(op[1:].split(",")[0].rstrip("}") or 0) >= 1
    return False


def _token_literals(token: dict) -> set[str] | None:
    """Literal strings a token matching this spec must contain. The spec's LEMMA values are
    lemmas already (``_lemmatized``): lemmatizing them again would be wrong where the lemma
    of a lemma is another word ("better" -> "well" -> "good": the forms of "good" leave out
    "best")."""
    for attr in LITERAL_KEYS:
        if attr not in token:
            continue
        value = token[attr]
        values = [value] if isinstance(value, str) else (
            value.get("IN") if isinstance(value, dict) else None)
        if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
            continue
        if attr == "LEMMA":
            return set().union(*(forms_of(v) | {v.lower()} for v in values))
        return {v.lower() for v in values}
    return None


COMMON = frozenset({"the", "and", "our", "you", "your", "for", "with", "are", "was", "can",
                    "will", "all", "any", "not", "but", "has", "have", "had", "its", "this",
                    "that", "from", "they", "their", "been", "were", "is", "be", "of", "to",
                    "in", "on", "at", "as", "an", "or", "if", "it", "we", "us", "no", "so",
                    "do", "my", "me", "he", "by", "up", "am", "go", "one", "who", "may"})


SPELLED_MAX = 24  # a larger word set costs more to look for than the window it may save


def _exact_parts(pattern: Pattern) -> list[set[str] | None]:
    """A token pattern's required parts whose tokens are spelled out (ORTH/TEXT/LOWER
    values; not lemmas, whose forms come from a table): one of those words is in the text
    wherever the pattern matches."""
    return [_token_literals({k: v for k, v in token.items() if k != "LEMMA"})
            for token in pattern.value if _required(token)]


def _spelled_parts(parts: list[set[str] | None], requires: list[frozenset[str]]
                   ) -> list[frozenset[str]]:
    """The spelled-out required parts of a phrase or token pattern that are no anchor (their
    words are too common, like "no" or "we", or have no letters, like "100"): one of each
    part's words must still be in a window, lower-cased, for the pattern to match there."""
    return [frozenset(w.lower() for w in part) for part in parts
            if part and len(part) <= SPELLED_MAX
            and frozenset(letter_anchor(w) for w in part) not in requires]


def _in_order(requires: list[frozenset[str]], hits: list[tuple[str, ...]]) -> bool:
    """Whether the anchor ``hits`` of a window (in text order) hold one anchor of each of
    ``requires`` in that order, each at a later place than the one before. The words of a
    phrase or token pattern are matched in order, so a window where they only occur in
    another order ("results are not guaranteed" for "guaranteed results") cannot match."""
    i = 0
    for anchors in hits:
        if not requires[i].isdisjoint(anchors):
            i += 1
            if i == len(requires):
                return True
    return False


def _requirements(parts: list[set[str] | None], pieces: frozenset[str] = frozenset()
                  ) -> list[frozenset[str]]:
    """The anchor sets worth searching for: sets with a one-letter anchor or a very common
    word would hit nearly everywhere, so they are left out (losing selectivity, never a
    match) unless nothing better exists. Anchors only hit at the start of a word, so two
    letters ("ms") are selective enough. A set holding a piece the tokenizer cuts out of
    longer words (``pieces``: "re" of "theyre") must be searched for inside every word
    ("re" of "are", "more", "care"), so it is left out too when another set remains (a
    phrase or token pattern's words are then tested as text: ``_spelled_parts``)."""
    sets = []
    for part in parts:
        anchors = {letter_anchor(a) for a in part or ()}
        if part and None not in anchors:
            sets.append(frozenset(anchors))
    good = [s for s in sets if all(len(a) >= 2 and a not in COMMON for a in s)]
    word_start = [s for s in good if s.isdisjoint(pieces)]
    if word_start:
        return word_start
    if good:
        return good
    fallback = [s for s in sets if all(len(a) >= 2 for a in s)]
    return fallback[:1]
