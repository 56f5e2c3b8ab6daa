"""The fast path: find candidate sentences without spaCy.

Every pattern has at least one *anchor*, a literal string that any text it matches must
contain (a token of a phrase, every surface form of a lemma, a required literal of a
regex). One case-insensitive regex over all anchors finds the hits; only the sentences
around hits go through spaCy. Anchors are substrings, so no match the rules would make is
lost; a pattern with no anchor makes the engine look at every sentence.
"""

from __future__ import annotations

import re
import warnings
from bisect import bisect_left
from functools import lru_cache
from itertools import accumulate, chain, islice

try:  # Python 3.11+
    import re._constants as sre_constants
    import re._parser as sre_parse
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

MIN_ANCHOR = 2


def trie_regex(words: set[str]) -> str:
    """A regex alternation of ``words`` factored as a trie (much faster than a flat list)."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = True

    def emit(node: dict) -> str:
        end = "" in node
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        if len(branches) == 1 and not end:
            return branches[0]
        body = "(?:" + "|".join(branches) + ")"
        return body + "?" if end else body

    return emit(trie)


def _parse(pattern: str, flags: int = 0):  # noqa: ANN202 - the stdlib's parse tree
    """The standard library's parse of ``pattern``; FutureWarning ("possible nested set") is
    raised: ``[[:alpha:]]`` is a POSIX class to the ``regex`` module the rules run on, but a
    set of characters and a literal "]" to this parser, which would make up anchors."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        return sre_parse.parse(pattern, flags)


def regex_anchors(pattern: str) -> set[str] | None:
    """Runs of letters one of which every match of ``pattern`` contains, or None: of the
    regex's required literal runs and groups, the one that occurs least in real text
    (``claimlint.engine.rarity``).

    Uses the standard library's regex parser; patterns it cannot parse (``regex``-only
    syntax) get no anchors and are run on every sentence.
    """
    found = _regex_anchor_info(pattern)
    return set(found[0]) if found else None


def inside_word_anchors(pattern: str) -> set[str]:
    """The anchors of ``regex_anchors(pattern)`` that a match may hold right after a
    letter ("surgical" in ``(?:non)?-?surgical`` matching "nonsurgical"): the prefilter must
    look for those inside words too, not only where a word starts (at every place, also
    inside another anchor's hit: ``Prefilter``)."""
    found = _regex_anchor_info(pattern)
    return set(found[1]) if found else set()


@lru_cache(maxsize=4096)
def _regex_anchor_info(pattern: str) -> tuple[frozenset[str], frozenset[str]] | None:
    """``regex_anchors`` and those of them that may not start a word (each regex is parsed
    once, though the plan asks for both)."""
    try:
        parsed = _parse(pattern, re.IGNORECASE)
    except (re.error, OverflowError, RecursionError, FutureWarning):
        return None
    return min(_seq_candidates(list(parsed)), key=_candidate_cost, default=None)


def _candidate_cost(candidate: tuple[frozenset[str], frozenset[str]]) -> float:
    from claimlint.engine.rarity import set_cost

    return set_cost(*candidate)


def _seq_candidates(items: list, word_start: bool = False
                    ) -> list[tuple[frozenset[str], frozenset[str]]]:
    """Every anchor set a sequence requires: each run of letters (two or more) in its
    literal text, and each required group's sets (a group of alternatives gives one set:
    each alternative's rarest, joined), with those of its anchors that may follow a letter
    (``word_start``: the sequence itself begins where no letter can precede it)."""
    out: list[tuple[frozenset[str], frozenset[str]]] = []
    run, run_start = "", word_start
    after_nonletter = word_start  # no letter can come right before the current place

    def flush() -> None:
        for m in LETTERS.finditer(run.lower()):
            if len(m[0]) >= MIN_ANCHOR:  # a run after a non-letter of the literal starts a word
                out.append((frozenset({m[0]}), frozenset({m[0]}) if m.start() == 0 and not run_start
                            else frozenset()))

    for op, av in items:
        if op is sre_constants.LITERAL:
            if not run:
                run_start = after_nonletter
            run += chr(av)
            after_nonletter = _after(op, av, after_nonletter)
            continue
        flush()
        run = ""
        if op is sre_constants.SUBPATTERN:
            out += _seq_candidates(list(av[-1]), after_nonletter)
        elif op is sre_constants.BRANCH:
            alts = [_seq_candidates(list(b), after_nonletter) for b in av[1]]
            if all(alts):
                picks = [min(a, key=_candidate_cost) for a in alts]
                out.append((frozenset().union(*(a for a, _ in picks)),
                            frozenset().union(*(i for _, i in picks))))
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT) and av[0] >= 1:
            out += _seq_candidates(list(av[2]), after_nonletter)
        elif op is sre_constants.IN and _single_letter(av):
            run, run_start = _single_letter(av), after_nonletter
        after_nonletter = _after(op, av, after_nonletter)
    flush()
    return out


