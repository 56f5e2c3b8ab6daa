import json
import random
import re

import pytest

from claimlint.engine.core import Engine, _compiled, _exact_parts, _in_order, _spelled_parts
from claimlint.engine.prefilter import (
    Prefilter,
    SentenceWindows,
    inside_word_anchors,
    position_sensitive,
    regex_alternatives,
    regex_anchors,
    regex_formula,
    relaxed,
    simplified_formula,
    trie_regex,
)
from claimlint.lint import kind_for, read_document
from claimlint.rulepack import load_rules
from tests.conftest import SHARED


@pytest.mark.parametrize("pattern,anchors", [
    (r"\bguarantee[sd]?\b", {"guarantee"}),
    (r"(?:100|one hundred)\s*%\s*(?:success|effective)", {"success", "effective"}),
    (r"\bno\s+(?:side[- ]effects|risks?)", {"effects", "risk"}),
    # "stem" may follow a letter ("system"): "cell", which starts a word, hits less often
    (r"[Ss]tem cells?", {"cell"}),
    (r"\bstem cells?", {"stem"}),
    # the rarest required part in real text, even where it may be inside a word
    (r"\b(?:non|minimally)[- ]?(?:surgical|invasive)", {"surgical", "invasive"}),
    # the stdlib parser factors "p" out of patients|people: "atients" may follow a letter,
    # and an anchor searched inside words costs more than one where words start
    (r"\bsome\s+(?:patients|people)", {"some"}),
    (r"\bsome\s+(?:patients|doctors)\b", {"patients", "doctors"}),
])
def test_regex_anchors_are_required_literals(pattern, anchors):
    assert regex_anchors(pattern) == anchors


@pytest.mark.parametrize("pattern,inside", [
    (r"(?:non|minimally)[- ]?(?:surgical|invasive)", {"surgical", "invasive"}),
    (r"cure[sd]?", {"cure"}),  # no \b: "secure" holds a match
    (r"\bcure[sd]?", set()),
    (r"\b(?:is|are)\s+(?:not\s+)?(?:fda[- ])?approved\b", set()),  # after a space or a hyphen
    (r"[a-z]+ing pain", set()),  # "pain" follows the space inside the anchor
    (r"(?:un)?licensed", {"licensed"}),  # "unlicensed" holds a match
])
def test_anchors_a_match_may_hold_after_a_letter_are_found_inside_words(pattern, inside):
    assert inside_word_anchors(pattern) == inside


def test_a_regex_matching_inside_a_word_loses_no_match_to_the_prefilter(tmp_path):
    """ "zorbified" in "unzorbified" follows a letter, and "atients" (the stdlib parser's
    factoring of "patients|people") never starts a word: looked for only where words start,
    the prefilter never sent those sentences to the regex."""
    cases = [(r"(?:un)?zorbified", r"\bwinter\b", "Our unzorbified cells. BOOK NOW.\n", True),
             (r"\bbook\s+now\b", r"\bsome\s+(?:patients|people)",
              "BOOK NOW, some patients say.\n", False)]
    for claim, exclude, text, flagged in cases:
        engine = _engine_with(tmp_path, claim, exclude)
        full = Engine(engine.pack, use_prefilter=False, plan_cache=False)
        doc = read_document(text, "text", "p")
        fast = [(f.rule.id, f.start) for f in engine.run(doc)]
        assert fast == [(f.rule.id, f.start) for f in full.run(doc)]
        assert ("HYPE.shouting" in {r for r, _ in fast}) is flagged


@pytest.mark.parametrize("pattern", [r"\w+y", r"(?:a|b)c?", r"(?P<x>.)\1", r"[[:alpha:]]cells"])
def test_regex_without_a_required_literal_has_no_anchor(pattern):
    assert regex_anchors(pattern) is None


def test_trie_regex_matches_exactly_the_words():
    import re

    words = {"cure", "cured", "cures", "care", "guarantee"}
    rx = re.compile(f"^(?:{trie_regex(words)})$")
    assert all(rx.match(w) for w in words)
    assert not any(rx.match(w) for w in ("cur", "car", "guarante", "curesx"))


def test_prefilter_is_case_insensitive_substring():
    pf = Prefilter({"guarantee", "effect"})
    assert [a for _, a in pf.hits("GUARANTEED side-effects")] == [("guarantee",), ("effect",)]


def test_prefilter_reports_prefix_anchors_at_word_starts_only():
    pf = Prefilter({"cure", "cured", "red"})
    assert pf.hits("CURED, red-faced; 5red") == [(0, ("cure", "cured")), (7, ("red",)), (19, ("red",))]


def test_prefilter_finds_pieces_the_tokenizer_cuts_from_words():
    assert Prefilter({"not"}).hits("We cannot") == []
    assert Prefilter({"not"}, frozenset({"not"})).hits("We cannot") == [(6, ("not",))]


def _both_searches(anchors: set[str], inside: frozenset[str], text: str):
    """Hits of the word-table search (a fresh Prefilter) and of the compiled regex."""
    table = Prefilter(anchors, inside).hits(text)
    compiled = Prefilter(anchors, inside)
    compiled.compile()
    return table, compiled.hits(text)


