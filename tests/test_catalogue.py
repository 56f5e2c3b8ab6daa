"""The README's rule catalogue and accuracy table come from the rule files and the corpus."""

from claimlint.catalogue import SEED_SECTIONS, START, render_catalogue, replace_block, seed_sections
from tests.conftest import ROOT


def test_every_seed_warning_maps_to_a_rule(engine):
    covered = set().union(*(seed_sections(r) for r in engine.pack.rules))
    assert set(SEED_SECTIONS) <= covered


def test_every_rule_cites_a_seed_section(engine):
    assert [r.id for r in engine.pack.rules if not seed_sections(r) and "Opening" not in r.seed
            and "Final Thoughts" not in r.seed] == []


def test_readme_catalogue_is_up_to_date(engine):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert START in readme
    assert replace_block(readme, render_catalogue(engine.pack)) == readme, (
        "run: claimlint rules catalogue --write README.md")


def test_seed_ranges_expand():
    from claimlint.rulepack import parse_rule_file

    (rule,) = parse_rule_file(
        "category: X\nrules:\n  - id: X.y\n    severity: info\n    message: m\n    why: w\n"
        "    suggestion: s\n    seed: '§1–§3; Most common risks'\n    patterns: [{phrase: z}]\n")
    assert seed_sections(rule) == {"§1", "§2", "§3", "Most common risks"}
