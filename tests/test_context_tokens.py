"""The context checks read token lists (claimlint.engine.context.Tokens), not spaCy Token
objects: they must answer exactly as the Token-walking code they replaced, for every sentence
and every match, whether the lists hold the whole sentence or only the part around the
matches (``Tokens.around``), and on spaCy and claimlint.lite documents alike. The code
below, up to the tests, is that earlier code, kept as the reference."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from claimlint import lite
from claimlint.engine import context
from claimlint.engine.context import (
    AFTER,
    ASKING,
    AUXILIARIES,
    CLAUSE_PUNCT,
    CONTRAST,
    DET_NEGATORS,
    DET_SCOPE,
    INDIRECT,
    INTERROGATIVES,
    LIMITS,
    NEW_SUBJECT,
    NOT_NEGATING_NEXT,
    REACH,
    RHETORICAL,
    VERB_SCOPE,
    WH_WORDS,
    Tokens,
    _verb_negator,
)
from claimlint.nlp import get_nlp

Span = object

# -- the reference: the checks as they were, walking doc[i] -------------------------------

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


def ref_is_negator(doc, i: int) -> bool:  # noqa: ANN001
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


def ref_negated(sent: Span, start: int, end: int, literal: Callable[[str], bool] = lambda w: True) -> bool:
    """A negator scoping over the match from before it in its clause, one just after it
    ("results are not guaranteed", "guaranteed results are not something we offer"), or one
    inside it that the pattern does not name ("insurance does not cover": the pattern left a
    gap there; in "no side effects" the "no" is the pattern's own word, the claim itself), or
    a limit said of the match ("evidence supporting it is limited"). Two negators cancel out
    ("not without risk"); coordinated ones are one ("cannot and will not promise")."""
    doc = sent.doc
    lo, hi = _clause_bounds(sent, start, end, commas=True)
    before = [i for i in range(lo, start) if ref_is_negator(doc, i) and _reaches(doc, i, start)]
    # coordinated negators are one negation: "we cannot and will not promise"
    count = sum(1 for k, i in enumerate(before) if k == 0 or not any(
        doc[t].lower_ in ("and", "or", "nor") for t in range(before[k - 1] + 1, i)))
    count += sum(1 for i in range(start + 1, end) if ref_is_negator(doc, i)
                 and doc[i].lower_ != "non" and not literal(doc[i].lower_))
    j = end
    while j < hi and j < end + 4 and doc[j].lemma_ in AUXILIARIES:
        j += 1
    negator_after = j < hi and j > end and _verb_negator(doc[j].lower_) and ref_is_negator(doc, j)
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
    return any(ref_is_negator(doc, i) for i in range(start, end))


def ref_indirect_question(sent: Span, start: int) -> bool:
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


def ref_question(sent: Span, start: int | None = None, text: str | None = None) -> bool:
    """A real question: ends with "?" and opens with an auxiliary or wh-word, or an
    indirect one before the match; rhetorical openers ("Did you know...?", "Want
    guaranteed results?") stay claims."""
    if start is not None and ref_indirect_question(sent, start):
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


# -- the tests -------------------------------------------------------------------------------

WORDS = ["we", "you", "results", "patients", "the", "a", "only", "our", "therapy", "cures",
         "guaranteed", "guarantee", "safe", "effective", "pain", "and", "or", "nor", "&", "but",
         "however", "while", "not", "no", "never", "cannot", "n't", "don't", "doesn\u2019t",
         "DOESN'T", "without", "non", "none", "nothing", "nobody", "neither", "is", "are", "be",
         "was", "can", "will", "do", "have", "may", "must", "always", "limited", "preliminary",
         "unclear", "whether", "if", "ask", "check", "know", "what", "how", "which", "did",
         "doubt", "more", "it", "they", ",", ";", ":", "(", ")", "-", "--", "\u2014", "?", "!",
         "\"", "'s", "stem", "cells", "side", "effects", "risk", "evidence", "supporting", "use",
         "orthopedic", "neurologic", "anti-aging", "  "]

FILLER = ["stem", "cells", "therapy", "knee", "clinic", "treatment", "relief", "lasting"]
# mostly plain words, so clauses run long and the checks reach as far as they may
sentences = st.lists(st.lists(st.sampled_from(WORDS + FILLER * 25), min_size=1, max_size=120),
                     min_size=1, max_size=3)


def _text(parts: list[list[str]]) -> str:
    return " ".join(" ".join(words) + "." for words in parts)


@pytest.fixture(scope="module")
def pipelines():
    nlp = get_nlp()
    from claimlint.engine.core import Engine
    from claimlint.lint import get_engine

    plan_rules = Engine(get_engine().pack)._tokenizer_rules
    return [nlp] + ([lite.Pipeline(plan_rules)] if plan_rules is not None else [])


def _literal(word: str) -> bool:
    return word in ("no", "not", "guaranteed")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sentences)
# an indirect question REACH words back; a negator whose verb lies in the next sentence
@example([["ask", "whether"] + ["stem"] * 45 + ["cures"]])
@example([["ask", "you", "we", "if"] + ["cells"] * 44 + ["guaranteed"], ["no"] * 3])
@example([["guaranteed"] + ["stem"] * 7 + [","] + ["cells"] * 6])  # a list's comma, AFTER on
@example([["stem", ",", "no", "and", "cures"], ["stem", "stem", "is"]])
@example([["therapy", ";", "none", "\"", "cures"], ["stem", "stem", "stem", "can"]])
# no negator at all (``Tokens.may_negate``: nothing to walk), a limit word, a capital contraction
@example([["we", "guarantee", "stem", "cells", "cures"], ["evidence", "is", "limited"]])
@example([["results", "DOESN'T", "guaranteed", "therapy"], ["stem", "cells", "cures"]])
def test_checks_on_token_lists_answer_as_before(pipelines, parts):
    text = _text(parts)
    for nlp in pipelines:
        doc = nlp(text)
        for sent in doc[0:len(doc)].sents:
            whole = Tokens.of_span(sent)
            stext = sent.text
            for s in range(sent.start, sent.end):
                for e in range(s + 1, min(s + 4, sent.end) + 1):
                    part = Tokens.around(doc, sent.start, sent.end, s, e)
                    expected = (ref_negated(sent, s, e, _literal), ref_question(sent, s, stext))
                    assert context.negated(sent, s, e, _literal) == expected[0]
                    assert context.question(sent, s, stext) == expected[1]
                    for toks in (whole, part):
                        ls, le = s - toks.base, e - toks.base
                        got = (context.CHECKS["negated"](toks, ls, le, "", _literal, stext),
                               context.CHECKS["question"](toks, ls, le, "", _literal, stext))
                        assert got == expected, (type(doc), text, s, e, toks is part)
                        assert toks.lemma[ls:le] == [t.lemma_ for t in doc[s:e]]
                        assert toks.idx[ls] == doc[s].idx
                        last = doc[e - 1]
                        assert toks.span(ls, le) == (doc[s].idx, last.idx + len(last),
                                                     " ".join(t.lemma_ for t in doc[s:e]))
                assert context.is_negator(doc, s) == ref_is_negator(doc, s)
            assert context.question(sent) == ref_question(sent)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(
    ["Beware", "of", "clinics", "that", "promise", "CURES", "FDA", "warns", "Avoid", "any",
     "clinic", "claiming", "red", "flags", "too", "good", "to", "be", "true", "so-called",
     "marketed", "as", "Misleading", "claims", "\u0130s", "\u212aelvin", "stem", "cells", "scam",
     "real", "DANGERS", "\u017ftem", ",", ".", "\n"]), max_size=14).map(" ".join))