def test_word_table_and_regex_find_the_same_hits():
    import random

    rng = random.Random(12)
    anchors = {"cure", "cured", "red", "not", "no", "can", "guarantee", "ed", "safe", "fe"}
    inside = frozenset({"not", "ed", "fe"})
    pieces = ["cure", "cured", "cures", "red", "not", "cannot", "knot", "noted", "can", "safe",
              "unsafe", "safer", "guaranteed", "Guarantee", "GUARANTEES", "redcured", "fed",
              "5red", "x", "no", "nonot", "-", "'", " ", ", ", ".\n\n", "é", "İstanbul", "_red"]
    for _ in range(200):
        text = "".join(rng.choice(pieces) + rng.choice(["", " ", "-", ""]) for _ in range(30))
        table, compiled = _both_searches(anchors, inside, text)
        assert table == compiled, text
        if len(text.lower()) == len(text):  # (else offsets in the lower-cased text shift)
            assert table == _every_anchor(anchors, inside, text), text
    # "not" inside "Noted" as well as the word-start "no" (an inside-word anchor is never
    # hidden by a shorter anchor starting at the same place)
    expected = [(3, ("can",)), (6, ("no", "not")), (11, ("no", "not")), (14, ("ed",))]
    assert _both_searches(anchors, inside, "We cannot. Noted") == (expected, expected)


def _every_anchor(anchors: set[str], inside: frozenset[str], text: str):
    """The hits by brute force: at each place, the longest anchor starting there (any
    anchor where no letter precedes, an inside-word one anywhere), with every anchor that
    is a prefix of it."""
    low, out = text.lower(), []
    for i in range(len(low)):
        word_start = i == 0 or not re.match(r"[^\W\d_]", low[i - 1])
        found = [a for a in anchors if low.startswith(a, i) and (word_start or a in inside)]
        if found:
            longest = max(found, key=len)
            out.append((i, tuple(longest[:n] for n in range(1, len(longest) + 1)
                                 if longest[:n] in anchors)))
    return out


def test_inside_word_anchors_are_found_inside_other_anchors_hits():
    """ "leukemia" is an inside-word anchor (a regex matches it inside longer words) and
    "leuk" a word-start one: the search must report "leukemia" where "leuk" starts the word,
    and "itis" inside "arthritis", or a rule needing those words loses its windows, and
    which windows are lost changes with any other pattern that adds or drops an anchor."""
    anchors = {"leuk", "leukemia", "emia", "arthritis", "itis", "osteo", "treat"}
    inside = frozenset({"leukemia", "emia", "arthritis", "itis"})
    text = "We treat leukemia and osteoarthritis."
    expected = [(3, ("treat",)), (9, ("leuk", "leukemia")), (13, ("emia",)),
                (22, ("osteo",)), (27, ("arthritis",)), (32, ("itis",))]
    assert _every_anchor(anchors, inside, text) == expected
    assert _both_searches(anchors, inside, text) == (expected, expected)
    # the same hits where lower-casing changes the text's length (searched ignoring case)
    assert Prefilter(anchors, inside).hits("\u0130" + text.upper()) == [
        (p + 1, a) for p, a in expected]


def test_both_searches_equal_brute_force_on_random_text():
    rng = random.Random(5)
    anchors = {"ab", "abc", "abcd", "bc", "bcd", "cd", "c", "da", "dab", "xy"}
    inside = frozenset({"bc", "bcd", "cd", "da", "dab"})
    for _ in range(300):
        text = "".join(rng.choice("abcdxyABCD -.1_é") for _ in range(rng.randint(0, 40)))
        table, compiled = _both_searches(anchors, inside, text)
        assert table == compiled == _every_anchor(anchors, inside, text), text


def test_word_table_matches_the_regex_on_the_rule_pack(engine):
    from pathlib import Path

    pages = sorted(Path(__file__).resolve().parent.parent.joinpath("fixtures", "pages").iterdir())
    text = "\n\n".join(p.read_text(encoding="utf-8", errors="replace") for p in pages)
    table, compiled = _both_searches(engine.prefilter.anchors, engine._inside_words, text)
    assert table == compiled and len(table) > 100


def test_windows_split_only_where_spacy_certainly_splits(engine):
    windows = SentenceWindows({"etc"})
    text = ("Results vary between patients. We use cells, etc. For most people this helps! "
            "Dr. Lee agrees. ask us? Maybe.")
    spans = windows.split(text, 0, len(text))
    assert "".join(text[a:b] for a, b in spans) == text
    sp = engine.nlp(text)
    starts = {s.start_char for s in sp.sents}
    assert all(a in starts for a, _ in spans)


def _corpus_docs():
    """The development corpus, the seed, every rule's own examples and the fixture pages."""
    from claimlint.lint import get_engine, kind_for
    from tests.conftest import FIXTURES

    texts = [json.loads(line)["text"] for line in (SHARED / "corpus" / "dev.jsonl").open()]
    texts.append((SHARED / "seed" / "stem-cell-therapy-risks.txt").read_text())
    for rule in get_engine().pack.rules:
        texts += list(rule.flag_examples) + list(rule.pass_examples)
    docs = [read_document(t, "text", f"doc{i}") for i, t in enumerate(texts)]
    docs.append(read_document("\n\n".join(texts), "text", "all-in-one"))  # windows not at 0
    for page in sorted((FIXTURES / "pages").iterdir()):
        docs.append(read_document(page.read_text(), kind_for(page.name), page.name))
    return docs


