"""The rule catalogue in the README, generated from the rule files (never written twice):
which warning of the risk guidance each rule enforces, and every rule with its severity and
message. A rule's ``seed`` field names the section it rests on (for traceability)."""

from __future__ import annotations

import re

from claimlint.rulepack import Rule, RulePack

# The numbered warnings of the risk guidance (an overview of the risks of stem cell therapy)
# and its two closing lists.
SEED_SECTIONS = {
    "§1": "Injection-site reactions",
    "§2": "Pain or increased discomfort",
    "§3": "Infection",
    "§4": "Ineffective or incomplete results",
    "§5": "Inflammation flare-ups or immune reactions",
    "§6": "Poor-quality or unregulated products",
    "§7": "Overgrowth or unintended cell behavior",
    "§8": "Blood clot or vascular risk",
    "§9": "Cost and lack of insurance coverage",
    "Real danger": "\"The real danger comes from\": untrained providers, unapproved labs, "
                   "overseas treatments, misleading marketing claims, low-quality products",
    "Most common risks": "\"Most common risks\": mild pain, swelling or inflammation; "
                         "temporary discomfort; failure to achieve desired results",
}
START, END = "<!-- rule-catalogue:start -->", "<!-- rule-catalogue:end -->"
_SECTION = re.compile(r"§(\d)(?:\s*[–-]\s*§(\d))?")


def seed_sections(rule: Rule) -> set[str]:
    """The sections of the risk guidance a rule's ``seed`` field cites (``§1–§8`` is a range)."""
    found = set()
    for m in _SECTION.finditer(rule.seed):
        first, last = int(m.group(1)), int(m.group(2) or m.group(1))
        found |= {f"§{n}" for n in range(first, last + 1)}
    for name in ("Real danger", "Most common risks"):
        if name.lower() in rule.seed.lower():
            found.add(name)
    return found


def render_catalogue(pack: RulePack) -> str:
    """Markdown for the README: the warnings of the risk guidance with the rules enforcing
    each, then the rules by category."""
    lines = ["### Risks of stem cell therapy, and the rules that enforce each warning", "",
             "The rules are built from an overview of the risks of stem cell therapy: its nine "
             "numbered risks and its two closing lists.", "",
             "| section | warning | rules |", "|---|---|---|"]
    for key, title in SEED_SECTIONS.items():
        ids = sorted(r.id for r in pack.rules if key in seed_sections(r))
        lines.append(f"| {key} | {title} | {', '.join(f'`{i}`' for i in ids) or '—'} |")
    lines += ["", "### Rules", "",
              "| rule | severity | not a claim when | message |", "|---|---|---|---|"]
    for rule in sorted(pack.rules, key=lambda r: r.id):
        scope = {"document": " (page)", "model": " (model)"}.get(rule.scope, "")
        cancel = "the claim finder's threshold" if rule.scope == "model" else (
            ", ".join(sorted(rule.cancel)) or "—")
        lines.append(f"| `{rule.id}`{scope} | {rule.severity} | {cancel} | {rule.message} |")
    lines += ["", f"{len(pack.rules)} rules; `claimlint rules show ID` prints a rule's why, "
              "sources, suggestion and examples. (model): named by the claim finder, which adds "
              "a finding where a fitted sentence classifier reads a claim no rule found."]
    return "\n".join(lines) + "\n"


def replace_block(readme: str, catalogue: str) -> str:
    """The README text with the block between the catalogue markers replaced."""
    before, rest = readme.split(START, 1)
    _, after = rest.split(END, 1)
    return f"{before}{START}\n{catalogue}{END}{after}"
