"""A page with no full stops is one long "sentence": its cost and its findings' size grow
with the page, not with the page times its claims."""

from __future__ import annotations

import random
from types import SimpleNamespace

from claimlint.engine.core import EngineFinding, _one_per_claim, _without_yielded
from claimlint.lint import SENTENCE_CHARS, sentence_excerpt


def test_a_short_sentence_is_kept_whole():
    text = "  Our cells cure pain.  "
    assert sentence_excerpt(text, 0, len(text), 12, 16) == "Our cells cure pain."


def test_a_long_sentence_is_cut_around_its_claim_at_spaces():
    words = [f"word{i}" for i in range(600)]
    text = " ".join(words)
    start = text.index("word300")
    end = start + len("word300")
    excerpt = sentence_excerpt(text, 0, len(text), start, end)
    assert "word300" in excerpt
    assert excerpt.startswith("…") and excerpt.endswith("…")
    inner = excerpt.strip("…")
    assert f" {inner} " in f" {text} "  # a run of whole words
    assert len(excerpt) <= SENTENCE_CHARS + 2
    # a claim at the very start keeps the sentence's start, unmarked
    head = sentence_excerpt(text, 0, len(text), 0, 5)
    assert head.startswith("word0 ") and head.endswith("…")


def test_every_finding_of_an_unpunctuated_page_has_a_bounded_sentence(linter):
    text = "our stem cell therapy is safe and can heal pain " * 800  # 38 KB, no full stop
    findings = linter.lint_source(text)
    assert len(findings) > 500
    assert all(len(f.sentence) <= SENTENCE_CHARS + 2 for f in findings)
    assert all(f.text.lower() in f.sentence.lower() for f in findings)


def _random_findings(rng: random.Random, n: int) -> list[EngineFinding]:
    rules = [SimpleNamespace(id=f"{cat}.r{k}", category=cat, severity=sev, yields_to=yields)
             for k, (cat, sev, yields) in enumerate([
                 ("TREATMENT", "error", ()), ("TREATMENT", "warning", ()), ("SAFETY", "error", ()),
                 ("MECHANISM", "warning", ("TREATMENT",)), ("SAFETY", "warning", ("SAFETY.r2",)),
                 ("EVIDENCE", "info", ("TREATMENT.r0",))])]
    found = []
    for _ in range(n):
        start = rng.randrange(300)
        sent = start - start % 40
        found.append(EngineFinding(rng.choice(rules), start, start + rng.randint(1, 25), sent, sent + 40))
    return found


def test_one_per_claim_and_yielding_keep_what_pairwise_checks_keep():
    """The bisection versions against the plain pairwise definitions, on random findings."""
    rank = {"error": 0, "warning": 1, "info": 2}

    def pairwise_one_per_claim(findings):
        kept = []
        for f in sorted(findings, key=lambda f: (rank[f.rule.severity], f.end - f.start, f.start, f.rule.id)):
            if not any(g.rule.category == f.rule.category and g.start < f.end and f.start < g.end
                       for g in kept):
                kept.append(f)
        return kept

    def pairwise_without_yielded(findings):
        def yields(f):
            for target in f.rule.yields_to:
                if "." in target:
                    if any(g.rule.id == target and g.start < f.end and f.start < g.end for g in findings):
                        return True
                elif target != f.rule.category and any(
                        g.rule.category == target and g.sent_start == f.sent_start for g in findings):
                    return True
            return False
        return [f for f in findings if not yields(f)]

    rng = random.Random(3)
    for trial in range(200):
        findings = _random_findings(rng, rng.randint(0, 60))
        assert _one_per_claim(findings) == pairwise_one_per_claim(findings), trial
        assert _without_yielded(findings) == pairwise_without_yielded(findings), trial