@pytest.mark.skipif(not (SHARED / "corpus" / "dev.jsonl").exists(), reason="shared corpus not present")
def test_prefilter_loses_no_match_the_rules_would_make(engine):
    """The fast path (spaCy only on candidate windows) must equal running every sentence."""
    full = Engine(engine.pack, use_prefilter=False)
    docs = _corpus_docs()
    before = engine.stats.window_chars  # the session's engine: other tests used it too
    fast = [[(f.rule.id, f.start, f.end) for f in found] for found in engine.run_many(docs)]
    slow = [[(f.rule.id, f.start, f.end) for f in found] for found in full.run_many(docs)]
    assert fast == slow
    assert engine.stats.window_chars - before < full.stats.window_chars


def test_shipped_pack_has_no_unanchored_pattern(engine):
    assert engine.unanchored == []


@pytest.mark.skipif(not (SHARED / "corpus" / "dev.jsonl").exists(), reason="shared corpus not present")
def test_batching_documents_changes_nothing(engine):
    """Windows of many documents share spaCy chunks; each document's findings must be the
    same as when it is run alone."""
    docs = _corpus_docs()
    together = [[(f.rule.id, f.start, f.end) for f in found] for found in engine.run_many(docs)]
    alone = [[(f.rule.id, f.start, f.end) for f in engine.run(doc)] for doc in docs]
    assert together == alone
    assert sum(map(len, together)) > 40


@pytest.mark.parametrize("pattern,sensitive", [
    (r"^(?!.*\bstem\b).*\bsurgery\b", True), (r"results\s+vary$", True), (r"(?<=no )risk", True),
    (r"\bfoo\b", False), (r"#\s?1\b[^.!?;]{0,40}\bclinic", False), (r"(?:a|b)c", False),
])
def test_position_sensitive_regexes_are_told_apart(pattern, sensitive):
    assert position_sensitive(pattern) is sensitive


CUSTOM = """
category: HYPE
rules:
  - id: HYPE.shouting
    severity: warning
    message: Shouting.
    why: Capitals shout.
    suggestion: Write in sentence case.
    cancel: []
    patterns:
      - regex: '{claim}'
    exclude:
      - regex: '{exclude}'
"""
PROMO_PAGE = ("Regenerative Injections\n\nOur stem cell injections help your knees heal. "
              "BOOK NOW FOR SUMMER.\n\nCall our clinic today to book your stem cell treatment.\n")


def _engine_with(tmp_path, claim: str, exclude: str) -> Engine:
    path = tmp_path / "custom.yml"
    path.write_text(CUSTOM.format(claim=claim, exclude=exclude))
    return Engine(load_rules([path]), plan_cache=False)


def test_an_exclusion_naming_no_word_rides_on_its_rule(tmp_path):
    """An exclusion that is all lookarounds has no anchor of its own: it is checked wherever
    its rule claims (it neither turns the prefilter off nor fails to exclude)."""
    for exclude, excluded in ((r"^(?=.*\bsummer\b)", True), (r"^(?=.*\bwinter\b)", False)):
        engine = _engine_with(tmp_path, r"\bbook\s+now\b", exclude)
        assert engine.unanchored == []
        found = engine.run(read_document(PROMO_PAGE, "text", "p"))
        assert ("HYPE.shouting" in {f.rule.id for f in found}) is not excluded


def test_an_unanchored_user_pattern_keeps_document_rules_working(tmp_path):
    """A user's pattern with no literal word (capital letters) runs on every sentence; the
    shipped document rules (the missing risk disclosure) still see the whole page."""
    engine = _engine_with(tmp_path, r"(?-i:\b[A-Z]{4,}\s+[A-Z]{3,}\b)", r"\bwinter\b")
    assert engine.unanchored == ["HYPE.shouting"]
    found = {f.rule.id for f in engine.run(read_document(PROMO_PAGE, "text", "p"))}
    assert {"HYPE.shouting", "DISCLOSURE.no-risk-disclosure"} <= found


def test_a_posix_class_in_a_user_regex_is_not_read_as_literal_text(tmp_path):
    """ "[[:upper:]]" is a POSIX class to the regex module; the stdlib parser behind the
    anchors reads "[[:upper:]" and a literal "]", and would have looked for "]OOK NOW"."""
    engine = _engine_with(tmp_path, r"(?-i:\b[[:upper:]]OOK NOW\b)", r"\bwinter\b")
    found = [f.rule.id for f in engine.run(read_document(PROMO_PAGE, "text", "p"))]
    assert "HYPE.shouting" in found


@pytest.mark.parametrize("pattern,matches,misses", [
    # anchors and lookarounds go; what they guarded stays
    (r"^(?!.*\bnot\b).*\bguaranteed\b", ["it is not guaranteed", "Guaranteed!"], ["no promise"]),
    (r"(?<!no )\brisk-free\b(?=\s)", ["no risk-free plan", "risk-free plan"], ["risk free"]),
    (r"^\W*testimonials?\W*$", ["Read our testimonials today"], ["testify"]),
    (r"(?s)^ab.cd", ["ab\ncd"], ["abcd"]),
    (r"[^a-z\]]xy\d{2,3}$", ["-xy12"], ["axy12", "]xy12", "-xy1"]),
    (r"\bcan(?:not|'t)\s+(?:be\s+)?cured\b", ["cannot be cured", "can't cured"], ["can be cured"]),
])
def test_relaxed_regex_drops_only_zero_width_conditions(pattern, matches, misses):
    rx = _compiled(relaxed(pattern))
    assert all(rx.search(text) for text in matches)
    assert not any(rx.search(text) for text in misses)


