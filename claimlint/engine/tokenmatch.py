"""Token patterns matched word by word, with spaCy's Matcher's answers.

Every test a token pattern of the rule pack makes (``ORTH``/``TEXT``, ``LOWER`` and
``LEMMA`` equal to a value, ``IN`` or ``NOT_IN`` a list; ``IS_ALPHA``, ``LIKE_NUM``) depends
on the word alone: this pipeline's lemma is a lookup of the lower-cased word. So each
distinct word is looked up once per process into a bit mask of the tests it passes (one
dictionary look-up per attribute, whatever the number of patterns or the length of their
lists), and each pattern runs as a small automaton over state bit sets, only from the
tokens that can start it. spaCy's Matcher runs every pattern from every token and calls a
Python predicate per ``IN`` list; this finds the same ``(key, start, end)`` set (a test
compares the two on random patterns with every operator) at a fraction of the cost.
Patterns using anything else (``SHAPE``, ``REGEX``, ...) are left to spaCy's Matcher
(``supported``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field

FIELDS = {"ORTH": 0, "TEXT": 0, "LOWER": 1, "LEMMA": 2}  # word facts: orth, lower, lemma
FLAGS = {"IS_ALPHA": 3, "LIKE_NUM": 4}  # ... is_alpha, like_num
MAX_WORDS = 200_000  # words whose masks are kept (bounded memory on any input)
MAX_FITS = 20_000  # per pattern: words whose steps are kept

# what a word id stands for: (orth, lower, lemma, is_alpha, like_num)
Facts = tuple[str, str, str, bool, bool]


def word_facts(number_words: frozenset[str]) -> Callable[[str], Facts]:
    """What a word stands for, from its text (claimlint.lite's tokens are their words)."""
    from claimlint import lite

    def facts(word: str) -> Facts:
        low = word.lower()
        return word, low, lite.lemma(low), word.isalpha(), lite.like_num(word, number_words)

    return facts


def lexeme_facts(vocab) -> Callable[[int], Facts]:  # noqa: ANN001 - a spaCy Vocab
    """What an orth id of spaCy's stands for, from its lexeme (the pipeline's lemma is the
    lookup of the lower-cased word: ``claimlint.nlp``)."""
    from claimlint.nlp import lemma_of

    def facts(orth: int) -> Facts:
        lex = vocab[orth]
        return lex.orth_, lex.lower_, lemma_of(lex.lower_), lex.is_alpha, lex.like_num

    return facts


def supported(spec: list[dict]) -> bool:
    """Whether every test and operator of a token pattern is one this matcher makes."""
    for token in spec:
        for attr, value in token.items():
            if attr == "OP":
                if not _valid_op(value):
                    return False
            elif attr in FLAGS:
                if value not in (True, False):  # spaCy compares flags to 0 and 1
                    return False
            elif attr not in FIELDS:
                return False
            elif isinstance(value, dict):
                if not value or any(op not in ("IN", "NOT_IN") or not isinstance(vs, list)
                                    or not all(isinstance(v, str) for v in vs)
                                    for op, vs in value.items()):
                    return False
            elif not isinstance(value, str):
                return False
    return True


def _valid_op(op: object) -> bool:
    return op in (None, "1", "?", "*", "+", "!") or (
        isinstance(op, str) and re.fullmatch(r"\{\d*,?\d*\}", op) is not None and op != "{,}")


def _ops(op: str | None) -> tuple[str, ...]:
    """spaCy's ``_get_operators``: one of "1" (one), "?" (zero or one), "*" (any), "!"
    (none) per pattern step."""
    if op is None or op == "1":
        return ("1",)
    if op in ("*", "?", "!"):
        return (op,)
    if op == "+":
        return ("1", "*")
    low_s, high_s = re.fullmatch(r"\{(\d*),?(\d*)\}", op).groups()
    if "," not in op:
        high_s = low_s
    low = int(low_s or 0)
    return ("1",) * low + (("?",) * (int(high_s) - low) if high_s else ("*",))


@dataclass
class _Pattern:
    """One pattern's steps as bit sets: step ``s`` is bit ``s``, bit ``n`` is "matched"."""

    key: str
    order: int
    reqs: list[int]  # per step: the test bits a word must have
    bang: int  # steps with op "!" (a word that fails the step is taken)
    star: int  # steps with op "*" (stay after taking a word)
    closure: list[int]  # per step: the steps reached from it without taking a word
    done: int  # the bit of "matched"
    first: int  # test bits one of which a word starting a match has (0: any word)
    fits: dict[Hashable, int] = field(default_factory=dict)  # word id -> steps it can take
    after: dict[int, int] = field(default_factory=dict)  # steps taken -> steps reached


class TokenMatcher:
    """All the token patterns of an engine, matched in a window of word ids.

    ``facts`` tells what a word id (a spaCy orth hash, or the word itself) stands for.
    """

    def __init__(self, specs: dict[str, list[dict]], facts: Callable[[Hashable], Facts]) -> None:
        self._facts = facts
        self._tests: dict[tuple, int] = {}  # (kind, field, values) -> bit
        self._equal = [{}, {}, {}]  # per field: value -> bits of the IN tests holding it
        self._unequal = [{}, {}, {}]  # per field: value -> bits of the NOT_IN tests holding it
        self._not_in = 0  # bits of every NOT_IN test
        self._flag = {}  # (flag, value) -> bits
        self._masks: dict[Hashable, int] = {}
        self._patterns = {key: self._compile(key, i, spec) for i, (key, spec) in enumerate(specs.items())}

    def __contains__(self, key: str) -> bool:
        return key in self._patterns

    def __len__(self) -> int:
        return len(self._patterns)

    def _test(self, kind: str, where: int, values: Iterable) -> int:
        """The bit of one test, added the first time it is met (tests are shared)."""
        values = frozenset(values) if kind != "flag" else bool(values)
        name = (kind, where, values)
        bit = self._tests.get(name)
        if bit is None:
            bit = self._tests[name] = 1 << len(self._tests)
            if kind == "flag":
                self._flag[(where, values)] = self._flag.get((where, values), 0) | bit
            else:
                table = self._equal[where] if kind == "in" else self._unequal[where]
                for v in values:
                    table[v] = table.get(v, 0) | bit
                if kind == "not_in":
                    self._not_in |= bit
        return bit

    def _compile(self, key: str, order: int, spec: list[dict]) -> _Pattern:
        reqs, ops = [], []
        for token in spec:
            req = 0
            for attr, value in token.items():
                if attr == "OP":
                    continue
                if attr in FLAGS:
                    req |= self._test("flag", FLAGS[attr], value)
                elif isinstance(value, dict):
                    for op, values in value.items():
                        req |= self._test("in" if op == "IN" else "not_in", FIELDS[attr], values)
                else:
                    req |= self._test("in", FIELDS[attr], (value,))
            for op in _ops(token.get("OP")):
                reqs.append(req)
                ops.append(op)
        n = len(reqs)
        closure = []
        for i in range(n + 1):
            reach = 1 << i
            while i < n and ops[i] in ("?", "*"):
                i += 1
                reach |= 1 << i
            closure.append(reach)
        bang = sum(1 << s for s, op in enumerate(ops) if op == "!")
        star = sum(1 << s for s, op in enumerate(ops) if op == "*")
        # a word can start a match only if it passes one positive test of a step it may
        # take first; a step with none (only NOT_IN or flags, or "!") lets any word start
        first, negative = 0, self._not_in | sum(self._flag.values())
        for s in range(n):
            if closure[0] >> s & 1:
                positive = reqs[s] & ~negative
                if not positive or ops[s] == "!":
                    first = 0
                    break
                first |= positive
        return _Pattern(key, order, reqs, bang, star, closure, 1 << n, first)

    def mask(self, word: Hashable) -> int:
        """The bits of the tests ``word`` passes (looked up once per word)."""
        m = self._masks.get(word)
        if m is None:
            if len(self._masks) >= MAX_WORDS:
                self._masks.clear()
                for p in self._patterns.values():
                    p.fits.clear()
            orth, lower, lemma, alpha, num = self._facts(word)
            eq, ne = self._equal, self._unequal
            m = (eq[0].get(orth, 0) | eq[1].get(lower, 0) | eq[2].get(lemma, 0)
                 | self._flag.get((3, alpha), 0) | self._flag.get((4, num), 0)
                 | self._not_in & ~(ne[0].get(orth, 0) | ne[1].get(lower, 0) | ne[2].get(lemma, 0)))
            self._masks[word] = m
        return m

    def __call__(self, words: list, lo: int, hi: int, keys: Iterable[str]) -> list[tuple[str, int, int]]:
        """Every ``(key, start, end)`` of the patterns ``keys`` in ``words[lo:hi]`` (Doc
        positions), ordered by start, end and the order the patterns were given in."""
        mask = self.mask
        masks = [mask(w) for w in words[lo:hi]]
        found: list[tuple[int, int, int, str]] = []
        for key in keys:
            p = self._patterns[key]
            first = p.first
            for i, m in enumerate(masks):
                if first and not m & first:
                    continue
                for end in self._ends(p, words, masks, i, hi - lo, lo):
                    found.append((lo + i, lo + end, p.order, key))
        found.sort()
        return [(key, s, e) for s, e, _o, key in found]

    @staticmethod
    def _ends(p: _Pattern, words: list, masks: list[int], start: int, n: int, lo: int) -> list[int]:
        """Where matches of ``p`` starting at ``start`` end (each end once, ascending)."""
        ends = []
        states, pos = p.closure[0], start
        fits, after, done = p.fits, p.after, p.done
        while pos < n:
            word = words[lo + pos]
            fit = fits.get(word)
            if fit is None:
                if len(fits) >= MAX_FITS:
                    fits.clear()
                m, fit = masks[pos], 0
                for s, req in enumerate(p.reqs):
                    if (m & req == req) != bool(p.bang >> s & 1):
                        fit |= 1 << s
                fits[word] = fit
            taken = states & fit
            if not taken:
                break
            states = after.get(taken)
            if states is None:
                states = 0
                for s in range(len(p.reqs)):
                    if taken >> s & 1:
                        states |= p.closure[s if p.star >> s & 1 else s + 1]
                after[taken] = states
            pos += 1
            if states & done:
                ends.append(pos)
        return ends
