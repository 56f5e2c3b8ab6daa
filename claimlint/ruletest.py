"""``claimlint rules test``: every rule's own examples, run through the real engine (a model rule's
through the rules, the claim model and the claim finder, as ``claimlint check`` runs them)."""

from __future__ import annotations

from dataclasses import dataclass

from claimlint.engine.core import Engine
from claimlint.lint import read_document
from claimlint.rulepack import RulePack

MIN_EXAMPLES = 3


@dataclass
class ExampleFailure:
    rule: str
    kind: str  # "flag", "pass" or "missing"
    text: str
    detail: str = ""

    def __str__(self) -> str:
        if self.kind == "missing":
            return f"{self.rule}: {self.detail}"
        want = "should be flagged but was not" if self.kind == "flag" else "should pass but was flagged"
        extra = f" ({self.detail})" if self.detail else ""
        return f"{self.rule}: {want}{extra}: {self.text.strip()!r}"


def test_rules(pack: RulePack, engine: Engine) -> tuple[int, list[ExampleFailure]]:
    """Run all examples; returns (number of examples checked, failures)."""
    failures: list[ExampleFailure] = []
    cases = []
    for rule in pack.rules:
        for kind, examples in (("flag", rule.flag_examples), ("pass", rule.pass_examples)):
            if len(examples) < MIN_EXAMPLES:
                failures.append(ExampleFailure(rule.id, "missing", "", (
                    f"needs at least {MIN_EXAMPLES} '{kind}' examples, has {len(examples)}")))
            for text in examples:
                cases.append((rule, kind, text))
    docs = [read_document(text, "text", f"<{rule.id} {kind} example>")
            for rule, kind, text in cases]
    results = engine.run_many(docs, one_per_claim=False)
    model = [n for n, (rule, _, _) in enumerate(cases) if rule.scope == "model"]
    for n, found in zip(model, _through_the_models(pack, engine, [docs[n] for n in model]), strict=True):
        results[n] = found
    for (rule, kind, text), found, doc in zip(cases, results, docs, strict=True):
        hits = [f for f in found if f.rule.id == rule.id]
        if kind == "flag" and not hits:
            failures.append(ExampleFailure(rule.id, kind, text))
        elif kind == "pass" and hits:
            failures.append(ExampleFailure(rule.id, kind, text,
                                           f"matched {doc.text[hits[0].start:hits[0].end]!r}"))
    failures.extend(_context_coverage(pack, engine, cases, docs))
    return len(cases), failures


def _through_the_models(pack: RulePack, engine: Engine, docs: list) -> list[list]:
    """The findings of ``docs`` as ``claimlint check`` makes them: the rules, then the claim
    model and the claim finder with their shipped models (a model rule's examples are tested
    through the real model)."""
    if not docs:
        return []
    from claimlint import claimfinder, claimmodel

    by_id = {r.id: r for r in pack.rules}
    out = []
    for doc, found in zip(docs, engine.run_many(docs), strict=True):
        kept = claimmodel.apply(doc, found) if found else found
        out.append(claimfinder.apply(doc, found, kept, by_id))
    return out


def _context_coverage(pack: RulePack, engine: Engine, cases: list, docs: list) -> list[ExampleFailure]:
    """Each context a sentence rule cancels on must be shown by one of its pass examples:
    a sentence its patterns match that the context turns into a non-claim."""
    passing = [(rule, doc) for (rule, kind, _), doc in zip(cases, docs, strict=True)
               if kind == "pass" and rule.scope == "sentence"]
    hits = engine.claim_hits([doc for _, doc in passing])
    shown: dict[str, set[str]] = {}
    for (rule, _doc), found in zip(passing, hits, strict=True):
        for h in found:
            if engine.rules[h.entry.rule] is rule:
                shown.setdefault(rule.id, set()).update(h.contexts & rule.cancel)
    out = []
    for rule in pack.rules:
        if rule.scope != "sentence":
            continue
        for ctx in sorted(rule.cancel - shown.get(rule.id, set())):
            out.append(ExampleFailure(rule.id, "missing", "", (
                f"no 'pass' example shows the {ctx} context cancelling a match")))
    return out
