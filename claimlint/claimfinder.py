"""The claim finder: a recall stage after the claim model that reports claims no rule found.

    reader -> Document -> nlp -> engine -> findings -> claim model -> **claim finder** -> filters

Every sentence of the document (cut as the labeling tool cuts pages: ``claimmodel.sentences``)
is scored by one L2 logistic head per category (``models/finder.json``, weights anyone can
read) over the claim model's sentence features (``claimmodel.sentence_row``: words, word
pairs, page and block kind, lead-in, length, punctuation, first person, the rules that fired on
the sentence and next to it). Where a head's probability reaches its threshold and the rules
(after the claim model) left no finding of that category on the sentence, a finding of the
category's model-backed rule (``TREATMENT.model-claim`` and so on, in the rule pack with their
why, suggestion and examples) is added over the whole sentence. It only adds findings: a rule
finding is never changed, and a sentence the claim model emptied is left alone (the model read
it as no claim). With ``mode`` ``"empty"`` only sentences with no finding at all get one; with
``"missing"`` a flagged sentence may also get a category the rules missed.

The model is fitted by ``scripts/measure_claim_finder.py --out`` on every read page, with the
thresholds chosen out of fold grouped by site (README, "Claim finder"). Pure Python at run time.
"""

from __future__ import annotations

import math
from array import array
from functools import lru_cache
from operator import add
from pathlib import Path

from claimlint.claimmodel import (
    ModelError,
    check_head,
    fired_by_sentence,
    read_json,
    row,
    sentence_of,
)
from claimlint.document import Document
from claimlint.engine.core import EngineFinding, without_repeats
from claimlint.rulepack import Rule

MODEL = Path(__file__).resolve().parent / "models" / "finder.json"
MODES = ("empty", "missing")


class FinderError(ModelError):
    """A claim finder model file that cannot be used; the message names the file and field."""

    model, script, switch = "claim finder model", "scripts/measure_claim_finder.py", "--no-claim-finder"


def rule_id(category: str) -> str:
    """The model-backed rule that names a finding the finder adds for ``category``."""
    return f"{category}.model-claim"


def all_rows(doc: Document, found: list[EngineFinding], stems: bool = False
             ) -> tuple[list[tuple[int, int, int]], list[int | None], list[dict[str, float]]]:
    """Every sentence, the sentence of each engine finding, and each sentence's features
    (the rules' findings before the claim model: the same features the fit sees)."""
    sents, where, _, _ = fired_by_sentence(doc, found)
    return sents, where, [row(doc, found, i, stems) for i in range(len(sents))]


def eligible(n: int, where: list[int | None], where_kept: list[int | None],
             kept_categories: list[str], mode: str) -> list[set[str] | None]:
    """Per sentence, the categories the rules left on it after the claim model (a category in
    it is never added again), or None where nothing may be added: a sentence the claim model
    emptied, or (mode ``empty``) a sentence with any finding left."""
    have: list[set[str]] = [set() for _ in range(n)]
    for i, cat in zip(where_kept, kept_categories, strict=True):
        if i is not None:
            have[i].add(cat)
    fired = {i for i in where if i is not None}
    return [None if (i in fired and not have[i]) or (mode == "empty" and have[i]) else have[i]
            for i in range(n)]


def _check_head(path: Path, name: str, head: object) -> None:
    check_head(path, name, head, FinderError, ("bias", "threshold"))
    if not 0 < head["threshold"] <= 1:
        raise FinderError(path, f"heads.{name}.threshold must be above 0 and at most 1")


def validate(model: object, path: str | Path = "<model>") -> dict:
    """The model if every field ``apply`` reads is there and well typed; else FinderError."""
    path = Path(path)
    if not isinstance(model, dict):
        raise FinderError(path, "not a JSON object")
    if model.get("mode") not in MODES:
        raise FinderError(path, f"'mode' must be one of {', '.join(MODES)}")
    if not isinstance(model.get("stems", False), bool):
        raise FinderError(path, "'stems' must be true or false")
    heads = model.get("heads")
    if not isinstance(heads, dict):
        raise FinderError(path, "'heads' is missing or not an object")
    for name, head in heads.items():
        if not isinstance(name, str) or not name.isupper():
            raise FinderError(path, f"heads: {name!r} is not a category name")
        _check_head(path, name, head)
    return model


@lru_cache(maxsize=4)
def load_model(path: str = str(MODEL)) -> dict:
    """The model file, read and checked once per process (FinderError if unusable)."""
    return validate(read_json(path, FinderError), path)