@pytest.mark.parametrize("pattern", [
    r"(\w+) \1",            # a back-reference: not rewritten
    r"(?i:stem) cells",       # scoped flags: not rewritten
    r"^(?=.*\bstem\b).+$",    # nothing literal left once the lookahead goes
    r"(?a)\bstem\b",          # ASCII classes: not rewritten
    r"^[[:alpha:]]+ cells$",   # a POSIX class to `regex`, a nested set to the stdlib parser
])
def test_relaxed_regex_gives_up_rather_than_guess(pattern):
    assert relaxed(pattern) is None


def test_relaxed_regexes_of_the_pack_match_wherever_the_rules_do(engine):
    """Confirming windows with a relaxed regex loses nothing: on every example sentence of
    every rule, where a position-sensitive regex of the pack matches, its relaxed form does."""
    sentences = [s for rule in engine.pack.rules for s in rule.flag_examples + rule.pass_examples]
    checked = 0
    for key in engine._position_sensitive:
        source = engine._regexes.source[key]
        if relaxed(source) is None:
            continue
        original, loose = _compiled(source), _compiled(relaxed(source))
        for text in sentences:
            if original.search(text):
                checked += 1
                assert loose.search(text), (source, text)
    assert checked > 30


@pytest.mark.parametrize("pattern,holds,lacks", [
    (r"\b(?:non|minimally)[- ]?(?:surgical|invasive)", ["a nonsurgical option", "non-invasive"],
     ["minimally", "surgical care"]),
    (r"\bno\s+(?:side[- ]effects|risks?)\b", ["No  RISK at all", "no side-effects"],
     ["no downtime", "side effects"]),
    (r"\b(?:studies|trials)\s+(?:\w+\s+)?(?:show|prove)", ["trials show"], ["studies suggest"]),
    (r"(?:safe|effective)(?:\s+and\s+)?(?:guaranteed)?", ["safe"], ["guaranteed"]),  # optional parts
    (r"[Ss]tem\s+cells?(?=\s+heal)", ["stem cells"], ["stem"]),  # lookarounds: not required
])
def test_regex_formula_needs_every_required_literal(pattern, holds, lacks):
    test = eval(f"lambda t: {regex_formula(pattern)}")
    assert all(test(text.lower()) for text in holds)
    assert not any(test(text.lower()) for text in lacks)


@pytest.mark.parametrize("pattern", [r"\w+\s+\d+", r"(?:a|\d+)\s+b", r"[[:alpha:]]+ing"])
def test_regex_formula_is_none_without_required_literals(pattern):
    assert regex_formula(pattern) is None


def _random_formula(rng: random.Random, words: list[str], depth: int = 0) -> str:
    if depth > 3 or rng.random() < 0.3:
        return f"{rng.choice(words)!r} in t"
    parts = [_random_formula(rng, words, depth + 1) for _ in range(rng.randint(2, 4))]
    return "(" + rng.choice([" and ", " or "]).join(parts) + ")"


def test_simplified_formula_is_true_on_exactly_the_same_texts():
    """Leaving out the tests that cannot change a formula's value (a literal inside one
    known to be there, holding one known not to be, or implied in the same ``and``/``or``)
    changes no answer: random formulas over words that hold one another, on random texts."""
    rng = random.Random(12)
    words = ["a", "ab", "abc", "b", "bc", "walk", "walks", "walked", "talk", "alk", "k"]
    shorter = 0
    for _ in range(400):
        formula = _random_formula(rng, words)
        simple = simplified_formula(formula)
        shorter += simple.count(" in t") < formula.count(" in t")
        before, after = eval(f"lambda t: {formula}"), eval(f"lambda t: {simple}")
        for _ in range(40):
            text = " ".join(rng.sample(words, rng.randint(0, 4)))
            assert before(text) == after(text), (formula, simple, text)
    assert shorter > 100


def test_simplified_formula_leaves_out_tests_that_cannot_decide():
    assert simplified_formula("'walks' in t or 'walk' in t") == "'walk' in t"
    assert simplified_formula("'walk' in t and 'walks' in t") == "'walks' in t"
    assert simplified_formula("'back' in t or ('went' in t and 'back' in t) or 'got' in t"
                              ) == "'back' in t or 'got' in t"
    assert simplified_formula("'stem' in t and ('st' in t or 'cell' in t)") == "'stem' in t"


def test_regex_formulas_of_the_pack_hold_wherever_the_rules_match(engine):
    """Ruling a window out on its literals loses nothing: on every example sentence of every
    rule, where a regex of the pack matches, its formula holds on the lower-cased text (with
    and without what its lookarounds need)."""
    sentences = [s for rule in engine.pack.rules for s in rule.flag_examples + rule.pass_examples]
    checked = 0
    widened = {True: 0, False: 0}
    for source in engine._regexes.source.values():
        for lookarounds, marks in ((False, False), (True, False), (True, True)):
            formula = regex_formula(source, lookarounds, marks)
            if formula is None:
                continue
            if lookarounds:  # regexes whose lookarounds (or marks) add tests
                widened[marks] += formula != regex_formula(source, lookarounds, not marks)
            test = eval(f"lambda t: {formula}")
            for text in sentences:
                if _compiled(source).search(text):
                    checked += 1
                    assert test(text.lower()), (source, text)
    assert checked > 300
    assert widened[False] > 20 and widened[True] > 20


