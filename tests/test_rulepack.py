import textwrap

import pytest

from claimlint.engine.core import Engine
from claimlint.rulepack import RuleFileError, load_rules, parse_rule_file

GOOD = """
category: HYPE
rules:
  - id: HYPE.miracle
    severity: warning
    message: Miracle language.
    why: Hype.
    suggestion: Say what it does.
    cancel: [negated]
    patterns:
      - phrase: miracle cure
    examples:
      flag: [A miracle cure.]
      pass: [Not a miracle cure.]
"""


def _file(tmp_path, text):
    path = tmp_path / "rules.yml"
    path.write_text(textwrap.dedent(text))
    return path


def test_good_rule_file_parses():
    (rule,) = parse_rule_file(GOOD)
    assert rule.id == "HYPE.miracle" and rule.cancel == {"negated"}


def test_yes_and_no_stay_words_in_patterns():
    (rule,) = parse_rule_file(GOOD.replace("phrase: miracle cure", "tokens: [{LOWER: no}]"))
    assert rule.patterns[0].value == [{"LOWER": "no"}]


def test_hyphenated_list_words_match_the_pieces_the_tokenizer_makes(tmp_path):
    """The tokenizer splits "stop-gap" in three, so a word list's "stop-gap" becomes a
    variant pattern of its pieces; the other words keep the one-token pattern."""
    rule_text = GOOD.replace("phrase: miracle cure",
                             "tokens: [{LEMMA: {IN: [stop-gap, sham]}}, {LOWER: cure}]")
    rule_text = rule_text.replace("flag: [A miracle cure.]", "flag: [A stop-gap cure., A sham cure.]")
    rule_text = rule_text.replace("pass: [Not a miracle cure.]", "pass: [Not a stop-gap cure., A stop cure.]")
    (rule,) = parse_rule_file(rule_text)
    assert [p.value for p in rule.patterns] == [
        [{"LEMMA": {"IN": ["stop-gap", "sham"]}}, {"LOWER": "cure"}],
        [{"LOWER": "stop"}, {"ORTH": "-"}, {"LEMMA": "gap"}, {"LOWER": "cure"}]]
    from claimlint.ruletest import test_rules

    pack = load_rules([_file(tmp_path, rule_text)], shipped=False)
    failures = test_rules(pack, Engine(pack))[1]
    assert [f for f in failures if f.kind != "missing"] == []  # (too few examples for a shipped rule)


@pytest.mark.parametrize("change,problem", [
    (("    cancel: [negated]\n", "    cancel: [negated]\n    colour: red\n"), "unknown key"),
    (("    why: Hype.\n", ""), "missing or empty 'why'"),
    (("severity: warning", "severity: loud"), "severity must be"),
    (("cancel: [negated]", "cancel: [sarcastic]"), "'cancel'"),
    (("phrase: miracle cure", "shout: miracle"), "unknown pattern kind"),
    (("id: HYPE.miracle", "id: miracle"), "'id' must look like"),
    (("rules:", "rulez:"), "expected a mapping"),
    (("    patterns:\n      - phrase: miracle cure\n", ""), "'patterns' must be a non-empty list"),
    (("cancel: [negated]", "cancel: [negated, hedged]"), "'hedged' no longer cancels a claim"),
    (("cancel: [negated]", "cancel: [negated]\n    pages: [blogs]"), "'pages' must be a list"),
    (("cancel: [negated]", "cancel: [negated]\n    list_items: yes"), "'list_items' must be true or false"),
    (("cancel: [negated]", "cancel: [negated]\n    list_leads: '^Ideal'"), "'list_leads' must be a list"),
    (("cancel: [negated]", "cancel: [negated]\n    list_leads: ['(unclosed']"), "invalid 'list_leads' regex"),
])
def test_bad_rule_files_name_file_rule_and_problem(tmp_path, change, problem):
    path = _file(tmp_path, GOOD.replace(*change))
    with pytest.raises(RuleFileError) as err:
        load_rules([path], shipped=False)
    assert str(path) in str(err.value)
    assert problem in str(err.value)


def test_invalid_yaml_is_refused(tmp_path):
    path = _file(tmp_path, "category: X\nrules: [\n")
    with pytest.raises(RuleFileError, match="not valid YAML"):
        load_rules([path], shipped=False)


@pytest.mark.parametrize("pattern,problem", [
    ("regex: '(unclosed'", "regex does not compile"),
    ("tokens: [{LOWER: {IN: 5}}]", "invalid token pattern"),
    ("tokens: [{SHOUTING: yes}]", "invalid token pattern"),
])
def test_patterns_spacy_or_regex_reject_are_refused_at_compile(tmp_path, pattern, problem):
    path = _file(tmp_path, GOOD.replace("phrase: miracle cure", pattern))
    pack = load_rules([path], shipped=False)
    with pytest.raises(RuleFileError) as err:
        Engine(pack)
    assert "HYPE.miracle" in str(err.value) and problem in str(err.value)


def test_duplicate_ids_are_refused(tmp_path):
    (tmp_path / "a.yml").write_text(GOOD)
    (tmp_path / "b.yml").write_text(GOOD)
    with pytest.raises(RuleFileError, match="duplicate rule id"):
        load_rules([tmp_path], shipped=False)


def test_shipped_pack_loads_and_has_a_digest():
    pack = load_rules()
    assert {"GUARANTEE", "SAFETY", "DISCLOSURE"} <= set(pack.categories)
    assert len(pack.digest) == 64