# characters rare in copy: a regex needing one is tested for it (``regex_formula``)
MARKS = frozenset('"\u201c\u201d%&#+~\u00b1?!:;()')

# words in nearly every window: testing for them costs a scan and rules nothing out
FORMULA_SKIP = frozenset({"the", "of", "and", "to", "in", "is", "are", "was", "were", "be", "an",
                          "for", "with", "on", "at", "as", "by", "or", "it", "this", "that"})


@lru_cache(maxsize=4096)
def regex_formula(pattern: str, lookarounds: bool = False, marks: bool = False) -> str | None:
    """A Python expression over ``t``, a window's lower-cased text, that is true wherever
    ``pattern`` can match in it: the literal runs the regex needs, joined by ``and`` along
    a sequence and ``or`` across alternatives (``('stem' in t and 'cell' in t)``). Where it
    is false no regex search is needed to know the regex finds nothing. None when the
    regex needs no literal, or the standard parser rejects it. With ``lookarounds``, what a
    positive lookahead or lookbehind needs is needed too: a regex runs on one sentence, so
    what its lookarounds see lies in that sentence (``^(?=.*\\bdrugs?\\b)`` needs "drug").
    With ``marks``, a required character of MARKS counts as a literal too: a quotation
    mark (``[\u201c"]``) rules out nearly every window of plain copy at the cost of a
    one-character scan."""
    try:
        parsed = _parse(pattern, re.IGNORECASE)
    except (re.error, OverflowError, RecursionError, FutureWarning):
        return None
    formula = _seq_formula(list(parsed), lookarounds, marks)
    return formula and simplified_formula(formula)


def simplified_formula(formula: str) -> str:
    """``formula`` (literals ``'x' in t`` joined by ``and``/``or``) with the tests that
    cannot change its value left out, in the same order: a literal inside one known to
    be there (after ``'walks' in t and``, ``'walk' in t`` is true), one holding a literal
    known not to be there (after ``'walk' in t or``, ``'walks' in t`` is false), and in one
    ``or`` a literal holding another (``'walks' in t or 'walk' in t`` is ``'walk' in t``;
    in one ``and``, the other way round). It is true on exactly the texts ``formula`` is
    true on; it makes fewer scans of the text (a window is tested against many formulas)."""
    import ast

    tree = _simplify(ast.parse(formula, mode="eval").body, frozenset(), frozenset())
    return formula if isinstance(tree, bool) else ast.unparse(tree)


def _literal(node) -> str | None:  # noqa: ANN001 - an ast node
    """The ``x`` of a formula's ``'x' in t``, else None."""
    import ast

    if isinstance(node, ast.Compare) and isinstance(node.left, ast.Constant):
        return node.left.value
    return None


def _simplify(node, present: frozenset[str], absent: frozenset[str]):  # noqa: ANN001, ANN202
    """``node`` given literals known ``present`` and ``absent`` where it is evaluated:
    an ast node, or True or False when its value is known."""
    import ast

    lit = _literal(node)
    if lit is not None:
        if any(lit in known for known in present):
            return True
        if any(known in lit for known in absent):
            return False
        return node
    if not isinstance(node, ast.BoolOp):  # pragma: no cover - formulas hold nothing else
        return node
    conj = isinstance(node.op, ast.And)
    kept = []
    for child in node.values:  # each is evaluated only if the ones before did not decide
        child = _simplify(child, present, absent)
        if child is (not conj):
            return child  # an "or" with a true part, an "and" with a false one
        if child is conj:
            continue
        kept.append(child)
        if (lit := _literal(child)) is not None:
            present, absent = (present | {lit}, absent) if conj else (present, absent | {lit})
    lits = [_literal(c) for c in kept]
    # in an "and", a literal inside another is implied by it; in an "or", a literal holding
    # another implies it
    kept = [c for c, a in zip(kept, lits) if a is None or not any(
        b is not None and b != a and ((a in b) if conj else (b in a)) for b in lits)]
    if not kept:
        return conj
    return kept[0] if len(kept) == 1 else ast.BoolOp(node.op, kept)


