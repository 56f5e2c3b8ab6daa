"""Claim-aware context: is a match negated, warned against, or asked?

Each check looks at the tokens of the sentence around a match, with its own scope:
negation reaches to the nearest clause boundary, a warning or an attribution to other clinics
covers the sentence (and a list's lead-in sentence), and a question is a whole sentence asked
with an interrogative opening. A hedge ("may help", "has the potential to") cancels nothing: a
seller's hedged claim is still a claim (FDA's intended use, the FTC's net impression), and an
explainer's page is recognised as a whole (claimlint.pagekind).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from claimlint import lite

if TYPE_CHECKING:
    from spacy.tokens import Span

# Verb negators reach back through their clause ("n\u2019t": web copy's curly apostrophe, as in
# "don\u2019t", which spaCy splits like "don't"); determiner negators ("no guarantee",
# "no clinic can guarantee") only cover the few words of their noun phrase.
VERB_NEGATORS = {"not", "n't", "n\u2019t", "never", "cannot", "unable", "nt", "rarely", "seldom", "hardly",
                 "barely"}
DET_NEGATORS = {"no", "none", "nothing", "nobody", "neither", "nor", "without", "non"}
NEGATORS = VERB_NEGATORS | DET_NEGATORS
# spaCy splits "doesn't" into "does" + "n't" but leaves capitals whole ("DOESN'T", "HASN’T")
_CONTRACTED = ("n't", "n\u2019t")


def _verb_negator(low: str) -> bool:
    return low in VERB_NEGATORS or low.endswith(_CONTRACTED)


# said of the matched words right after them, these take the claim back like "not":
# "evidence supporting its use is limited", "results are preliminary"
LIMITS = {"limited", "preliminary", "lacking", "insufficient", "inconclusive", "unclear", "mixed",
          "weak", "unproven", "unknown", "uncertain", "anecdotal", "scarce", "sparse"}
DET_SCOPE = 4
VERB_SCOPE = 7
# how far the checks look from a match: a sentence with no punctuation for thousands of words
# (a scraped menu, a hostile page) must not cost time in proportion to its length per match
REACH = 40  # tokens back for a negated subject or an indirect question
AFTER = 8  # tokens after the match: a negator or limit just after it (4 and 7 words)
NEW_SUBJECT = {"we", "you", "they", "it", "our", "your", "their", "the", "this", "these",
               "results", "patients", "i", "he", "she", "most", "many"}
NOT_NEGATING_NEXT = {"only", "just", "merely", "doubt", "wonder", "matter", "longer", "less",
                     "more"}
AUXILIARIES = {"be", "can", "will", "would", "should", "do", "have", "could", "may", "might",
               "must", "shall", "always", "ever", "necessarily", "truly", "actually"}
CONTRAST = {"but", "however", "although", "though", "yet", "whereas", "while", "unlike",
            "except", "instead"}
CLAUSE_PUNCT = {",", ";", ":", "—", "–", "(", ")", "--"}
WARN_PHRASES_SOURCE = (
    r"\b(?:beware|wary|cautious|careful|caution|skeptical|sceptical|suspicious|"
    r"warns?|warned|warning|warnings|red flags?|watch out|steer clear|"
    r"too good to be true|scams?|fraud(?:ulent)?|unscrupulous|predatory|illegitimate|"
    r"dubious|rogue)\b"
    r"|\b(?:real|biggest|actual|main|greatest|serious)\s+(?:\w+\s+)?dangers?\b"
    r"|\bavoid(?:ing|s)? (?:any |all |the )?(?:clinics?|providers?|compan(?:y|ies)|claims?|"
    r"promises?|practitioners?|businesses|anyone|those|offers?|ads?|advertis\w+|marketing|"
    r"websites?|sellers?|centers?|centres?|doctors?|unproven)"
    r"|\b(?:misleading|deceptive|false|unproven|unsupported|unsubstantiated|exaggerated|"
    r"unrealistic|bogus|fake|illegal) (?:\w+ )?(?:claims?|promises?|marketing|advertising|"
    r"ads?|statements?|language|assurances?)\b"
    r"|\b(?:some|other|many|certain|unregulated|overseas|offshore|these|those|such|any) "
    r"(?:\w+ ){0,2}(?:clinics|providers|companies|businesses|websites|practitioners|sellers|"
    r"marketers|centers|centres|ads|advertisements|doctors)\b"
    r"|\b(?:clinics|providers|companies|businesses|websites|practitioners|sellers|marketers|"
    r"ads|advertisements) (?:often |sometimes |also |may |might |frequently |commonly |may also )?"
    r"(?:that|who|which|claiming|promising|offering|advertising|touting|"
    r"selling|marketing|making|using|say|claim|promise)\b"
    r"|\b(?:a|any) (?:clinic|provider|company|website|practitioner|seller|doctor) "
    r"(?:that|who|which|claiming|promising|offering|advertising|touting)\b"
    r"|\b(?:claims?|promises?|phrases?|words|language|terms) (?:like|such as|of|that)\b"
    r"|\b(?:fda|ftc|isscr|regulators?|the agency) (?:has |have )?(?:warn|caution|says?|"
    r"states?|advises?|notes?|reminds?|cited|cites|found)\w*"
    # distance from the claim: the writer reports what others sell, not what it offers
    r"|\b(?:supposedly|purportedly|purported|allegedly|so-called)\b"
    r"|\b(?:marketed|promoted|touted|hyped|billed)\s+as\b"
)
INTERROGATIVES = {"is", "are", "was", "were", "do", "does", "did", "can", "could", "will",
                  "would", "should", "shall", "may", "might", "what", "how", "when", "where",
                  "who", "which", "whom", "whose", "has", "have", "had", "am", "isn't",
                  "aren't", "doesn't", "don't", "won't", "can't"}
RHETORICAL = re.compile(r"^(?:did|do) you (?:know|hear)\b|^(?:are|is) you\w* (?:ready|tired)",
                        re.IGNORECASE)


class Tokens:
    """The tokens of one sentence (or of the part of it the checks of its matches can
    reach), as plain lists of what the checks read of each token, so a check walking the
    words around a match reads list items, not spaCy Token objects made one ``doc[i]`` at
    a time. Indices are local: token ``i`` of the document is item ``i - base``;
    ``start``/``end`` bound the sentence (they may lie outside the lists). Built from a
    spaCy Doc or a claimlint.lite one alike, once per sentence that has a match."""

    def __init__(self, doc, lo: int, hi: int, start: int, end: int) -> None:  # noqa: ANN001
        self.doc, self.base, self.start, self.end = doc, lo, start - lo, end - lo
        self._lo, self._hi = lo, hi
        # spaCy's Token objects, made once; each list below is read off them when a check
        # first needs it (claimlint.lite keeps its tokens as lists already: sliced)
        self._tokens = None if isinstance(doc, lite.Doc) else list(doc[lo:hi])

    def _column(self, name: str, attr: str) -> list:
        if self._tokens is None:
            return getattr(self.doc, name)[self._lo:self._hi]
        return [getattr(t, attr) for t in self._tokens]

    @cached_property
    def text(self) -> list[str]:
        return self._column("words", "text")

    @cached_property
    def lower(self) -> list[str]:
        return self._column("lower", "lower_")

    @cached_property
    def lemma(self) -> list[str]:
        return self._column("lemma", "lemma_")

    @cached_property
    def punct(self) -> list[bool]:
        return self._column("punct", "is_punct")

    @cached_property
    def space(self) -> list[bool]:
        return [w.isspace() for w in self.text]

    @cached_property
    def may_negate(self) -> bool:
        """Whether any of these tokens is a negator or a limit word: where none is,
        ``negated`` is false for every match, with nothing to walk."""
        lower = self.lower
        if not (NEGATORS.isdisjoint(lower) and LIMITS.isdisjoint(lower)):
            return True
        joined = "\0".join(lower)  # a contraction ends a token ("DOESN'T")
        return any(c in joined for c in _CONTRACTED)

    @cached_property
    def sent_start(self) -> list[bool]:
        return self._column("sent_start", "is_sent_start")

    @cached_property
    def idx(self) -> list[int]:
        return self._column("idx", "idx")

    def span(self, start: int, end: int) -> tuple[int, int, str]:
        """Local tokens ``[start, end)``: their first and end character offsets, and their
        lemmas joined by spaces."""
        if self._tokens is None:
            idx, text = self.idx, self.text
            return idx[start], idx[end - 1] + len(text[end - 1]), " ".join(self.lemma[start:end])
        tokens = self._tokens
        last = tokens[end - 1]
        return (tokens[start].idx, last.idx + len(last.text),
                " ".join(t.lemma_ for t in tokens[start:end]))

    @classmethod
    def of_sentence(cls, doc, start: int, end: int) -> Tokens:  # noqa: ANN001
        """The sentence ``[start, end)`` of ``doc`` with the tokens the checks may read
        around it: one before (is it punctuation, a sentence start?) and up to MARGIN after
        (a negator's next words, a determiner's verb)."""
        return cls(doc, max(0, start - 1), min(len(doc), end + MARGIN), start, end)

    @classmethod
    def around(cls, doc, start: int, end: int, first: int, last: int) -> Tokens:  # noqa: ANN001
        """Like ``of_sentence``, but only the tokens that the checks of matches within
        ``[first, last)`` of that sentence can read: REACH (and a few) before, AFTER (and
        a few) after. A sentence thousands of words long costs what its matches need."""
        return cls(doc, max(0, start - 1, first - REACH - 4),
                   min(len(doc), end + MARGIN, last + AFTER + 4), start, end)

    @classmethod
    def of_span(cls, sent: Span) -> Tokens:
        return cls.of_sentence(sent.doc, sent.start, sent.end)

    def whole(self) -> Tokens:
        """These tokens, or the whole sentence's if they are only part of it."""
        if self.start >= 0 and self.end <= len(self.lower):
            return self
        return Tokens.of_sentence(self.doc, self.base + self.start, self.base + self.end)


