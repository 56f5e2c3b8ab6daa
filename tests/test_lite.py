"""claimlint.lite, the plain-Python tokenizer and phrase matcher the engine runs on instead of
spaCy, answers exactly as the spaCy pipeline does: tokens, sentences, lemmas, matches, findings
(token patterns: tests/test_tokenmatch.py)."""

from __future__ import annotations

import json
import random
import subprocess
import sys

import pytest

from claimlint import lite
from claimlint.engine.core import Engine
from tests.conftest import FIXTURES

# Pieces that reach every path of the tokenizer: special cases, prefixes and suffixes,
# infixes, URLs, emoticons, whitespace runs, sentence marks of other scripts (our own text).
PIECES = [
    "Dr.", "a.m.", "(a.m.)", "p.m.,", "don't", "Don't!", "can't.", "U.S.", "e.g.", "i.e.,", ":)",
    ":-)", "(:", "<3", "^_^", "http://example.com/a?b=c.", "www.clinic.com,", "info@clinic.test",
    "3.5mm", "$5,000", "10%", "1/2", "first", "2nd", "--", "\u2014", "\u2026", "...", "?!",
    '"Quote"', "'single'", "(parens)", "[brackets]", "contain[s]", "co-operate", "stem-cell",
    "No.", "Mr.Smith", "vs.", "etc.)", "'s", "\u2019s", "n't", "Y'all", "gonna", "ain't",
    "o'clock", "A+", "C++", "#1", "@user", "mid\u00adword", "\u00a0", "\t", "  ", "\n", "\n\n",
    " \n ", "\uff46\uff55\uff4c\uff4c", "na\u00efve", "x\u00b2", "5\u00b0C", "20-30", "8am", "'90s",
    "ma'am", "Inc.", "Ltd.,", "Jan.", "Feb.)", "?", "!", ".", ",", ";", ":", "/", "&", "->",
    "\u2713", "\U0001f642", "\u3002", "\u0964", "stem cells", "cure", "Guaranteed", "FDA-approved",
    "non-surgical", "(FDA)", "[1]", "2020.", "3.", "b)", "(ii)", "twenty", "Thirds", "1,000th",
]


def stress_text(seed: int, n: int = 3000) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(PIECES) + rng.choice(["", " ", " ", " ", "  ", "\n", "-", "."])
                   for _ in range(n))


@pytest.fixture(scope="session")
def pipeline(engine):
    return lite.Pipeline(lite.tokenizer_rules(engine.nlp))


@pytest.fixture(scope="session")
def engines(engine):
    """The session's engine pack, matched with spaCy and with claimlint.lite."""
    return (Engine(engine.pack, extra_terms=engine.extra_terms, lite=False),
            Engine(engine.pack, extra_terms=engine.extra_terms, lite=True))


def _texts() -> list[str]:
    pages = [p.read_text(encoding="utf-8", errors="replace")
             for p in sorted((FIXTURES / "pages").iterdir()) if p.is_file()]
    return pages + [stress_text(seed) for seed in range(4)] + [
        "", " ", "  x", "x  ", "\n", "a\n", " \t\n b ", "Wow!!! Really?! Yes.", "。 中文。再"]


def test_tokens_sentences_and_lemmas_are_spacys(engine, pipeline):
    nlp = engine.nlp
    for text in _texts():
        theirs = nlp(text)
        ours = pipeline(text)
        assert [t.text for t in ours] == [t.text for t in theirs], text[:80]
        assert ours.idx == [t.idx for t in theirs]
        assert ours.spaces == [bool(t.whitespace_) for t in theirs]
        assert ours.lemma == [t.lemma_ for t in theirs]
        assert ours.lower == [t.lower_ for t in theirs]
        assert ours.punct == [t.is_punct for t in theirs]
        assert ours.sent_start == [bool(t.is_sent_start) for t in theirs]
        assert [lite.like_num(w, pipeline.vocab.number_words) for w in ours.words] == [
            t.like_num for t in theirs]


def test_spans_sentences_and_char_spans_are_spacys(engine, pipeline):
    rng = random.Random(5)
    text = stress_text(9, 400)
    theirs, ours = engine.nlp(text), pipeline(text)
    n = len(theirs)
    for _ in range(300):
        a = rng.randrange(n)
        b = rng.randrange(a, n + 1)
        t_sents = [(s.start, s.end, s.start_char, s.end_char, s.text) for s in theirs[a:b].sents]
        o_sents = [(s.start, s.end, s.start_char, s.end_char, s.text) for s in ours[a:b].sents]
        assert o_sents == t_sents
        c = rng.randrange(len(text))
        d = rng.randrange(c + 1, len(text) + 1)
        t_span, o_span = (theirs.char_span(c, d, alignment_mode="expand"),
                          ours.char_span(c, d, alignment_mode="expand"))
        assert ((o_span.start, o_span.end) if o_span else None) == (
            (t_span.start, t_span.end) if t_span else None)


