"""Rule files: load ``rules/*.yml``, validate every field, and describe each rule as data.

A rule file holds a ``category`` and a list of ``rules``. A bad file is refused with its
path, the rule id and what is wrong (RuleFileError), so a regulator extending the pack
gets a precise message instead of a traceback.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

SEVERITIES = ("error", "warning", "info")
CONTEXTS = ("negated", "warned", "question")
PAGE_KINDS = ("promotional", "mixed", "educational")  # who is speaking (claimlint.pagekind)
PATTERN_KINDS = ("phrase", "lemma", "tokens", "regex")
RULE_KEYS = {
    "id", "severity", "message", "why", "suggestion", "patterns", "cancel", "scope",
    "examples", "requires", "unless", "seed", "sources", "exclude", "yields_to", "pages",
    "list_items", "list_leads", "min_words", "category",
}
DOC_GROUP_KEYS = {"name", "min", "patterns", "distinct", "short"}


@lru_cache(maxsize=1)
def _rule_loader() -> type:
    """The YAML loader for rule files (built on first use: a run that unpickles a cached
    rule pack never imports yaml)."""
    import yaml

    class _RuleLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml: ~9x faster
        """YAML 1.2 booleans: only true/false, so words like ``no`` and ``on`` stay strings
        in phrase lists and token patterns."""

    _RuleLoader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    _RuleLoader.add_implicit_resolver(
        "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
        list("tTfF"))
    return _RuleLoader


class RuleFileError(ValueError):
    """A rule file that cannot be used; the message names the file and rule."""

    def __init__(self, path: str | Path, rule_id: str | None, problem: str) -> None:
        where = f"{path}" + (f" [{rule_id}]" if rule_id else "")
        super().__init__(f"{where}: {problem}")
        self.path, self.rule_id, self.problem = str(path), rule_id, problem


@dataclass(frozen=True)
class Pattern:
    """One way a rule can match: a phrase, a lemma phrase, a token pattern or a regex."""

    kind: str
    value: Any  # str for phrase/lemma/regex, list[dict] for tokens


@dataclass(frozen=True)
class Group:
    """A document rule's condition: at least ``min`` matches of these patterns on the page."""

    name: str
    patterns: tuple[Pattern, ...]
    min: int = 1
    distinct: bool = False  # count distinct matched words, not occurrences
    short: tuple[int, int] | None = None  # (words, min): a text under that many words needs min

    def needed(self, words_at_least: Callable[[int], bool]) -> int:
        """The count this group needs in a document (``words_at_least(n)``: has it n words)."""
        if self.short is None or words_at_least(self.short[0]):
            return self.min
        return self.short[1]


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    severity: str
    message: str
    why: str
    suggestion: str
    patterns: tuple[Pattern, ...]
    cancel: frozenset[str]
    scope: str = "sentence"
    pages: frozenset[str] = frozenset({"promotional", "mixed"})  # page kinds where it can claim
    list_items: bool = False  # the short items of a list whose lead-in it flags are its claims too
    list_leads: tuple[str, ...] = ()  # lead-ins (regexes) that make a list's short items its claims
    # document rules: the fewest words a page of a kind needs before the rule judges it
    min_words: tuple[tuple[str, int], ...] = ()
    flag_examples: tuple[str, ...] = ()
    pass_examples: tuple[str, ...] = ()
    requires: tuple[Group, ...] = ()
    unless: tuple[Pattern, ...] = ()
    unless_config: str | None = None
    exclude: tuple[Pattern, ...] = ()  # a sentence matching one of these is never a claim
    yields_to: tuple[str, ...] = ()  # rules or categories whose finding in the sentence wins
    seed: str = ""
    sources: tuple[str, ...] = ()
    file: str = ""