MARGIN = 8  # tokens after a sentence the checks may read (is_negator: 2; _negates_subject: 6)


def _list_comma(toks: Tokens, i: int, end: int) -> bool:
    """A comma inside a list ("orthopedic, neurologic or anti-aging use"): another comma or
    a coordinating "and"/"or" follows within a few words."""
    text, lower, punct = toks.text, toks.lower, toks.punct
    for j in range(i + 1, min(i + 5, end)):
        if text[j] == "," or lower[j] in ("and", "or", "&"):
            return j > i + 1
        if punct[j]:
            return False
    return False


def _is_boundary(toks: Tokens, i: int, end: int, commas: bool) -> bool:
    text = toks.text[i]
    if toks.lower[i] in CONTRAST or text == ";":
        return True
    if not commas or text not in CLAUSE_PUNCT:
        return False
    return not (text == "," and _list_comma(toks, i, end))


def _clause_bounds(toks: Tokens, start: int, end: int, *, commas: bool) -> tuple[int, int]:
    """Token range of the clause around ``[start, end)`` (local token indices), at most
    REACH tokens before and AFTER after the match; with ``commas``, a comma ends the clause
    unless it separates the items of a list."""
    lo = start
    first = max(toks.start, start - REACH)
    while lo > first and not _is_boundary(toks, lo - 1, toks.end, commas):
        lo -= 1
    hi = end
    last = min(toks.end, end + AFTER)
    while hi < last and not _is_boundary(toks, hi, toks.end, commas):
        hi += 1
    return lo, hi