def _seq_formula(items: list, lookarounds: bool = False, marks: bool = False) -> str | None:
    """All of a sequence's literal runs and required groups (None: nothing required), with
    ``lookarounds`` those of its positive lookarounds, with ``marks`` its MARKS."""
    parts: list[str] = []
    run = ""

    def flush() -> None:
        if len(run.strip()) >= 2 and run.strip().lower() not in FORMULA_SKIP \
                or marks and len(run.strip()) == 1 and run.strip() in MARKS:
            parts.append(f"{run.lower()!r} in t")

    for op, av in items:
        letter = _single_letter(av) if op is sre_constants.IN else ""
        if op is sre_constants.LITERAL or letter:
            run += letter or chr(av)
            continue
        flush()
        run = ""
        sub = None
        if op is sre_constants.SUBPATTERN:
            sub = _seq_formula(list(av[-1]), lookarounds, marks)
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT) and av[0] >= 1:
            sub = _seq_formula(list(av[2]), lookarounds, marks)
        elif op is sre_constants.ASSERT and lookarounds:
            sub = _seq_formula(list(av[1]), lookarounds, marks)
        elif op is sre_constants.IN and marks and av and all(
                o is sre_constants.LITERAL and chr(v) in MARKS for o, v in av):
            sub = " or ".join(f"{c!r} in t" for c in sorted({chr(v) for _, v in av}))
            sub = f"({sub})" if len(av) > 1 else sub
        elif op is sre_constants.BRANCH:
            alternatives = [_seq_formula(list(b), lookarounds, marks) for b in av[1]]
            if all(alternatives):
                sub = "(" + " or ".join(dict.fromkeys(alternatives)) + ")"
        if sub:
            parts.append(sub)
    flush()
    if not parts:
        return None
    # the cheapest and likeliest to fail first: single literals, the longest first, then
    # groups, the shortest first (a group of fewer alternatives costs fewer tests and is
    # likelier to fail)
    parts = sorted(dict.fromkeys(parts),
                   key=lambda p: (p.startswith("("), len(p) if p.startswith("(") else -len(p)))
    return parts[0] if len(parts) == 1 else "(" + " and ".join(parts) + ")"


def _after(op, av, before: bool) -> bool:  # noqa: ANN001 - one branch per node kind
    """Whether no letter can come right before the place after this item, given whether
    none could before it (conservative: False when unsure)."""
    if op is sre_constants.LITERAL:
        return not chr(av).isalpha()
    if op is sre_constants.AT:
        return str(av) in ("AT_BOUNDARY", "AT_BEGINNING", "AT_BEGINNING_STRING") or before
    if op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
        return before  # a lookaround consumes nothing
    if op is sre_constants.IN:
        return _no_letter_class(av)
    if op is sre_constants.SUBPATTERN:
        return _seq_after(list(av[-1]), before)
    if op is sre_constants.BRANCH:
        return all(_seq_after(list(b), before) for b in av[1])
    if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
        body = list(av[2])
        taken = _seq_after(body, before) and _seq_after(body, False)  # any iteration's end
        return taken and (av[0] >= 1 or before)
    return False


def _seq_after(items: list, before: bool) -> bool:
    for op, av in items:
        before = _after(op, av, before)
    return before


_NO_LETTER_CATEGORIES = {"CATEGORY_SPACE", "CATEGORY_DIGIT", "CATEGORY_NOT_WORD"}


