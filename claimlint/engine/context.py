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
from functools import lru_cache
from typing import TYPE_CHECKING

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


def _list_comma(doc, i: int, end: int) -> bool:  # noqa: ANN001
    """A comma inside a list ("orthopedic, neurologic or anti-aging use"): another comma or
    a coordinating "and"/"or" follows within a few words."""
    for j in range(i + 1, min(i + 5, end)):
        tok = doc[j]
        if tok.text == "," or tok.lower_ in ("and", "or", "&"):
            return j > i + 1
        if tok.is_punct:
            return False
    return False


def _is_boundary(doc, i: int, end: int, commas: bool) -> bool:  # noqa: ANN001
    tok = doc[i]
    if tok.lower_ in CONTRAST or tok.text == ";":
        return True
    if not commas or tok.text not in CLAUSE_PUNCT:
        return False
    return not (tok.text == "," and _list_comma(doc, i, end))


def _clause_bounds(sent: Span, start: int, end: int, *, commas: bool) -> tuple[int, int]:
    """Token range of the clause around ``[start, end)`` (absolute token indices), at most
    REACH tokens before and AFTER after the match; with ``commas``, a comma ends the clause
    unless it separates the items of a list."""
    doc = sent.doc
    lo = start
    first = max(sent.start, start - REACH)
    while lo > first and not _is_boundary(doc, lo - 1, sent.end, commas):
        lo -= 1
    hi = end
    last = min(sent.end, end + AFTER)
    while hi < last and not _is_boundary(doc, hi, sent.end, commas):
        hi += 1
    return lo, hi


def is_negator(doc, i: int) -> bool:  # noqa: ANN001
    """A negation word, except in "not only", "isn't the only", "no doubt", "non-stop"."""
    tok = doc[i]
    if tok.lower_ not in DET_NEGATORS and not _verb_negator(tok.lower_):
        return False
    following = [doc[j].lower_ for j in range(i + 1, min(i + 3, len(doc)))]
    if following[:1] and following[0] in NOT_NEGATING_NEXT:
        return False
    return not (len(following) == 2 and following[0] in ("the", "a") and following[1] == "only")


def _negates_subject(doc, i: int) -> bool:  # noqa: ANN001
    """ "No stem cell product is approved for ...": a determiner negator opening its clause
    and followed soon by a verb negates the whole predicate, like "not"."""
    if doc[i].lower_ not in ("no", "none", "nothing", "neither") or (
            i > 0 and not doc[i - 1].is_punct and not doc[i - 1].is_sent_start and not doc[i].is_sent_start):
        return False
    return any(t.lemma_ in ("be", "have", "can", "will", "do", "may", "should", "must")
               for t in doc[i + 1:i + 7])


def _reaches(doc, i: int, start: int) -> bool:  # noqa: ANN001
    """Whether the negator at token ``i`` scopes over a match starting at ``start``."""
    between = doc[i + 1:start]
    if doc[i].lower_ in DET_NEGATORS and not _negates_subject(doc, i):
        return len(between) <= DET_SCOPE and not any(
            t.lower_ in ("and", "or") or t.is_punct and t.text != "-" for t in between)
    if len(between) > VERB_SCOPE and not _negates_subject(doc, i):
        return False
    return not any(t.lower_ in ("and", "or") and t.i + 1 < len(doc)
                   and doc[t.i + 1].lower_ in NEW_SUBJECT for t in between)


def negated(sent: Span, start: int, end: int, literal: Callable[[str], bool] = lambda w: True) -> bool:
    """A negator scoping over the match from before it in its clause, one just after it
    ("results are not guaranteed", "guaranteed results are not something we offer"), or one
    inside it that the pattern does not name ("insurance does not cover": the pattern left a
    gap there; in "no side effects" the "no" is the pattern's own word, the claim itself), or
    a limit said of the match ("evidence supporting it is limited"). Two negators cancel out
    ("not without risk"); coordinated ones are one ("cannot and do not guarantee")."""
    doc = sent.doc
    lo, hi = _clause_bounds(sent, start, end, commas=True)
    before = [i for i in range(lo, start) if is_negator(doc, i) and _reaches(doc, i, start)]
    # coordinated negators are one negation: "we cannot and do not guarantee"
    count = sum(1 for k, i in enumerate(before) if k == 0 or not any(
        doc[t].lower_ in ("and", "or", "nor") for t in range(before[k - 1] + 1, i)))
    count += sum(1 for i in range(start + 1, end) if is_negator(doc, i)
                 and doc[i].lower_ != "non" and not literal(doc[i].lower_))
    j = end
    while j < hi and j < end + 4 and doc[j].lemma_ in AUXILIARIES:
        j += 1
    negator_after = j < hi and j > end and _verb_negator(doc[j].lower_) and is_negator(doc, j)
    if negator_after or _limited_after(doc, end, hi):
        count += 1
    return count % 2 == 1 or count >= 2 and _match_negative(doc, start, end)