class Heads:
    """A model's heads compiled for scoring, with its mode and stems: each feature is looked up
    once for all heads instead of once per head. Each head's terms are summed in the order
    ``claimmodel.probability`` sums them, so the probabilities are the same to the last bit."""

    def __init__(self, model: dict) -> None:
        heads = model["heads"]
        self.mode: str = model["mode"]
        self.stems: bool = model.get("stems", False)
        self.names = list(heads)
        self.biases = [heads[n]["bias"] for n in self.names]
        self.thresholds = [heads[n]["threshold"] for n in self.names]
        # a logit a little below each threshold's: below it the probability cannot reach it
        self.least = [math.log(t / (1 - t)) - 1e-6 if t < 1 else math.inf for t in self.thresholds]
        # every feature's weights for the nine heads side by side in one array of doubles, found
        # by the feature's offset (0.0 where a head has none): a feature's terms are added to all
        # heads in one C-level step, adding 0.0 changes no sum, and the plan cache's copy is two
        # objects, read in a few milliseconds
        width = len(self.names)
        rows: dict[str, list[float]] = {}
        for j, name in enumerate(self.names):
            for feature, w in heads[name]["weights"].items():
                rows.setdefault(feature, [0.0] * width)[j] = w
        self.offsets: dict[str, int] = {}
        self.table = array("d")
        for feature, ws in rows.items():
            self.offsets[feature] = len(self.table)
            self.table.extend(ws)

    def probabilities(self, row: dict[str, float]) -> list[float]:
        """Each head's probability for ``row``, in the order of ``names``."""
        return [_sigmoid(b + z) for b, z in zip(self.biases, self._sums(row))]

    def _sums(self, row: dict[str, float]) -> list[float]:
        width = len(self.names)
        sums = [0.0] * width
        offsets, table = self.offsets, self.table
        for feature, value in row.items():
            at = offsets.get(feature)
            if at is not None:
                ws = table[at:at + width]
                sums = list(map(add, sums, ws if value == 1.0 else [w * value for w in ws]))
        return sums

    def passing(self, row: dict[str, float]) -> list[tuple[str, float]]:
        """The heads whose probability for ``row`` reaches their threshold, with it. The
        probability is only computed where the head's logit comes near its threshold's."""
        return [(name, p) for name, b, z, least, threshold
                in zip(self.names, self.biases, self._sums(row), self.least, self.thresholds)
                if b + z >= least and (p := _sigmoid(b + z)) >= threshold]


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))


_HEADS: dict[int, tuple[dict, Heads]] = {}


def heads_of(model: dict) -> Heads:
    """A model's compiled heads, built once per model object."""
    hit = _HEADS.get(id(model))
    if hit is None or hit[0] is not model:
        if len(_HEADS) > 8:
            _HEADS.clear()
        hit = _HEADS[id(model)] = (model, Heads(model))
    return hit[1]


@lru_cache(maxsize=1)
def shipped() -> Heads:
    """The shipped model compiled, kept in the plan cache under the digest of claimlint's code
    and models: a new process reads it in a few milliseconds, where reading, checking and
    compiling the 2.7 MB JSON file takes about a tenth of a second (FinderError if that file
    is unusable)."""
    from claimlint.cache import code_digest
    from claimlint.engine.plancache import load_cached, save_cached

    key = f"finder-{code_digest()}"
    heads = load_cached(key)
    if not isinstance(heads, Heads):
        heads = Heads(load_model())
        save_cached(key, heads)
    return heads


def rules_for(names: list[str], rules: dict[str, Rule], path: str | Path = MODEL) -> dict[str, Rule]:
    """Each head's model-backed rule from the rule pack (FinderError if the pack lacks one)."""
    out = {}
    for cat in names:
        rule = rules.get(rule_id(cat))
        if rule is None or rule.scope != "model":
            raise FinderError(path, f"the rule pack has no model rule {rule_id(cat)} for head {cat}")
        out[cat] = rule
    return out


def apply(doc: Document, found: list[EngineFinding], kept: list[EngineFinding],
          rules: dict[str, Rule], model: dict | None = None) -> list[EngineFinding]:
    """``kept`` (the findings after the claim model) plus a finding of a model-backed rule for
    each sentence and category whose head reaches its threshold where the rules left none.
    ``found`` are the engine's findings before the claim model (the features read them);
    ``rules`` are the pack's rules by id; ``model`` a model's JSON (default: the shipped one)."""
    if not doc.text.strip():
        return kept
    heads = shipped() if model is None else heads_of(model)
    if not heads.names:
        return kept
    by_cat = rules_for(heads.names, rules)
    sents, where, feats = all_rows(doc, found, heads.stems)
    allowed = eligible(len(sents), where, sentence_of(sents, kept), [f.rule.category for f in kept],
                       heads.mode)
    added = []
    for i, (feats_i, have) in enumerate(zip(feats, allowed, strict=True)):
        if have is None:
            continue
        _, a, b = sents[i]
        for cat, p in heads.passing(feats_i):
            if cat not in have:
                added.append(EngineFinding(by_cat[cat], a, b, a, b, {"claim_probability": round(p, 3)}))
    if not added:
        return kept
    # one claim, one finding: a title repeated as a heading, whose first copy has a finding of
    # the category, gets none in the copy (the engine drops a rule's repeats the same way)
    new = {id(f) for f in added}
    return without_repeats(doc, kept + added, by=lambda f: f.rule.category, droppable=lambda f: id(f) in new)