def _no_letter_class(av: list) -> bool:
    """Whether a character class (``[\\s-]``, ``\\s``) certainly holds no letter."""
    for op, value in av:
        if op is sre_constants.LITERAL:
            if chr(value).isalpha():
                return False
        elif op is sre_constants.CATEGORY:
            if str(value) not in _NO_LETTER_CATEGORIES:
                return False
        else:  # a range, a negated class: unsure
            return False
    return True


_POSITIONAL = {"AT_BEGINNING", "AT_BEGINNING_LINE", "AT_BEGINNING_STRING", "AT_END",
               "AT_END_LINE", "AT_END_STRING"}


def position_sensitive(pattern: str) -> bool:
    """Whether a regex can match differently in a window than in a sentence: anchors
    (``^``, ``$``, ``\\A``) and lookarounds depend on where the text starts. Word
    boundaries do not (windows end at spaces). Unparseable patterns count as sensitive."""
    try:
        parsed = _parse(pattern)
    except (re.error, OverflowError, RecursionError, FutureWarning):
        return True

    def walk(items) -> bool:  # noqa: ANN001
        for op, av in items:
            name = str(op)
            if name in ("ASSERT", "ASSERT_NOT"):
                return True
            if name == "AT" and str(av) in _POSITIONAL:
                return True
            for sub in (av if isinstance(av, (list, tuple)) else ()):
                if isinstance(sub, sre_parse.SubPattern) and walk(list(sub)):
                    return True
                if isinstance(sub, (list, tuple)):
                    for inner in sub:
                        if isinstance(inner, sre_parse.SubPattern) and walk(list(inner)):
                            return True
        return False

    return walk(list(parsed))


_CATEGORIES = {"CATEGORY_DIGIT": r"\d", "CATEGORY_NOT_DIGIT": r"\D", "CATEGORY_SPACE": r"\s",
               "CATEGORY_NOT_SPACE": r"\S", "CATEGORY_WORD": r"\w", "CATEGORY_NOT_WORD": r"\W"}


class _Unrelaxable(Exception):
    pass


def relaxed(pattern: str) -> str | None:
    """``pattern`` without its anchors (``^``, ``$``, ``\\A``) and lookarounds, or None if
    it uses syntax this cannot rewrite or nothing literal is left. Dropping a zero-width
    condition only widens what a regex matches, so where the relaxed regex finds nothing in
    a window the pattern finds nothing in any sentence of it: a position-sensitive regex
    can still rule windows out before spaCy sees them."""
    try:
        parsed = _parse(pattern)
        dotall = bool(parsed.state.flags & re.DOTALL)
        if parsed.state.flags & re.ASCII:
            return None
        source = _unparse(_without_leading_optional(list(parsed)), dotall)
    except (re.error, OverflowError, RecursionError, FutureWarning, _Unrelaxable):
        return None
    return source if regex_anchors(source) else None  # nothing left to look for: ".+"


def _without_leading_optional(items: list) -> list:
    """Drop what may match nothing at the start of a pattern (and of each top-level
    alternative): once anchors are gone, a leading ``.*`` or ``\\W*`` only makes the
    search try every place, and where the rest matches the whole did too."""
    items = [(op, av) for op, av in items if str(op) not in ("ASSERT", "ASSERT_NOT")
             and not (str(op) == "AT" and str(av) in _POSITIONAL)]
    while items and str(items[0][0]) in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") \
            and items[0][1][0] == 0:
        items = items[1:]
    if len(items) == 1 and str(items[0][0]) == "BRANCH":
        op, (_, branches) = items[0]
        return [(op, (None, [_without_leading_optional(list(b)) for b in branches]))]
    if len(items) == 1 and str(items[0][0]) == "SUBPATTERN" and not (items[0][1][1] or items[0][1][2]):
        return _without_leading_optional(list(items[0][1][3]))
    return items


def _char(code: int) -> str:
    ch = chr(code)
    return ch if ch.isalnum() or ch == " " else "\\" + ch if ch.isprintable() else f"\\U{code:08x}"