def test_phrase_matcher_finds_what_spacys_finds(engine, pipeline):
    from spacy.matcher import PhraseMatcher

    text = stress_text(3, 600) + " stem cells cure cure cure stem cells"
    for attr in ("LOWER", "LEMMA"):
        theirs_m = PhraseMatcher(engine.nlp.vocab, attr=attr)
        ours_m = lite.PhraseMatcher(pipeline.vocab, attr=attr)
        for i, phrase in enumerate(["stem cells", "cure cure", "cure", "a.m.", "Dr. who", "it's"]):
            theirs_m.add(f"p{i}", [engine.nlp(phrase)])
            ours_m.add(f"p{i}", [pipeline(phrase)])
        t_doc, o_doc = engine.nlp(text), pipeline(text)
        strings = engine.nlp.vocab.strings
        for a, b in ((0, len(t_doc)), (10, 200), (len(t_doc) // 2, len(t_doc))):
            theirs = sorted((strings[m], s, e) for m, s, e in theirs_m(t_doc[a:b]))
            assert sorted(ours_m(o_doc[a:b])) == theirs


def _outcome(engine: Engine, docs: list) -> tuple[list, list]:
    findings = [[(f.rule.id, f.start, f.end, f.sent_start, f.sent_end) for f in fs]
                for fs in engine.run_many(docs)]
    hits = [sorted((h.entry.rule, h.entry.role, h.start, h.end, h.sent_start, h.sent_end,
                    tuple(sorted(h.contexts)), h.key) for h in hs)
            for hs in engine.claim_hits(docs)]
    return findings, hits


def test_lite_and_spacy_engines_give_the_same_findings(engines, linter):
    """Every fixture page and every rule example, findings and every claim match with the
    contexts around it, both ways."""
    with_spacy, with_lite = engines
    docs = [linter.load(p.read_bytes(), str(p)) for p in sorted((FIXTURES / "pages").iterdir())
            if p.is_file()]
    examples = [text for rule in with_spacy.rules
                for text in rule.flag_examples + rule.pass_examples]
    docs += [linter.load(text.encode(), "example.txt") for text in examples]
    docs += [linter.load(stress_text(seed).encode(), "stress.txt") for seed in range(2)]
    spacy_outcome = _outcome(with_spacy, docs)
    assert sum(map(len, spacy_outcome[0])) > 300  # the comparison covers many findings
    assert _outcome(with_lite, docs) == spacy_outcome


PROBE = """
import json, sys
from claimlint.lint import Linter
findings = Linter().lint_source(sys.argv[1])
print(json.dumps([[f.rule, f.line, f.column, f.end_column] for f in findings]))
print(json.dumps("spacy" in sys.modules))
"""


def test_a_small_run_in_a_fresh_process_never_imports_spacy(engine, linter):
    """With the plan saved (the session's engine saved it), a process linting one claim
    tokenizes and matches it without importing spaCy, and finds what spaCy finds."""
    text = "Our stem cell therapy cures arthritis and is 100% safe with no side effects."
    run = subprocess.run([sys.executable, "-c", PROBE, text], capture_output=True, text=True,
                         check=True)
    found, imported = map(json.loads, run.stdout.splitlines())
    expected = [[f.rule, f.line, f.column, f.end_column] for f in linter.lint_source(text)]
    assert len(expected) >= 2
    assert found == expected
    assert imported is False


NO_SPACY = """
import sys

class NoSpacy:  # any import of spaCy, in this process or a forked worker, fails
    def find_spec(self, name, path=None, target=None):
        if name == "spacy" or name.startswith("spacy."):
            raise ImportError("spaCy imported")

sys.meta_path.insert(0, NoSpacy())
from claimlint.cli import main
main(sys.argv[1:])
"""


def test_a_large_run_never_imports_spacy_either(engine, linter, tmp_path):
    """claimlint.lite is the engine of every run the plan allows, whatever its size (it was
    spaCy's past 300 KB of windows): a process checking 600 KB of claims, alone and with a
    pool of forked workers, runs with spaCy made unimportable and finds what spaCy finds."""
    text = "Our stem cell therapy cures arthritis and is 100% safe with no side effects. " * 200
    for i in range(40):
        (tmp_path / f"page{i:02d}.txt").write_text(text, encoding="utf-8")
    expected = [[f.rule, f.line, f.column] for f in linter.lint_source(text)]
    assert len(expected) >= 400
    for jobs in ("1", "2"):
        run = subprocess.run([sys.executable, "-c", NO_SPACY, "check", str(tmp_path), "--format",
                              "json", "--no-cache", "--jobs", jobs], capture_output=True, text=True)
        assert run.returncode == 1, run.stderr[-2000:]
        found = json.loads(run.stdout)["findings"]
        assert [[f["rule"], f["line"], f["column"]] for f in found] == expected * 40


def test_a_pack_lite_can_match_is_matched_with_lite_unless_told(engine):
    assert isinstance(Engine(engine.pack, extra_terms=engine.extra_terms)._matchers(True).nlp,
                      lite.Pipeline)
    assert not isinstance(Engine(engine.pack, extra_terms=engine.extra_terms, lite=False
                                 )._matchers(False).nlp, lite.Pipeline)