def _is_negator(toks: Tokens, i: int) -> bool:
    lower = toks.lower
    low = lower[i]
    if low not in DET_NEGATORS and not _verb_negator(low):
        return False
    following = lower[i + 1:i + 3]
    if following[:1] and following[0] in NOT_NEGATING_NEXT:
        return False
    return not (len(following) == 2 and following[0] in ("the", "a") and following[1] == "only")


def is_negator(doc, i: int) -> bool:  # noqa: ANN001
    """A negation word, except in "not only", "isn't the only", "no doubt", "non-stop"."""
    return _is_negator(Tokens(doc, i, min(len(doc), i + 3), i, i + 1), 0)


def _negates_subject(toks: Tokens, i: int) -> bool:
    """ "No stem cell product is approved for ...": a determiner negator opening its clause
    and followed soon by a verb negates the whole predicate, like "not"."""
    if toks.lower[i] not in ("no", "none", "nothing", "neither") or (
            i + toks.base > 0 and not toks.punct[i - 1] and not toks.sent_start[i - 1]
            and not toks.sent_start[i]):
        return False
    return any(lemma in ("be", "have", "can", "will", "do", "may", "should", "must")
               for lemma in toks.lemma[i + 1:i + 7])


def _reaches(toks: Tokens, i: int, start: int) -> bool:
    """Whether the negator at token ``i`` scopes over a match starting at ``start``."""
    lower = toks.lower
    between = range(i + 1, start)
    if lower[i] in DET_NEGATORS and not _negates_subject(toks, i):
        text, punct = toks.text, toks.punct
        return len(between) <= DET_SCOPE and not any(
            lower[t] in ("and", "or") or punct[t] and text[t] != "-" for t in between)
    if len(between) > VERB_SCOPE and not _negates_subject(toks, i):
        return False
    n = len(lower)
    return not any(lower[t] in ("and", "or") and t + 1 < n
                   and lower[t + 1] in NEW_SUBJECT for t in between)