def _unparse(items: list, dotall: bool) -> str:  # noqa: C901 - one branch per node kind
    out = []
    for op, av in items:
        name = str(op)
        if name == "LITERAL":
            out.append(_char(av))
        elif name == "NOT_LITERAL":
            out.append(f"[^{_char(av)}]")
        elif name == "ANY":
            out.append(r"[\s\S]" if dotall else ".")
        elif name == "IN":
            out.append("[" + "".join(_class_item(o, a) for o, a in av) + "]")
        elif name == "CATEGORY":
            out.append(_category(av))
        elif name == "BRANCH":
            out.append("(?:" + "|".join(_unparse(list(b), dotall) for b in av[1]) + ")")
        elif name == "SUBPATTERN":
            if av[1] or av[2]:
                raise _Unrelaxable  # scoped flags
            out.append("(?:" + _unparse(list(av[3]), dotall) + ")")
        elif name == "ATOMIC_GROUP":
            out.append("(?:" + _unparse(list(av), dotall) + ")")
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, sub = av
            body = "(?:" + _unparse(list(sub), dotall) + ")"
            bound = "" if high == sre_constants.MAXREPEAT else str(high)
            lazy = "?" if name == "MIN_REPEAT" else ""
            out.append(f"{body}{{{low},{bound}}}{lazy}")
        elif name == "AT":
            if str(av) == "AT_BOUNDARY":
                out.append(r"\b")
            elif str(av) == "AT_NON_BOUNDARY":
                out.append(r"\B")
            elif str(av) not in _POSITIONAL:
                raise _Unrelaxable
        elif name in ("ASSERT", "ASSERT_NOT"):
            continue
        else:  # back-references and the like
            raise _Unrelaxable
    return "".join(out)


def _class_item(op, av) -> str:  # noqa: ANN001
    name = str(op)
    if name == "LITERAL":
        return _char(av)
    if name == "RANGE":
        return f"{_char(av[0])}-{_char(av[1])}"
    if name == "CATEGORY":
        return _category(av)
    if name == "NEGATE":
        return "^"
    raise _Unrelaxable


def _category(code) -> str:  # noqa: ANN001
    try:
        return _CATEGORIES[str(code)]
    except KeyError:
        raise _Unrelaxable from None


def _single_letter(av: list) -> str:
    """A character class like ``[Ss]`` that is one letter ignoring case."""
    chars = {chr(v).lower() for op, v in av if op is sre_constants.LITERAL}
    if len(chars) == 1 and all(op is sre_constants.LITERAL for op, _ in av):
        return chars.pop()
    return ""


LETTERS = re.compile(r"[^\W\d_]+")


def letter_anchor(anchor: str) -> str | None:
    """The longest run of letters in an anchor: it occurs wherever the anchor does."""
    runs = LETTERS.findall(anchor.lower())
    return max(runs, key=len) if runs else None


WORD_RUN = re.compile(r"[^\W\d_]+")
FEW_FREE = 64  # inside-word hits in one text that are inserted one by one, not sorted in
SCAN_BYTES = 2_000_000  # text scanned word by word before the anchor regex pays for itself