def test_shipped_rules_pass_their_own_examples(engine):
    from claimlint.ruletest import test_rules

    count, failures = test_rules(engine.pack, engine)
    assert count >= 6 * len(engine.pack.rules)
    assert [str(f) for f in failures] == []


def test_rule_test_reports_failing_examples(tmp_path):
    from claimlint.ruletest import test_rules

    bad = GOOD.replace("pass: [Not a miracle cure.]", "pass: [Truly a miracle cure.]")
    pack = load_rules([_file(tmp_path, bad)], shipped=False)
    _, failures = test_rules(pack, Engine(pack))
    kinds = sorted(f.kind for f in failures)
    assert kinds == ["missing", "missing", "missing", "pass"]
    assert any("negated context" in str(f) for f in failures)
    assert "Truly a miracle cure" in str([f for f in failures if f.kind == "pass"][0])


DOC_RULE = """
category: DISCLOSURE
rules:
  - id: DISCLOSURE.test-offer
    scope: document
    severity: warning
    message: Offers without risks.
    why: Net impression.
    suggestion: Add risks.
    cancel: [warned]
    requires:
      - name: offer
        min: 1
        short: {words: 20, min: 2}
        patterns:
          - lemma: therapy
    examples:
      flag: [Our therapy works. Our therapy helps.]
      pass: [Our therapy works.]
"""


def test_a_group_needs_more_matches_on_a_text_shorter_than_a_page(tmp_path):
    from claimlint.lint import read_document

    engine = Engine(load_rules([_file(tmp_path, DOC_RULE)], shipped=False))

    def fired(text):
        doc = read_document(text, "text", "p.txt")
        doc.page_kind = "promotional"
        return [f.rule.id for f in engine.run(doc)]

    filler = " ".join(["We are open on weekdays and weekends for every visit."] * 3)
    assert fired("Our therapy works.") == []  # 3 words, one match: a snippet needs two
    assert fired("Our therapy works. Our therapy helps.") == ["DISCLOSURE.test-offer"]
    assert fired(f"Our therapy works. {filler}") == ["DISCLOSURE.test-offer"]  # a page: one is enough


@pytest.mark.parametrize("short", ["{words: 20}", "{words: 0, min: 2}", "{words: 20, min: true}", "5",
                                   "{words: 20, min: 2, colour: red}"])
def test_a_bad_short_page_threshold_is_refused(tmp_path, short):
    path = _file(tmp_path, DOC_RULE.replace("{words: 20, min: 2}", short))
    with pytest.raises(RuleFileError, match="'short' must be"):
        load_rules([path], shipped=False)


def test_a_document_rule_waits_for_enough_words_on_a_page_of_one_kind(tmp_path):
    from claimlint.lint import read_document

    rule = DOC_RULE.replace("    cancel: [warned]\n", "    cancel: [warned]\n    min_words: {mixed: 40}\n")
    engine = Engine(load_rules([_file(tmp_path, rule)], shipped=False))

    def fired(text, kind):
        doc = read_document(text, "text", "p.txt")
        doc.page_kind = kind
        return [f.rule.id for f in engine.run(doc)]

    filler = " ".join(["We are open on weekdays and weekends for every visit."] * 3)  # 30 words
    short, page = f"Our therapy works. Our therapy helps. {filler}", f"Our therapy works. {filler} {filler}"
    assert fired(short, "mixed") == []  # 36 words: too few to tell a mixed page sells
    assert fired(short, "promotional") == ["DISCLOSURE.test-offer"]  # the limit is for mixed pages only
    assert fired(page, "mixed") == ["DISCLOSURE.test-offer"]


@pytest.mark.parametrize("min_words", ["{mixed: 0}", "{mixed: true}", "{seller: 40}", "40"])
def test_a_bad_page_kind_word_count_is_refused(tmp_path, min_words):
    rule = DOC_RULE.replace("    cancel: [warned]\n", f"    cancel: [warned]\n    min_words: {min_words}\n")
    with pytest.raises(RuleFileError, match="'min_words' must"):
        load_rules([_file(tmp_path, rule)], shipped=False)


TWO_NEGATION_RULES = """
category: TESTIMONIAL
rules:
  - id: TESTIMONIAL.a-relief
    severity: warning
    message: Relief told by what is gone.
    why: Test.
    suggestion: Test.
    cancel: [negated]
    patterns:
      - regex: "\\\\bI\\\\s+don't\\\\s+need\\\\s+my\\\\s+cane"
    examples:
      flag: [I don't need my cane.]
      pass: [It is not that I need my cane.]
  - id: TESTIMONIAL.b-need
    severity: warning
    message: A need.
    why: Test.
    suggestion: Test.
    cancel: [negated]
    patterns:
      - regex: "\\\\bI\\\\s+\\\\w+\\\\W?\\\\w*\\\\s+need\\\\s+my\\\\s+cane"
    examples:
      flag: [I really need my cane.]
      pass: [I don't need my cane.]
"""


def test_negation_is_judged_per_pattern_on_the_same_words(tmp_path):
    """Two patterns matching the same words: the negator one names as its own word does not
    cancel it, and still cancels the other, whichever is checked first (the prefiltered and
    the full path must agree)."""
    from claimlint.lint import read_document

    pack = load_rules([_file(tmp_path, TWO_NEGATION_RULES)], shipped=False)
    for prefilter in (True, False):
        doc = read_document("I don't need my cane.", "text", "p.txt")
        doc.page_kind = "promotional"
        found = [f.rule.id for f in Engine(pack, use_prefilter=prefilter).run(doc)]
        assert found == ["TESTIMONIAL.a-relief"]