@pytest.mark.parametrize("pattern,holds,lacks", [
    (r"[Ss]tem\s+cells?(?=\s+heal)", ["stem cells heal"], ["stem cells help"]),
    (r"^(?!.*\bno\b)(?=.*?\b(?:drugs?|pills?)\b).+", ["we sell pills", "no drugs"],
     ["we sell medicine"]),  # a negative lookaround needs nothing
    (r"(?<=\bdr\.?\s)[A-Z]\w+\s+says", ["dr. Lee says"], ["Lee says"]),
    (r"(?:(?=\w+ing)\w+|cure)\s+pain", ["living pain", "cure pain"], ["no pain"]),
    (r"[\u201c\"][^\u201d\"]{0,300}?\bpain", ['"my pain', "\u201cno pain"], ["my pain"]),
    (r"\d+\s*%\s+better|(?:we|you)\s*[?!]", ["50 % better", "you?"], ["50 percent better", "you"]),
    (r"(?=\s*\(\w+\))\s+cure", [" (a) cure"], [" cure"]),
])
def test_a_regex_formula_with_lookarounds_needs_what_they_need(pattern, holds, lacks):
    """A regex runs on one sentence, so what a positive lookahead or lookbehind needs is in
    that sentence: the exclusions ``^(?!...)(?=.*\b(?:...)\b)`` of the pack are tested on a
    sentence's words before their regex scans it. A quotation mark, a per cent sign or a
    question mark a regex needs is tested too (MARKS: rare in copy, so they rule out most
    windows)."""
    test = eval(f"lambda t: {regex_formula(pattern, lookarounds=True, marks=True)}")
    assert all(test(text.lower()) for text in holds)
    assert not any(test(text.lower()) for text in lacks)
    rx = _compiled(pattern)
    assert all(not rx.search(text) for text in lacks)


def test_an_exclusion_is_tested_on_what_its_lookahead_needs(tmp_path):
    """The window and sentence test of an exclusion made of lookarounds names the words its
    lookahead needs, and findings are those of matching every sentence."""
    engine = _engine_with(tmp_path, r"\bbook\s+now\b", r"^(?!.*\bwinter\b)(?=.*\bsummer\b)")
    key = next(k for k, e in engine.entries.items()
               if e.role == "exclude" and engine.rules[e.rule].id == "HYPE.shouting")
    assert "'summer' in t" in engine._tests.source[key]
    quoted = _engine_with(tmp_path, r'[\u201c"]book\s+now\b', r"\bwinter\b")
    key = next(k for k, e in quoted.entries.items()
               if e.role == "claim" and quoted.rules[e.rule].id == "HYPE.shouting")
    assert "'\u201c' in t" in quoted._tests.source[key]
    full = Engine(engine.pack, use_prefilter=False, plan_cache=False)
    for text in (PROMO_PAGE, PROMO_PAGE.replace("SUMMER", "WINTER"), "BOOK NOW. Summer is here.\n"):
        doc = read_document(text, "text", "p")
        assert [(f.rule.id, f.start) for f in engine.run(doc)] == [
            (f.rule.id, f.start) for f in full.run(doc)]


def test_the_rarest_anchor_set_in_real_text_triggers_a_pattern():
    from claimlint.engine.rarity import anchor_cost, rarest

    common, rare = frozenset({"the", "results"}), frozenset({"guaranteed"})
    assert rarest([common, rare]) == rare
    assert rarest([frozenset({"exosome"}), frozenset({"stem"})]) == frozenset({"exosome"})
    assert anchor_cost("guarantee") > anchor_cost("guaranteed")  # a prefix hits more words
    assert anchor_cost("itis", inside=True) > anchor_cost("itis")
    assert rarest([]) is None


def test_the_word_table_is_read_a_line_at_a_time_with_the_same_words_as_a_whole_read(tmp_path):
    """The word-probability table is read line by line (a whole ``json.load`` of its million
    words peaks near 240 MB); a table laid out otherwise falls back to the whole read, and
    both give the same words, escapes and whitespace keys included."""
    import gzip
    import json

    from claimlint.engine.rarity import MIN_LOGPROB, _frequent_words

    table = {"the": -3.5, "Stem": -12.25, " ": -9.0, "a\"b": -10.0, "caf\u00e9": -11.5,
             ":)": -8.0, "zyzzyva": MIN_LOGPROB - 1.0}
    expected = [(w, lp) for w, lp in table.items() if lp >= MIN_LOGPROB]
    for name, text in (("lines", json.dumps(table, indent=2, separators=(",", ":"))),
                       ("one-line", json.dumps(table))):
        path = tmp_path / f"{name}.json.gz"
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            fh.write(text)
        assert _frequent_words(str(path)) == expected, name
    assert _frequent_words(str(tmp_path / "missing.json.gz")) == []