class Prefilter:
    """Finds anchor hits in document text, each with every anchor that occurs there.

    Anchors are runs of letters, searched in lower-cased text where no letter precedes
    them (tokens start there), except ``inside_words`` anchors, which the tokenizer can cut
    out of a longer word ("cannot" gives "not") or a regex can match inside one: those are
    looked for at every place, also inside a word-start anchor's hit ("leukemia" where
    "leuk" starts the word; "itis" inside "arthritis"). A hit is a place where an anchor
    starts: a word start for any anchor, anywhere for an inside-word one; it carries every
    anchor that is a prefix of the longest one found there.

    Two word-start anchors cannot overlap (each starts after a non-letter and holds only
    letters), so one left-to-right search finds them all; the inside-word anchors, which
    may overlap anything, are found by a second search, ``str.find`` for each (or, where
    they are many, a regex that looks at every place without consuming text), and the two
    lists are merged. The hits depend only on the anchor set
    and the text: never on which other anchors a pattern change adds or drops nearby.

    Two ways give the same hits: a table of the words seen so far (each word's hits
    worked out once), and the two regexes, faster per megabyte but costing tens of
    milliseconds to compile. The table serves the first SCAN_BYTES of text a process
    scans (a small file never compiles the regexes), unless they were compiled already
    (``compile``: before worker processes fork); the regexes, the rest.
    """

    def __init__(self, anchors: set[str], inside_words: frozenset[str] = frozenset()) -> None:
        self.anchors = {a.lower() for a in anchors if a}
        self._free = {a for a in self.anchors if a in inside_words}
        self._longest = max(map(len, self.anchors), default=0)
        self._regex: re.Pattern | None = None
        self._free_regex: re.Pattern | None = None  # where inside-word hits are many
        self._regex_ci: tuple[re.Pattern, re.Pattern | None] | None = None  # rarely needed
        self._prefixes: dict[str, tuple[str, ...]] = {}
        self._words: dict[str, tuple[tuple[int, tuple[str, ...]], ...]] = {}
        self._scanned = 0

    def compile(self) -> None:
        """Compile the anchor regexes now (before forking workers, which then share them)."""
        _ = self.regex

    @property
    def regex(self) -> re.Pattern:
        """Every anchor at a word start, on lower-cased text, as one group (for ``split``;
        compiled on first use, with the inside-word search)."""
        if self._regex is None:
            self._regex = re.compile(self._word_starts())
        return self._regex

    def _word_starts(self) -> str:
        """Every anchor where no letter precedes it, as group 1."""
        return r"(?<![^\W\d_])(" + (trie_regex(self.anchors) if self.anchors else r"(?!x)x") + ")"

    def hits(self, text: str, start: int = 0, end: int | None = None
             ) -> list[tuple[int, tuple[str, ...]]]:
        """(offset, anchors starting there) for every hit in ``text[start:end]``."""
        end = len(text) if end is None else end
        part = text[start:end]
        low = part.lower()
        if len(low) == len(part) and self._regex is None and self._scanned < SCAN_BYTES:
            self._scanned += len(part)
            return self._word_hits(low, start)
        if len(low) != len(part):  # a few characters change length when lower-cased
            return self._hits_ci(part, start)
        # split, not finditer: the hits and the text between them come back at C speed
        # (no match object per hit), and their offsets are the running sums of lengths
        pieces = self.regex.split(low)
        words = pieces[1::2]
        starts = islice(accumulate(map(len, pieces), initial=start), 1, None, 2)
        if self._free:
            free = self._free_hits(low, start)
            if 0 < len(free) <= FEW_FREE:  # inside words, so never where a word-start hit
                # is: a few are put in their places, more merged by sorting
                starts = list(starts)
                for place, word in sorted(free):
                    i = bisect_left(starts, place)
                    starts.insert(i, place)
                    words.insert(i, word)
            elif free:  # (sorting the places alone: 5x faster than sorting the pairs)
                at = dict(zip(starts, words))
                at.update(free)
                starts = sorted(at)
                words = list(map(at.__getitem__, starts))
        anchors = list(map(self._prefixes.get, words))
        if None in anchors:
            anchors = [a if a is not None else self._anchors_in(w) for w, a in zip(words, anchors)]
        return list(zip(starts, anchors))

    def _free_hits(self, low: str, start: int) -> list[tuple[int, str]]:
        """(offset, longest inside-word anchor there) for every place after a letter where
        one starts, as ``_inside_search`` finds them: each inside-word anchor is looked for
        with ``str.find`` (a fast substring search; these anchors are few and rare inside
        words), its places kept where a letter comes before. Where they are many (a short,
        common anchor), one regex finds them faster: ``_inside_search``."""
        places: set[int] = set()
        limit = FEW_FREE + len(low) // 1000
        for anchor in self._free:
            at = low.find(anchor)
            while at >= 0:
                if at and _LETTER.match(low, at - 1):
                    places.add(at)
                at = low.find(anchor, at + 1)
            if len(places) > limit:
                if self._free_regex is None:
                    self._free_regex = re.compile(_inside_search(self._free))
                return [(start + m.start(), m[1]) for m in self._free_regex.finditer(low)]
        return [(start + at, low[at:at + self._longest_at(low, at, self._free)])
                for at in places]

    def _hits_ci(self, part: str, start: int) -> list[tuple[int, tuple[str, ...]]]:
        """``hits`` on text whose lower-casing changes its length: searched ignoring case."""
        if self._regex_ci is None:
            self._regex_ci = (re.compile(self._word_starts(), re.IGNORECASE),
                              re.compile(_inside_search(self._free), re.IGNORECASE)
                              if self._free else None)
        bounded, free = self._regex_ci
        found = [(start + m.start(), m.group().lower()) for m in bounded.finditer(part)]
        if free is not None:
            found = sorted(chain(found, ((start + m.start(), m[1].lower())
                                         for m in free.finditer(part))))
        return [(s, self._anchors_in(w)) for s, w in found]

    def _anchors_in(self, word: str) -> tuple[str, ...]:
        """The anchors that are prefixes of a matched word (the match is the longest)."""
        anchors = self._prefixes.get(word)
        if anchors is None:
            anchors = tuple(word[:i] for i in range(1, len(word) + 1)
                            if word[:i] in self.anchors)
            self._prefixes[word] = anchors
        return anchors

    def _word_hits(self, low: str, start: int) -> list[tuple[int, tuple[str, ...]]]:
        """The regexes' hits, found word by word: letter runs, each looked up once."""
        out: list[tuple[int, tuple[str, ...]]] = []
        add = out.append
        table = self._words
        for m in WORD_RUN.finditer(low):
            found = table.get(m[0])
            if found is None:
                found = table[m[0]] = self._in_word(m[0])
            if found:
                base = start + m.start()
                for at, anchors in found:
                    add((base + at, anchors))
        return out

    def _in_word(self, word: str) -> tuple[tuple[int, tuple[str, ...]], ...]:
        """Hits inside one letter run, as the regexes find them: at its start the longest
        anchor of any kind, and at every place the longest inside-word anchor."""
        found = []
        for i in range(len(word) if self._free else 1):
            size = self._longest_at(word, i, self.anchors if i == 0 else self._free)
            if size:
                found.append((i, self._anchors_in(word[i:i + size])))
        return tuple(found)

    def _longest_at(self, word: str, i: int, anchors: set[str]) -> int:
        for size in range(min(len(word) - i, self._longest), 0, -1):
            if word[i:i + size] in anchors:
                return size
        return 0


