"""claimlint.engine.tokenmatch finds what spaCy's Matcher finds, on spaCy's tokens and on
claimlint.lite's; patterns it cannot run go to spaCy's Matcher, with the same findings."""

from __future__ import annotations

import random

import pytest

from claimlint import lite
from claimlint.engine.core import Engine
from claimlint.engine.tokenmatch import TokenMatcher, lexeme_facts, supported, word_facts
from claimlint.lint import read_document
from claimlint.rulepack import load_rules

WORDS = ["stem", "cells", "cell", "cure", "cures", "Cure", "the", "a", "no", "5", "five", "!",
         ",", "can", "heal", "healing", "not", "pain", "1st", "healed", "."]
OPS = [None, None, "?", "*", "+", "!", "{0,2}", "{1,3}", "{2}", "{,2}", "{1,}", "{0,10}"]


def _random_token(rng: random.Random) -> dict:
    token: dict = {}
    for _ in range(rng.choice([0, 1, 1, 1, 2])):  # no test, one, or two on one token
        attr = rng.choice(["LOWER", "LEMMA", "ORTH", "TEXT", "IS_ALPHA", "LIKE_NUM"])
        if attr in ("IS_ALPHA", "LIKE_NUM"):
            token[attr] = rng.random() < 0.5
        elif rng.random() < 0.5:
            ops = rng.choice([["IN"], ["NOT_IN"], ["IN", "NOT_IN"]])
            token[attr] = {op: rng.sample(WORDS, rng.randint(0, 6)) for op in ops}
        else:
            token[attr] = rng.choice(WORDS)
    op = rng.choice(OPS)
    if op:
        token["OP"] = op
    return token


def _random_spec(rng: random.Random) -> list[dict]:
    return [_random_token(rng) for _ in range(rng.randint(1, 4))]


@pytest.fixture(scope="session")
def pipeline(engine):
    return lite.Pipeline(lite.tokenizer_rules(engine.nlp))


def test_matches_are_spacys_on_spacy_and_lite_tokens(engine, pipeline):
    """Random patterns over every attribute, predicate and operator the matcher takes, on
    random word sequences: the same (key, start, end) set as spaCy's Matcher, in order of
    start, end and pattern."""
    from spacy.attrs import ORTH
    from spacy.matcher import Matcher

    nlp = engine.nlp
    rng = random.Random(11)
    matched = 0
    for trial in range(400):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 16)))
        specs = {f"k{i}": _random_spec(rng) for i in range(4)}
        assert all(map(supported, specs.values()))
        theirs_m = Matcher(nlp.vocab)
        for key, spec in specs.items():
            theirs_m.add(key, [spec])
        t_doc, o_doc = nlp(text), pipeline(text)
        lo = rng.randrange(len(t_doc))
        hi = rng.randint(lo + 1, len(t_doc))
        theirs = {(nlp.vocab.strings[m], lo + s, lo + e) for m, s, e in theirs_m(t_doc[lo:hi])}
        keys = rng.sample(sorted(specs), rng.randint(1, 4))
        theirs = {m for m in theirs if m[0] in keys}
        on_spacy = TokenMatcher(specs, lexeme_facts(nlp.vocab))(
            t_doc.to_array(ORTH).tolist(), lo, hi, keys)
        on_lite = TokenMatcher(specs, word_facts(pipeline.vocab.number_words))(
            o_doc.words, lo, hi, keys)
        assert set(on_spacy) == theirs, (trial, text, lo, hi, specs)
        assert on_lite == on_spacy
        order = list(specs)
        assert on_spacy == sorted(on_spacy, key=lambda m: (m[1], m[2], order.index(m[0])))
        assert len(set(on_spacy)) == len(on_spacy)
        matched += len(theirs)
    assert matched > 300  # the comparison is not of empty answers


def test_the_packs_patterns_are_all_run_word_by_word(engine):
    assert engine._token_specs and all(map(supported, engine._token_specs.values()))


def test_what_it_cannot_run_is_recognised():
    assert supported([{"LOWER": {"IN": ["a"]}, "OP": "{1,3}"}, {"IS_ALPHA": True}, {}])
    assert not supported([{"SHAPE": "dd"}])
    assert not supported([{"LOWER": {"REGEX": "^cur"}}])
    assert not supported([{"LENGTH": {">=": 3}}])
    assert not supported([{"LOWER": "a", "OP": "{x}"}])
    assert not supported([{"IS_ALPHA": 2}])
    assert not supported([{"LOWER": {"IN": "abc"}}])


SHAPED = """category: HYPE
rules:
  - id: HYPE.percent-cure
    severity: error
    message: A number of cures is a promise.
    why: Test rule.
    suggestion: Say what studies found.
    patterns:
      - tokens:
          - {SHAPE: dd}
          - {LOWER: "%"}
          - {LEMMA: cure}
"""


def test_a_pattern_only_spacy_can_run_goes_to_spacys_matcher(tmp_path):
    """A rule file's token pattern with a test this matcher does not make (SHAPE) is run by
    spaCy's Matcher, and such a pack never takes claimlint.lite's path."""
    (tmp_path / "shaped.yml").write_text(SHAPED)
    pack = load_rules([tmp_path])
    text = "Our therapy: 90 % cure rate for knee pain. Results guaranteed."
    found = {}
    for lite_mode in (False, True):
        eng = Engine(pack, lite=lite_mode, plan_cache=False)
        doc = read_document(text, "text", "t.txt")
        found[lite_mode] = [(f.rule.id, f.start, f.end) for f in eng.run(doc)]
        m = eng._matchers(lite_mode)
        assert not isinstance(m.nlp, lite.Pipeline)
        key = next(k for k, e in eng.entries.items() if eng.rules[e.rule].id == "HYPE.percent-cure")
        assert key not in m.tokens and m.others is not None
    assert ("HYPE.percent-cure", 13, 22) in found[False]
    assert found[True] == found[False]