def test_the_word_table_is_read_up_to_its_first_rare_word_only_when_it_is_in_order(tmp_path):
    """spacy-lookups-data lists its words from the most probable down, so reading stops at
    the first word below MIN_LOGPROB; in a table out of that order every line is read.
    The installed table gives the same words either way."""
    import gzip
    import json

    from claimlint.engine.rarity import MIN_LOGPROB, _frequent_lines

    def write(name: str, table: list[tuple[str, float]]) -> str:
        path = tmp_path / f"{name}.json.gz"
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            fh.write("{\n" + ",\n".join(f"  {json.dumps(w)}:{lp}" for w, lp in table) + "\n}\n")
        return str(path)

    rare = MIN_LOGPROB - 1.0
    ordered = [("the", -3.5), ("stem", -12.0), ("zyzzyva", rare), ("bad", "x")]
    assert _frequent_lines(write("ordered", ordered)) == ordered[:2]  # "x" is never read
    unordered = [("stem", -12.0), ("the", -3.5), ("zyzzyva", rare), ("cell", -11.0)]
    assert _frequent_lines(write("unordered", unordered)) == [("stem", -12.0), ("the", -3.5),
                                                              ("cell", -11.0)]
    from importlib.resources import files

    installed = str(files("spacy_lookups_data") / "data" / "en_lexeme_prob.json.gz")
    with gzip.open(installed, "rt", encoding="utf-8") as fh:
        whole = [(w, lp) for w, lp in json.load(fh).items() if lp >= MIN_LOGPROB]
    assert _frequent_lines(installed) == whole


def test_an_inside_word_anchor_costs_the_words_holding_it_once_each():
    from claimlint.engine.rarity import INSIDE_BASE, INSIDE_FACTOR, _table, anchor_cost

    probs = _table()[2]
    for anchor in ("itis", "surg", "ee"):
        direct = sum(p for w, p in probs.items() if anchor in w)
        assert anchor_cost(anchor, inside=True) == INSIDE_BASE + INSIDE_FACTOR * direct


def test_a_regex_of_alternatives_is_tested_by_the_alternatives_whose_anchors_were_found():
    alts = regex_alternatives(r"\b(?:guaranteed\s+(?:results|outcomes)|cures?\s+(?:arthritis|pain)"
                              r"|(?:zero|no)\s+side\s+effects)\b")
    # each alternative of each group (6), on the anchors the whole regex is searched for
    assert [a for a, _, _ in alts] == [
        {"guaranteed"}, {"guaranteed"}, {"cure"}, {"cure"}, {"effects"}, {"effects"}]
    assert all(not inside for _, inside, _ in alts)
    assert alts[0][2] == "'guaranteed' in t and 'results' in t"
    assert regex_alternatives(r"\bguaranteed results\b") is None  # no alternatives
    # an alternative without any literal: the regex is not split; with one outside the
    # group, each alternative has it
    assert regex_alternatives(r"\b(?:guaranteed|\d+%)") is None
    assert [a for a, _, _ in regex_alternatives(r"\b(?:guaranteed|\d+%)\s+results")] == [
        {"results"}, {"results"}]


def test_alternative_tests_hold_wherever_the_pack_s_regexes_match(engine):
    """Split into its alternatives, every regex of the pack that has them still passes its
    window test wherever it matches an example sentence, given the anchors the prefilter
    finds there (so testing only the alternatives whose anchors were found loses nothing)."""
    from claimlint.engine.core import _Alternatives, _grouped

    sentences = [s for rule in engine.pack.rules for s in rule.flag_examples + rule.pass_examples]
    split = checked = 0
    for source in engine._regexes.source.values():
        alts = regex_alternatives(source)
        if not alts:
            continue
        split += 1
        test = _Alternatives(_grouped(alts))
        prefilter = Prefilter(set().union(*(a for a, _, _ in alts)),
                              frozenset().union(*(i for _, i, _ in alts)))
        for text in sentences:
            if _compiled(source).search(text):
                found = {a for _, anchors in prefilter.hits(text) for a in anchors}
                assert test(found, text.lower()), (source, text)
                checked += 1
    assert split > 100 and checked > 500
    assert engine._alternatives  # the pack's largest formulas are tested this way


def test_phrase_words_must_come_in_the_pattern_order():
    guaranteed, results = frozenset({"guaranteed"}), frozenset({"results"})
    assert _in_order([guaranteed, results], [("guaranteed",), ("x",), ("results",)])
    assert not _in_order([guaranteed, results], [("results",), ("guaranteed",)])
    assert not _in_order([results, results], [("results",)])  # two words, two places
    assert _in_order([results, results], [("results", "result"), ("results",)])


def test_words_too_common_for_anchors_still_rule_windows_out():
    """ "no" and "100" are no anchors (they are everywhere, or have no letters), but a window
    without any of a spelled-out part's words cannot match; lemma parts are left out (their
    forms come from a table, and a common verb's forms are not all there)."""
    no, risk = frozenset({"no", "zero"}), frozenset({"risk", "risks"})
    parts = [{"no", "zero"}, {"risk", "risks"}]
    assert _spelled_parts(parts, [risk]) == [no]
    assert _spelled_parts(parts, [frozenset({"no", "zero"}), risk]) == []
    assert _spelled_parts([{"100", "100%", "fully"}, {"safe"}], [frozenset({"safe"})]) == [
        frozenset({"100", "100%", "fully"})]
    spec = [{"LOWER": {"IN": ["we", "i"]}}, {"LEMMA": "be"}, {"LEMMA": "guarantee"}]
    from claimlint.rulepack import Pattern
    assert _exact_parts(Pattern("tokens", spec)) == [{"we", "i"}, None, None]