def _inside_search(anchors: set[str]) -> str:
    """A regex finding, without consuming text, each place after a letter where one of
    ``anchors`` starts, as group 1 (the longest); the first-letter test comes first: it
    rules out most places fastest."""
    firsts = "".join(sorted({re.escape(a[0]) for a in anchors} | {re.escape(a[0].upper()) for a in anchors}))
    return r"(?=[" + firsts + r"])(?<=[^\W\d_])(?=(" + trie_regex(anchors) + "))"


_TO_LAST_NONLETTER = re.compile(r"[\s\S]*[\W\d_]")  # matched once: ends after the last one
_LETTER = re.compile(r"[^\W\d_]")
WORD_REACH = 64  # how far back the run before a full stop is looked for at first


class SentenceWindows:
    """Splits a block into windows at points where spaCy's sentencizer certainly splits.

    A split needs a lower-case word of three or more letters (not a tokenizer exception
    such as "etc.") ending in ``.``, ``!`` or ``?``, closing quotes, whitespace, then a
    capital, digit or opening quote: spaCy always ends a sentence there, so every spaCy
    sentence lies inside one window and windows without hits can be skipped.
    """

    def __init__(self, exception_words: set[str]) -> None:
        self.exceptions = {w.lower() for w in exception_words}
        # the search starts at the punctuation (a scan for [.!?], fast), the three letters
        # before it checked behind; the word itself is read back from there
        self.regex = re.compile(
            r"[.!?](?<=[^\W\d_]{3}.)[.!?]*[\"'”’)\]]*\s+(?=[\"“‘(\[]?[^\W_a-z])"
        )

    def split(self, text: str, start: int, end: int) -> list[tuple[int, int]]:
        windows, cur = [], start
        for m in self.regex.finditer(text, start, end):
            word = _word_before(text, start, m.start())
            if not word.islower() or word in self.exceptions:
                continue
            if m.end() > cur:
                windows.append((cur, m.end()))
                cur = m.end()
        if cur < end:
            windows.append((cur, end))
        return windows