def negated(sent: Span, start: int, end: int, literal: Callable[[str], bool] = lambda w: True) -> bool:
    """A negator scoping over the match from before it in its clause, one just after it
    ("results are not guaranteed", "guaranteed results are not something we offer"), or one
    inside it that the pattern does not name ("insurance does not cover": the pattern left a
    gap there; in "no side effects" the "no" is the pattern's own word, the claim itself), or
    a limit said of the match ("evidence supporting it is limited"). Two negators cancel out
    ("not without risk"); coordinated ones are one ("cannot and will not promise").
    ``start``/``end``: token indices in ``sent.doc``."""
    toks = Tokens.of_span(sent)
    return negated_tokens(toks, start - toks.base, end - toks.base, literal)


def negated_tokens(toks: Tokens, start: int, end: int,
                   literal: Callable[[str], bool] = lambda w: True) -> bool:
    """``negated`` on a sentence's token lists (``start``/``end`` local)."""
    if not toks.may_negate:
        return False
    lower = toks.lower
    lo, hi = _clause_bounds(toks, start, end, commas=True)
    before = [i for i in range(lo, start) if _is_negator(toks, i) and _reaches(toks, i, start)]
    # coordinated negators are one negation: "we cannot and will not promise"
    count = sum(1 for k, i in enumerate(before) if k == 0 or not any(
        lower[t] in ("and", "or", "nor") for t in range(before[k - 1] + 1, i)))
    count += sum(1 for i in range(start + 1, end) if _is_negator(toks, i)
                 and lower[i] != "non" and not literal(lower[i]))
    j = end
    lemma = toks.lemma
    while j < hi and j < end + 4 and lemma[j] in AUXILIARIES:
        j += 1
    negator_after = j < hi and j > end and _verb_negator(lower[j]) and _is_negator(toks, j)
    if negator_after or _limited_after(toks, end, hi):
        count += 1
    return count % 2 == 1 or count >= 2 and _match_negative(toks, start, end)


def _limited_after(toks: Tokens, end: int, hi: int) -> bool:
    """ "Evidence supporting its efficacy is limited": a limit word after a form of "be"
    within a few words of the match, in its clause."""
    seen_be = False
    for k in range(end, min(hi, end + 7)):
        if toks.lemma[k] == "be":
            seen_be = True
        elif seen_be and toks.lower[k] in LIMITS:
            return True
    return False


def _match_negative(toks: Tokens, start: int, end: int) -> bool:
    return any(_is_negator(toks, i) for i in range(start, end))


@lru_cache(maxsize=1)
def warn_phrases() -> re.Pattern:
    """WARN_PHRASES_SOURCE compiled (on first use: a run with no claim never needs it)."""
    return re.compile(WARN_PHRASES_SOURCE, re.IGNORECASE)