def _split_by_word_regex(windows: SentenceWindows, text: str, start: int, end: int) -> list:
    """The split as it was written before: one regex from the word's start."""
    rx = re.compile(r"(?<![^\W\d_])([^\W\d_]{3,})[.!?]+[\"'”’)\]]*\s+(?=[\"“‘(\[]?[^\W_a-z])")
    out, cur = [], start
    for m in rx.finditer(text, start, end):
        if not m.group(1).islower() or m.group(1) in windows.exceptions:
            continue
        if m.end() > cur:
            out.append((cur, m.end()))
            cur = m.end()
    if cur < end:
        out.append((cur, end))
    return out


def test_windows_split_where_the_word_regex_split():
    """The split searches from the punctuation and reads the word back: the same places
    as a search from each word's start, on text that reaches every edge (a word cut by the
    block's start, runs longer than the look-back, digits, capitals, other scripts)."""
    windows = SentenceWindows({"etc.", "inc."})
    rng = random.Random(5)
    pieces = ["cures", "etc", "Inc", "ab", "x" * 70, "é" * 5 + "tude", "ÉTUDE", "abc1def", "naïve",
              "under_score", "2nd", "Ⅻabc", "«quote»", "“Yes", "(See", "'Tis"]
    joins = [". ", "! ", "?? ", ".\" ", ".’ ", ". \n", ".", " ", ", ", "... ", ".) "]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) + rng.choice(joins) for _ in range(rng.randint(1, 12)))
        start = rng.randint(0, len(text) // 3)
        end = rng.randint(start, len(text))
        assert windows.split(text, start, end) == _split_by_word_regex(windows, text, start, end), (
            text, start, end)


def _generated_docs(engine, n: int = 120, seed: int = 8):
    """Sentences made of the rule pack's own words: each rule example with some words
    swapped for anchors of other patterns, glued inside longer words ("osteo" + anchor), or
    inflected by the lemma table, so anchors meet in every arrangement the prefilter must
    get right (one anchor inside another's hit, irregular forms, shared windows)."""
    from claimlint.nlp import forms_of, lemma_of

    rng = random.Random(seed)
    examples = [t for r in engine.pack.rules for t in (*r.flag_examples, *r.pass_examples)]
    anchors = sorted(engine.prefilter.anchors)
    inside = sorted(engine._inside_words & engine.prefilter.anchors)
    texts = []
    for _ in range(n):
        words = rng.choice(examples).split()
        for i in range(len(words)):
            roll = rng.random()
            if roll < 0.08:
                words[i] = rng.choice(anchors)
            elif roll < 0.12 and inside:
                words[i] = rng.choice(["leuk", "osteo", "my", "re", "un", "de"]) + rng.choice(inside)
            elif roll < 0.18:
                forms = sorted(forms_of(lemma_of(words[i].strip(".,!?").lower())))
                words[i] = rng.choice(forms) if forms else words[i]
        texts.append(" ".join(words))
    return [read_document(" ".join(texts[i:i + 6]), "text", f"gen{i}") for i in range(0, n, 6)]


def test_prefiltered_findings_equal_every_sentence_with_every_pattern(engine):
    """The fast path must be a pure speed-up: on the pack's own examples, mutated so that
    anchors overlap and inflect, it finds what matching every sentence with every pattern
    finds. (Before, an inside-word anchor such as "leukemia" went unseen where a shorter
    word-start anchor "leuk" began the same word, and a lemma's forms were taken from the
    lemma of the lemma, missing "best" for "better": which windows were lost then changed
    with unrelated pattern edits, so narrowing one regex could add false alarms elsewhere.)"""
    full = Engine(engine.pack, use_prefilter=False)
    docs = _generated_docs(engine)
    docs += [read_document(t, "text", "fixed") for t in (
        "This change in the cells gives doctors a new way to treat leukemia.",
        "These new procedures are the next best thing in cosmetic surgery.",
    )]
    fast = [[(f.rule.id, f.start, f.end) for f in found]
            for found in engine.run_many(docs, one_per_claim=False)]
    slow = [[(f.rule.id, f.start, f.end) for f in found]
            for found in full.run_many(docs, one_per_claim=False)]
    assert fast == slow
    assert "TREATMENT.treats-condition" in {r for r, _, _ in fast[-2]}
    assert "COMPARATIVE.better-than-standard-care" in {r for r, _, _ in fast[-1]}
    assert sum(map(len, fast)) > 50


def test_a_sentence_ends_where_its_window_does_whatever_shares_its_chunk(tmp_path):
    """Windows are tokenized joined by blank lines; a window's last sentence must not take
    those in, or a regex ending in ``$`` matches a heading only when no other window of the
    document follows it in the chunk, which depends on every other pattern of the pack."""
    engine = _engine_with(tmp_path, r"^(?=.{0,40}$)[A-Z][a-z]+ Cirrhosis", r"\bwinter\b")
    full = Engine(engine.pack, use_prefilter=False, plan_cache=False)
    alone = "Liver Cirrhosis\n\nWe see patients on weekdays.\n"
    shared = "Liver Cirrhosis\n\nCirrhosis is a scarring of the liver.\n"  # both windows hit
    for text in (alone, shared):
        doc = read_document(text, "text", "p")
        for e in (engine, full):
            found = [(f.start, f.end) for f in e.run(doc) if f.rule.id == "HYPE.shouting"]
            assert found == [(0, 15)], (text, e.use_prefilter)


def test_inside_word_search_by_substring_and_by_regex_agree():
    """Inside-word anchors are looked for with ``str.find``; where they are many, with one
    regex (``_inside_search``): both give the brute-force hits, rare or dense."""
    rng = random.Random(9)
    anchors = {"itis", "arthritis", "osis", "not", "no", "treat", "emia", "leuk", "leukemia"}
    inside = frozenset({"itis", "arthritis", "osis", "not", "emia", "leukemia"})
    words = ["arthritis", "osteoarthritis", "knot", "another", "cannot", "notice", "leukemia",
             "anemia", "treat", "osis", "itisitis", "x", "5itis", "_not"]
    for dense in (False, True):
        for _ in range(100):
            filler = [] if dense else ["We see patients on Monday."] * 200
            text = " ".join(rng.sample(filler + words * (30 if dense else 1), 300 if dense else 60))
            compiled = Prefilter(anchors, inside)
            compiled.compile()
            # (text whose lower-casing changes its length is searched ignoring case: tested
            # above; here every text reaches the two searches compared)
            assert compiled.hits(text) == _every_anchor(anchors, inside, text), text
            assert (compiled._free_regex is not None) == dense  # (which search ran)


def test_a_piece_cut_from_longer_words_is_no_anchor_where_another_part_is():
    """ "re" (the tokenizer cuts it from "theyre") would have to be looked for inside every
    word ("are", "more"): a pattern with a rarer required part is anchored on that part."""
    from claimlint.engine.core import _requirements

    pieces = frozenset({"re", "not"})
    assert _requirements([{"re"}, {"educate", "educated"}], pieces) == [
        frozenset({"educate", "educated"})]
    assert _requirements([{"re"}], pieces) == [frozenset({"re"})]
    assert _requirements([{"re"}, {"-"}], pieces) == [frozenset({"re"})]


PIECES = """
category: HYPE
rules:
  - id: HYPE.explore
    severity: warning
    message: Explore.
    why: A test rule.
    suggestion: None.
    cancel: []
    patterns:
      - regex: '\\bwe\\s*[''\\u2019]ll\\s+explore\\b'
  - id: HYPE.cannot
    severity: warning
    message: Cannot.
    why: A test rule.
    suggestion: None.
    cancel: []
    patterns:
      - tokens: [{LOWER: not}, {LOWER: be}]
"""


def test_a_piece_is_looked_for_inside_words_only_for_patterns_matched_on_tokens(tmp_path):
    """ "ll" and "not" are pieces the tokenizer cuts out of longer words ("youll",
    "cannot"). A token pattern needing "not" must find it inside "cannot"; a regex needing
    "ll" after an apostrophe never matches it inside "will" or "all", so the prefilter does
    not look for it there (where it hits in nearly every sentence). Both find what
    matching every sentence finds."""
    path = tmp_path / "pieces.yml"
    path.write_text(PIECES)
    engine = Engine(load_rules([path]), plan_cache=False)
    assert "not" in engine._inside_words and "ll" not in engine._inside_words
    full = Engine(engine.pack, use_prefilter=False, plan_cache=False)
    text = ("We'll explore it. We\u2019ll explore more. Well, all will explore. It cannot be "
            "done. Youll explore. It is not be. Shall we explore? Weill explore.\n")
    doc = read_document(text, "text", "p")
    fast = [(f.rule.id, f.start, f.end) for f in engine.run(doc)]
    assert fast == [(f.rule.id, f.start, f.end) for f in full.run(doc)]
    assert [r for r, _, _ in fast].count("HYPE.explore") == 2
    assert [r for r, _, _ in fast].count("HYPE.cannot") == 2


def test_document_rules_match_only_windows_whose_words_allow_their_entries(engine, monkeypatch):
    """A document rule's windows are checked as sentence rules' are before they are matched
    (the entries' words in order, their text tests): an entry failing them cannot match
    there. Every part of every document rule finds the hits it finds without the checks
    (hits starting at the same place may come in another order: they did already, with
    the order of a set of entries), the findings are the same, and fewer windows are
    tokenized."""
    from tests.conftest import FIXTURES

    examples = [t for r in engine.pack.rules for t in (*r.flag_examples, *r.pass_examples)]
    docs = _generated_docs(engine) + [read_document("\n\n".join(examples), "text", "all")]
    docs += [read_document(p.read_text(), kind_for(p.name), p.name)
             for p in sorted((FIXTURES / "pages").iterdir())]

    def part_hits() -> tuple[list, list, int]:
        e = Engine(engine.pack)
        found = [sorted((h.start, h.end, h.entry.rule, h.entry.role, h.entry.group,
                         sorted(h.contexts), h.key) for h in e._live_hits(st, part))
                 for st in e._states(docs) for part in e._part_keys]
        findings = [[(f.rule.id, f.start, f.end, f.extra) for f in found]
                    for found in Engine(engine.pack).run_many(docs)]
        return found, findings, e.stats.windows

    checked, findings, windows = part_hits()
    monkeypatch.setattr(Engine, "_passing", lambda self, doc, win, hits, found, keys: keys)
    unchecked, unchecked_findings, more_windows = part_hits()
    assert checked == unchecked
    assert findings == unchecked_findings
    assert sum(map(len, checked)) > 100
    assert windows < more_windows