def _word_before(text: str, start: int, end: int) -> str:
    """The whole run of letters that ends at ``end``; "" if it begins before ``start``
    (a word the block holds only part of, which the block's search never splits at)."""
    low = max(start, end - WORD_REACH)
    m = _TO_LAST_NONLETTER.match(text, low, end)
    if m is None and low > start and _LETTER.match(text, low - 1):
        low = start  # a very long run: read all of it
        m = _TO_LAST_NONLETTER.match(text, low, end)
    if m is None and low > 0 and _LETTER.match(text, low - 1):
        return ""
    return text[m.end() if m else low:end]


def regex_anchor_sets(pattern: str) -> list[tuple[frozenset[str], frozenset[str]]]:
    """Every anchor set ``pattern`` requires (``_seq_candidates``), each once, with its
    anchors that may follow a letter; [] when it needs none or cannot be parsed."""
    try:
        parsed = _parse(pattern, re.IGNORECASE)
    except (re.error, OverflowError, RecursionError, FutureWarning):
        return []
    return list(dict.fromkeys(_seq_candidates(list(parsed))))


MAX_ALTERNATIVES = 64  # a regex is split into at most this many alternatives


def regex_alternatives(pattern: str
                       ) -> list[tuple[frozenset[str], frozenset[str], str | None]] | None:
    """For a regex made of alternatives (groups of them at its top level, as in
    ``\\b(?:A|B|C)\\b``, and in those alternatives, up to MAX_ALTERNATIVES): for each
    alternative, the regex with that alternative in its group's place, as its rarest anchor
    set, those of its anchors that may follow a letter, and its formula (None: no literal
    to test). A window where none of an alternative's anchors was found cannot hold a match
    of that alternative, so only the formulas of the alternatives whose anchors were found
    need testing there. None when the regex has no such group, or one of its alternatives
    no anchor, or an anchor set outside the groups is rarer than theirs together."""
    try:
        items = list(_parse(pattern, re.IGNORECASE))
    except (re.error, OverflowError, RecursionError, FutureWarning):
        return None
    seqs = _alternative_seqs(items)
    if len(seqs) < 2:
        return None
    best = _regex_anchor_info(pattern)
    chosen = best[0] if best else frozenset()

    def added_cost(candidate: tuple[frozenset[str], frozenset[str]]) -> tuple[float, float]:
        # what a set adds to the anchors the regex is searched for anyway, then its own cost
        return _candidate_cost((candidate[0] - chosen, candidate[1])), _candidate_cost(candidate)

    out = []
    for seq in seqs:
        candidates = _seq_candidates(seq)
        if not candidates:
            return None
        anchors, inside = min(candidates, key=added_cost)
        formula = _seq_formula(seq)
        out.append((anchors, inside, formula and simplified_formula(formula)))
    whole = frozenset().union(*(a for a, _, _ in out)), frozenset().union(*(i for _, i, _ in out))
    if best is not None and _candidate_cost(best) < _candidate_cost(whole):
        return None
    return out


def _alternative_seqs(items: list) -> list[list]:
    """``items`` as the sequences it may match: each with one alternative of its largest
    top-level group of alternatives in the group's place, then the same in each of those,
    a level at a time while there are at most MAX_ALTERNATIVES sequences."""
    seqs, changed = [items], True
    while changed:
        changed, out = False, []
        for i, seq in enumerate(seqs):
            at, branches = _largest_group(seq)
            if at is None or len(out) + len(branches) + len(seqs) - i - 1 > MAX_ALTERNATIVES:
                out.append(seq)
                continue
            out += [seq[:at] + list(branch) + seq[at + 1:] for branch in branches]
            changed = True
        seqs = out
    return seqs


def _largest_group(items: list) -> tuple[int | None, list]:
    """The place and alternatives of the top-level group of alternatives with the most."""
    at, branches = None, []
    for i, (op, av) in enumerate(items):
        inner = [(op, av)]
        while len(inner) == 1 and inner[0][0] is sre_constants.SUBPATTERN:
            inner = list(inner[0][1][-1])
        if len(inner) == 1 and inner[0][0] is sre_constants.BRANCH \
                and len(inner[0][1][1]) > len(branches):
            at, branches = i, inner[0][1][1]
    return at, branches