@dataclass
class RulePack:
    rules: list[Rule]
    files: list[str] = field(default_factory=list)
    digest: str = ""

    def get(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    @property
    def categories(self) -> list[str]:
        return sorted({r.category for r in self.rules})


def shipped_rules_dir() -> Path:
    """The rule pack shipped with claimlint: inside the installed package, or the
    repository's top-level ``rules/`` when running from a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "rules", here.parent / "rules"):
        if candidate.is_dir():
            return candidate
    raise RuleFileError(here / "rules", None, "shipped rule pack not found")


def load_rules(dirs: list[Path] | None = None, *, shipped: bool = True) -> RulePack:
    """Load the shipped pack plus any extra rule directories (or single files)."""
    paths: list[Path] = []
    sources = ([shipped_rules_dir()] if shipped else []) + [Path(d) for d in dirs or []]
    for src in sources:
        if src.is_file():
            paths.append(src)
        elif src.is_dir():
            paths.extend(sorted(list(src.glob("*.yml")) + list(src.glob("*.yaml"))))
        else:
            raise RuleFileError(src, None, "rule directory does not exist")
    digest = hashlib.sha256()
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    texts = []
    lists: dict[str, list[str]] = {}
    for path in paths:
        data = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + data)
        text = data.decode("utf-8", "replace")
        texts.append((path, text))
        lists.update(_word_lists(_load_yaml(text, path), path))
    for path, text in texts:
        for rule in parse_rule_file(text, path, lists):
            if rule.id in seen:
                raise RuleFileError(path, rule.id, f"duplicate rule id (also in {seen[rule.id]})")
            seen[rule.id] = str(path)
            rules.append(rule)
    return RulePack(rules, [str(p) for p in paths], digest.hexdigest())


def _load_yaml(text: str, path: str | Path) -> Any:
    import yaml

    try:
        return yaml.load(text, Loader=_rule_loader())  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as exc:
        raise RuleFileError(path, None, f"not valid YAML: {exc}".replace("\n", " ")) from exc


def _word_lists(data: Any, path: str | Path) -> dict[str, list[str]]:
    """Named word lists (``lists: {conditions: [...]}``), usable in token patterns as
    ``{LEMMA: {IN: "@conditions"}}`` from any rule file of the pack."""
    if not isinstance(data, dict) or "lists" not in data:
        return {}
    lists = data["lists"]
    if not isinstance(lists, dict) or not all(
            isinstance(v, list) and all(isinstance(w, (str, int)) for w in v) for v in lists.values()):
        raise RuleFileError(path, None, "'lists' must map names to lists of words")
    return {str(k): [str(w) for w in v] for k, v in lists.items()}


def parse_rule_file(text: str, path: str | Path = "<rules>",
                    lists: dict[str, list[str]] | None = None) -> list[Rule]:
    """Parse and validate one rule file's text (``lists``: word lists of the whole pack)."""
    data = _load_yaml(text, path)
    lists = {**_word_lists(data, path), **(lists or {})}
    if isinstance(data, dict) and "rules" not in data and set(data) <= {"lists", "description"}:
        return []  # a file of shared word lists only
    if not isinstance(data, dict) or "rules" not in data:
        raise RuleFileError(path, None, "expected a mapping with 'category' and 'rules'")
    unknown = set(data) - {"category", "rules", "description", "lists"}
    if unknown:
        raise RuleFileError(path, None, f"unknown top-level key(s): {', '.join(sorted(unknown))}")
    if not isinstance(data["rules"], list):
        raise RuleFileError(path, None, "'rules' must be a list")
    category = data.get("category")
    if category is None and all(isinstance(r, dict) and "category" in r for r in data["rules"]):
        # a file of rules of several categories (the claim finder's): each names its own
        return [_parse_rule(raw, _category(raw["category"], path), path, lists) for raw in data["rules"]]
    category = _category(category, path)
    return [_parse_rule(raw, category, path, lists) for raw in data["rules"]]


def _category(category: Any, path: str | Path) -> str:
    if not isinstance(category, str) or not category.isupper() and "-" not in category:
        raise RuleFileError(path, None, "'category' must be an upper-case name like GUARANTEE")
    return category


def _parse_rule(raw: Any, category: str, path: str | Path, lists: dict[str, list[str]]) -> Rule:
    if not isinstance(raw, dict):
        raise RuleFileError(path, None, "each rule must be a mapping")
    rid = raw.get("id")
    if not isinstance(rid, str) or not rid.startswith(category + "."):
        raise RuleFileError(path, str(rid), f"'id' must look like {category}.short-name")

    def fail(problem: str) -> RuleFileError:
        return RuleFileError(path, rid, problem)

    fail.lists = lists  # type: ignore[attr-defined]

    unknown = set(raw) - RULE_KEYS
    if unknown:
        raise fail(f"unknown key(s): {', '.join(sorted(unknown))}")
    for key in ("severity", "message", "why", "suggestion"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise fail(f"missing or empty '{key}'")
    if raw["severity"] not in SEVERITIES:
        raise fail(f"severity must be one of {', '.join(SEVERITIES)}")
    if raw.get("category", category) != category:
        raise fail(f"'category' {raw['category']!r} differs from the file's {category!r}")
    scope = raw.get("scope", "sentence")
    if scope not in ("sentence", "document", "model"):
        raise fail("scope must be 'sentence', 'document' or 'model'")
    if scope == "model" and (set(raw) & {"patterns", "cancel", "exclude", "requires", "unless",
                                         "yields_to", "list_items", "list_leads", "min_words"}):
        raise fail("a model rule (scope: model) names the claim finder's findings: it takes no "
                   "patterns, cancel, exclude or other matching keys")
    cancel = raw.get("cancel", [])
    if isinstance(cancel, list) and "hedged" in cancel:
        raise fail("'hedged' no longer cancels a claim: regulators cite hedged claims of a seller "
                   "(FDA's intended use, the FTC's net impression); remove it from 'cancel'")
    if not isinstance(cancel, list) or set(cancel) - set(CONTEXTS):
        raise fail(f"'cancel' must be a list drawn from {', '.join(CONTEXTS)}")
    pages = raw.get("pages", ["promotional", "mixed"])
    if not isinstance(pages, list) or not pages or set(pages) - set(PAGE_KINDS):
        raise fail(f"'pages' must be a list drawn from {', '.join(PAGE_KINDS)}")
    list_items = raw.get("list_items", False)
    if not isinstance(list_items, bool) or list_items and scope != "sentence":
        raise fail("'list_items' must be true or false, and only for sentence rules")
    list_leads = raw.get("list_leads", [])
    if not isinstance(list_leads, list) or not all(isinstance(x, str) for x in list_leads) \
            or list_leads and scope != "sentence":
        raise fail("'list_leads' must be a list of regexes, and only for sentence rules")
    if list_leads:
        import regex
    for rx in list_leads:
        try:
            regex.compile(rx, regex.IGNORECASE | regex.V0)
        except regex.error as err:
            raise fail(f"invalid 'list_leads' regex {rx!r}: {err}") from None
    min_words = raw.get("min_words", {})
    if not isinstance(min_words, dict) or set(min_words) - set(PAGE_KINDS) or not all(
            isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in min_words.values()) \
            or min_words and scope != "document":
        raise fail(f"'min_words' must map page kinds ({', '.join(PAGE_KINDS)}) to positive word "
                   "counts, and only for document rules")
    examples = raw.get("examples") or {}
    if not isinstance(examples, dict) or set(examples) - {"flag", "pass"}:
        raise fail("'examples' must have 'flag' and 'pass' lists")
    flag, passing = examples.get("flag", []), examples.get("pass", [])
    if not all(isinstance(x, str) for x in flag + passing):
        raise fail("examples must be strings")
    unless, unless_config, requires = (), None, ()
    if scope == "model":
        patterns = ()
    elif scope == "sentence":
        patterns = _parse_patterns(raw.get("patterns"), fail)
        if "requires" in raw or "unless" in raw:
            raise fail("'requires' and 'unless' are for document rules (scope: document)")
    else:
        if "patterns" in raw:
            raise fail("a document rule lists its patterns under 'requires'")
        patterns = ()
        requires = tuple(_parse_group(g, fail) for g in _as_list(raw.get("requires"), "requires", fail))
        if not requires:
            raise fail("a document rule needs at least one 'requires' group")
        u = raw.get("unless") or {}
        if not isinstance(u, dict) or set(u) - {"patterns", "config"}:
            raise fail("'unless' must be a mapping with 'patterns' and optional 'config'")
        unless = _parse_patterns(u.get("patterns"), fail) if u.get("patterns") else ()
        unless_config = u.get("config")
    exclude = _parse_patterns(raw["exclude"], fail) if raw.get("exclude") else ()
    yields_to = raw.get("yields_to", [])
    if not isinstance(yields_to, list) or not all(isinstance(y, str) for y in yields_to):
        raise fail("'yields_to' must be a list of rule ids or categories")
    sources = raw.get("sources", [])
    if not isinstance(sources, list):
        raise fail("'sources' must be a list")
    return Rule(
        id=rid, category=category, severity=raw["severity"], message=raw["message"].strip(),
        why=" ".join(raw["why"].split()), suggestion=raw["suggestion"].strip(),
        patterns=patterns, cancel=frozenset(cancel), scope=scope, pages=frozenset(pages),
        list_items=list_items, list_leads=tuple(list_leads), min_words=tuple(sorted(min_words.items())),
        flag_examples=tuple(flag), pass_examples=tuple(passing), requires=requires,
        unless=unless, unless_config=unless_config, exclude=exclude,
        seed=str(raw.get("seed", "")), sources=tuple(map(str, sources)), file=str(path),
        yields_to=tuple(yields_to),
    )


def _as_list(value: Any, key: str, fail) -> list:  # noqa: ANN001
    if not isinstance(value, list) or not value:
        raise fail(f"'{key}' must be a non-empty list")
    return value


def _parse_group(raw: Any, fail) -> Group:  # noqa: ANN001
    if not isinstance(raw, dict) or set(raw) - DOC_GROUP_KEYS or "name" not in raw:
        raise fail("each 'requires' group needs 'name', 'patterns' and optional 'min', "
                   "'distinct', 'short'")
    minimum = raw.get("min", 1)
    if not isinstance(minimum, int) or isinstance(minimum, bool) or minimum < 1:
        raise fail(f"group '{raw['name']}': 'min' must be a positive integer")
    short = raw.get("short")
    if short is not None:
        if (not isinstance(short, dict) or set(short) != {"words", "min"}
                or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 1
                           for v in short.values())):
            raise fail(f"group '{raw['name']}': 'short' must be {{words: N, min: M}} with positive "
                       "integers (on a text of fewer than N words the group needs M matches)")
        short = (short["words"], short["min"])
    return Group(str(raw["name"]), _parse_patterns(raw.get("patterns"), fail), minimum,
                 bool(raw.get("distinct", False)), short)


def _parse_patterns(raw: Any, fail) -> tuple[Pattern, ...]:  # noqa: ANN001
    out = []
    for item in _as_list(raw, "patterns", fail):
        if not isinstance(item, dict) or len(item) != 1:
            raise fail(f"each pattern is a one-key mapping ({', '.join(PATTERN_KINDS)}): {item!r}")
        (kind, value), = item.items()
        if kind not in PATTERN_KINDS:
            raise fail(f"unknown pattern kind '{kind}' (use {', '.join(PATTERN_KINDS)})")
        if kind == "tokens":
            if not isinstance(value, list) or not value or not all(isinstance(t, dict) for t in value):
                raise fail(f"a token pattern is a list of token mappings: {value!r}")
        elif not isinstance(value, str) or not value.strip():
            raise fail(f"a {kind} pattern must be a non-empty string")
        if kind == "tokens":
            value = [_stringify(_resolve_lists(t, fail)) for t in value]
            out.extend(Pattern(kind, v) for v in _hyphen_variants(value))
            continue
        out.append(Pattern(kind, value))
    return tuple(out)


_HYPHENATED = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)+")