def _limited_after(doc, end: int, hi: int) -> bool:  # noqa: ANN001
    """ "Evidence supporting its efficacy is limited": a limit word after a form of "be"
    within a few words of the match, in its clause."""
    seen_be = False
    for k in range(end, min(hi, end + 7)):
        if doc[k].lemma_ == "be":
            seen_be = True
        elif seen_be and doc[k].lower_ in LIMITS:
            return True
    return False


def _match_negative(doc, start: int, end: int) -> bool:  # noqa: ANN001
    return any(is_negator(doc, i) for i in range(start, end))


@lru_cache(maxsize=1)
def warn_phrases() -> re.Pattern:
    """WARN_PHRASES_SOURCE compiled (on first use: a run with no claim never needs it)."""
    return re.compile(WARN_PHRASES_SOURCE, re.IGNORECASE)


def warned(sent: Span, lead: str = "", text: str | None = None) -> bool:
    """The sentence (or the list's lead-in) warns against the claim or attributes it to
    other clinics: "avoid clinics that promise...", "beware of claims like...".
    ``text``: the sentence's text, when the caller has it (cheaper than ``sent.text``)."""
    rx = warn_phrases()
    return bool(rx.search(sent.text if text is None else text) or (lead and rx.search(lead)))


WH_WORDS = {"what", "which", "how", "whom", "whose"}  # not "why" ("Why risk surgery when...?")
INDIRECT = {"whether"}
ASKING = {"ask", "check", "verify", "confirm", "find", "know", "wonder", "question", "test",
          "see", "learn", "determine", "investigate"}


def indirect_question(sent: Span, start: int) -> bool:
    """The match sits in an indirect question: "ask whether the product is FDA-approved",
    "trials test whether a treatment is safe and effective", "check if it is covered"."""
    doc = sent.doc
    for i in range(max(sent.start, start - REACH), start):
        low = doc[i].lower_
        if low in INDIRECT:
            return True
        if low == "if" and any(doc[j].lemma_ in ASKING for j in range(max(sent.start, i - 3), i)):
            return True
    return False


def question(sent: Span, start: int | None = None, text: str | None = None) -> bool:
    """A real question: ends with "?" and opens with an auxiliary or wh-word, or an
    indirect one before the match; rhetorical openers ("Did you know...?", "Want
    guaranteed results?") stay claims."""
    if start is not None and indirect_question(sent, start):
        return True
    text = (sent.text if text is None else text).rstrip(" \"'”’)")
    if not text.endswith("?"):
        return False
    words = []
    for t in sent:  # the first six words are all the test needs
        if not t.is_punct and not t.is_space:
            words.append(t)
            if len(words) == 6:
                break
    if not words:
        return False
    # opened by an auxiliary or wh-word, or a wh-word soon after ("In the treatment of what
    # diseases can stem cells be used?")
    if words[0].lower_ not in INTERROGATIVES and not any(t.lower_ in WH_WORDS for t in words[1:6]):
        return False
    return not RHETORICAL.search(text)


SENTENCE_WIDE = frozenset({"warned"})  # checks that do not depend on where the match is
CHECKS = {  # (sentence, match start, match end, lead-in, literal word?, sentence text)
    "negated": lambda sent, s, e, lead, literal, text: negated(sent, s, e, literal),
    "warned": lambda sent, s, e, lead, literal, text: warned(sent, lead, text),
    "question": lambda sent, s, e, lead, literal, text: question(sent, s, text),
}