@lru_cache(maxsize=1)
def _warn_phrases_lower() -> re.Pattern:
    """WARN_PHRASES_SOURCE (all lower case) for lower-cased ASCII text: the same answers as
    ``warn_phrases`` there, three times as fast as matching with IGNORECASE."""
    return re.compile(WARN_PHRASES_SOURCE)


def warned(sent: Span, lead: str = "", text: str | None = None) -> bool:
    """The sentence (or the list's lead-in) warns against the claim or attributes it to
    other clinics: "avoid clinics that promise...", "beware of claims like...".
    ``text``: the sentence's text, when the caller has it (cheaper than ``sent.text``)."""
    return warned_text(sent.text if text is None else text, lead)


def warned_text(text: str, lead: str = "") -> bool:
    """``warned`` on the sentence's text."""
    return _warns(text) or bool(lead) and _warns(lead)


def _warns(text: str) -> bool:
    if text.isascii():
        return _warn_phrases_lower().search(text.lower()) is not None
    return warn_phrases().search(text) is not None


OPENERS = {"so", "and", "but", "well", "now", "then", "ok", "okay", "also", "or"}  # before a question
WH_WORDS = {"what", "which", "how", "whom", "whose"}  # not "why" ("Why risk surgery when...?")
INDIRECT = {"whether"}
ASKING = {"ask", "check", "verify", "confirm", "find", "know", "wonder", "question", "test",
          "see", "learn", "determine", "investigate"}


def indirect_question(sent: Span, start: int) -> bool:
    """The match sits in an indirect question: "ask whether the product is FDA-approved",
    "trials test whether a treatment is safe and effective", "check if it is covered"."""
    toks = Tokens.of_span(sent)
    return _indirect_question(toks, start - toks.base)


def _indirect_question(toks: Tokens, start: int) -> bool:
    lower, lemma = toks.lower, toks.lemma
    for i in range(max(toks.start, start - REACH), start):
        low = lower[i]
        if low in INDIRECT:
            return True
        if low == "if" and any(lemma[j] in ASKING for j in range(max(toks.start, i - 3), i)):
            return True
    return False


def question(sent: Span, start: int | None = None, text: str | None = None) -> bool:
    """A real question: ends with "?" and opens with an auxiliary or wh-word, or an
    indirect one before the match; rhetorical openers ("Did you know...?", "Want
    guaranteed results?") stay claims."""
    toks = Tokens.of_span(sent)
    return question_tokens(toks, None if start is None else start - toks.base,
                           sent.text if text is None else text)


def question_tokens(toks: Tokens, start: int | None, text: str) -> bool:
    """``question`` on a sentence's token lists (``start`` local; ``text``: the sentence's)."""
    if start is not None and _indirect_question(toks, start):
        return True
    text = text.rstrip(" \"'”’)")
    if not text.endswith("?"):
        return False
    words = []
    toks = toks.whole()  # its first words, however far the match is from them
    punct, space = toks.punct, toks.space
    for i in range(toks.start, toks.end):  # the first six words are all the test needs
        if not punct[i] and not space[i]:
            words.append(toks.lower[i])
            if len(words) == 6:
                break
    while len(words) > 1 and words[0] in OPENERS:  # "So, is it safe?", "And what about cost?"
        words = words[1:]
    if not words:
        return False
    # opened by an auxiliary or wh-word, or a wh-word soon after ("In the treatment of what
    # diseases can stem cells be used?")
    if words[0] not in INTERROGATIVES and not any(w in WH_WORDS for w in words[1:6]):
        return False
    return not RHETORICAL.search(text)


SENTENCE_WIDE = frozenset({"warned"})  # checks that do not depend on where the match is
CHECKS = {  # (sentence's tokens, match start, end (local), lead-in, literal word?, sentence text)
    "negated": lambda toks, s, e, lead, literal, text: negated_tokens(toks, s, e, literal),
    "warned": lambda toks, s, e, lead, literal, text: warned_text(text, lead),
    "question": lambda toks, s, e, lead, literal, text: question_tokens(toks, s, text),
}