def _hyphen_variants(tokens: list[dict]) -> list[list[dict]]:
    """A token pattern, plus one variant for each hyphenated word of its word lists.

    The tokenizer splits "stop-gap" into "stop", "-", "gap", so a list entry "stop-gap" can
    never equal one token: each such entry also becomes its pieces in a row (the last piece
    matched by lemma where the list is of lemmas: "stop-gaps")."""
    if not tokens:
        return [[]]
    token, tails = tokens[0], _hyphen_variants(tokens[1:])
    heads = [[token]]
    for attr in ("LOWER", "LEMMA") if "OP" not in token else ():
        spec = token.get(attr)
        words = spec.get("IN") if isinstance(spec, dict) else None
        words = words if isinstance(words, list) else ()
        others = {k: v for k, v in token.items() if k != attr}
        for word in dict.fromkeys(w.lower() for w in words
                                  if isinstance(w, str) and _HYPHENATED.fullmatch(w)):
            *head, last = word.split("-")
            heads.append([t for piece in head for t in ({"LOWER": piece}, {"ORTH": "-"})]
                         + [{**others, attr: last}])
    return [h + t for h in heads for t in tails]


STRING_ATTRS = {"ORTH", "TEXT", "LOWER", "NORM", "LEMMA", "SHAPE"}


def _resolve_lists(token: dict, fail) -> dict:  # noqa: ANN001
    """Replace ``"@name"`` in IN / NOT_IN with the named word list."""
    out = {}
    for attr, value in token.items():
        if isinstance(value, dict):
            value = dict(value)
            for op in ("IN", "NOT_IN"):
                ref = value.get(op)
                if isinstance(ref, str) and ref.startswith("@"):
                    if ref[1:] not in fail.lists:
                        raise fail(f"unknown word list '{ref}'")
                    value[op] = list(fail.lists[ref[1:]])
        out[attr] = value
    return out


def _stringify(token: dict) -> dict:
    """YAML reads ``100`` as a number; spaCy wants strings for text attributes."""
    out = {}
    for attr, value in token.items():
        if attr in STRING_ATTRS:
            if isinstance(value, (int, float)):
                value = str(value)
            elif isinstance(value, dict):
                value = {k: [str(x) if isinstance(x, (int, float)) else x for x in v]
                         if isinstance(v, list) else v for k, v in value.items()}
        out[attr] = value
    return out
