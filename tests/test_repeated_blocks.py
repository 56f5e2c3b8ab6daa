"""One claim, one finding across repeated title lines: a page's title repeated word for word as its
first heading is one claim, reported once; a short section label repeated over two sections
("Patient stories") is reported each time (claimlint.engine.core.without_repeats)."""

from __future__ import annotations

PAGE = """Stem Cell Therapy for Knee Arthritis

Stem Cell Therapy for Knee Arthritis

Book a consultation with our clinic today.
"""


def _rules_at(findings, rule_prefix: str) -> list[int]:
    return [f.line for f in findings if f.rule.startswith(rule_prefix)]


def test_a_title_repeated_as_its_heading_is_reported_once(linter):
    found = linter.lint_source(PAGE, "text", "page.txt")
    assert _rules_at(found, "TREATMENT.") == [1]


def test_the_same_words_in_a_different_block_are_reported(linter):
    page = PAGE.replace("Stem Cell Therapy for Knee Arthritis\n\nBook",
                        "Our stem cell therapy for knee arthritis works.\n\nBook", 1)
    found = linter.lint_source(page, "text", "page.txt")
    assert _rules_at(found, "TREATMENT.") == [1, 3]


def test_a_repeat_without_the_first_finding_is_reported():
    from claimlint.document import Block, Document
    from claimlint.engine.core import EngineFinding, without_repeats
    from claimlint.rulepack import Rule

    text = "Cures knee pain fast\n\nCures knee pain fast\n\nShort one\n\nShort one"
    blocks = [Block(0, 20, "paragraph"), Block(22, 42, "paragraph"),
              Block(44, 53, "paragraph"), Block(55, 64, "paragraph")]
    doc = Document("p.txt", "text", text, text, [], blocks)
    rule = Rule.__new__(Rule)
    object.__setattr__(rule, "id", "TREATMENT.treats-condition")
    other = Rule.__new__(Rule)
    object.__setattr__(other, "id", "GUARANTEE.guaranteed-results")

    def at(r, start):  # noqa: ANN001, ANN202
        return EngineFinding(r, start, start + 5, start, start + 5)

    # the copy's finding of the same rule goes; another rule's, and a short label's, stay
    kept = without_repeats(doc, [at(rule, 0), at(rule, 22), at(other, 22), at(rule, 44),
                                  at(rule, 55)])
    assert [(f.rule.id, f.start) for f in kept] == [
        ("TREATMENT.treats-condition", 0), ("GUARANTEE.guaranteed-results", 22),
        ("TREATMENT.treats-condition", 44), ("TREATMENT.treats-condition", 55)]
    # the earlier copy fired nothing of that rule: the later copy is reported
    kept = without_repeats(doc, [at(other, 0), at(rule, 22)])
    assert [(f.rule.id, f.start) for f in kept] == [
        ("GUARANTEE.guaranteed-results", 0), ("TREATMENT.treats-condition", 22)]


def test_a_sentence_written_twice_is_two_claims(linter):
    page = ("We offer stem cell injections.\n\nOur injections cure knee arthritis.\n\n"
            "Call us today.\n\nOur injections cure knee arthritis.\n")
    found = linter.lint_source(page, "text", "page.txt")
    assert _rules_at(found, "TREATMENT.") == [3, 7]