@example("AVOID CLINICS that promise results")
@example("\u0130s this a SCAM?")  # dotted capital I: lower-cases to two characters
def test_the_warning_check_answers_as_the_case_blind_regex(text):
    """ASCII text is matched lower-cased against the lower-case expression (faster than
    IGNORECASE); the answer is the case-blind expression's, on any text."""
    expected = context.warn_phrases().search(text) is not None
    assert context.warned_text(text) is expected
    assert context.warned_text("We treat knees.", lead=text) is expected


def test_the_warning_expression_is_lower_case():
    import re

    assert not re.findall(r"(?<!\\)[A-Z]", context.WARN_PHRASES_SOURCE)


def test_a_sentence_without_negators_or_limit_words_is_negated_nowhere(pipelines):
    """``negated`` returns at once where no token is a negator or a limit word; the answers
    are those of walking the clause (the reference), there and where one is."""
    for nlp in pipelines:
        for text, may in (("We guarantee our stem cell therapy cures knee pain.", False),
                          ("Evidence supporting its use is limited.", True),
                          ("Results ARE NOT guaranteed.", True),
                          ("It DOESN\u2019T cure pain.", True)):
            doc = nlp(text)
            sent = next(iter(doc[0:len(doc)].sents))
            toks = Tokens.of_span(sent)
            assert toks.may_negate is may, text
            for s in range(sent.start, sent.end):
                for e in range(s + 1, sent.end + 1):
                    ls, le = s - toks.base, e - toks.base
                    assert context.CHECKS["negated"](toks, ls, le, "", _literal, text) == \
                        ref_negated(sent, s, e, _literal), (text, s, e)
