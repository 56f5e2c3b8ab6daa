"""The claim model: a filter stage after the rules that drops a sentence's rule findings when a
small sentence classifier reads the sentence as no claim.

    reader -> Document -> nlp -> engine -> findings -> **claim model** -> filters -> reporter

The model (``models/claims.json``, weights anyone can read) is two L2 logistic regressions over
readable features of each sentence a rule fired on: its words and word pairs, the rules and
categories that fired on it and next to it, page kind, block kind, lead-in, length, end
punctuation and a first-person "we" or "I" (and any optional feature ``GROUPS`` the model
names in ``features``). It was fitted by ``scripts/measure_claim_model.py --out`` on every read
page, with its L2 strength and thresholds chosen out of fold grouped by site (README, "Claim
model"). Where the *flagged* head scores a sentence below ``drop_below``, the sentence-level
findings that start in it are dropped; where a sentence keeps several categories, the *keep*
head (category arbitration) drops those it scores below ``extra_below``, the best one always
staying (0: the keep head is off). A finding kept is unchanged (its rule, why and
suggestion). Page-level findings (DISCLOSURE, MULTI-INDICATION) are never touched.

The feature code below is the one implementation: the measuring script imports it, so the
features a model was fitted on are the features it is applied to. Pure Python at run time (no
scikit-learn), and the model file is read only for a document with a sentence-level finding.
"""

from __future__ import annotations

import json
import math
import re
from bisect import bisect_right
from functools import lru_cache
from pathlib import Path

from claimlint.document import Document
from claimlint.engine.core import EngineFinding
from claimlint.rulepack import RuleFileError

MODEL = Path(__file__).resolve().parent / "models" / "claims.json"

# A sentence ends at . ! ? (and closing quotes) before a space and a capital, digit or quote:
# the splitter the labeling tool cuts pages with, inside each block.
SENTENCE_END = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)\]]*\s+(?=[A-Z0-9\"'\u201c\u2018(])")
WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
WE = re.compile(r"\b(?:we|our|us)\b", re.I)
I_ME = re.compile(r"\b(?:I|my|me)\b")
LENGTHS = (3, 6, 10, 16, 25, 40)  # word-count buckets
HEADING_WORDS = 8  # a plain-text block this short, without a sentence's end, reads as a heading
SUFFIX = re.compile(r"(?:ations?|ments?|ness|ities|ity|ings?|edly|ed|ers?|ly|ies|es|s)$")
YOU = re.compile(r"\b(?:you|your|yours)\b", re.I)
THEY = re.compile(r"\b(?:they|their|them|patients?|clinics?|researchers?|studies|doctors?)\b", re.I)
ASKS = frozenset(("how", "what", "why", "when", "where", "which", "who", "can", "could", "does", "do",
                  "is", "are", "will", "should", "would", "did", "was", "were", "may"))
# Optional feature groups a model may name in its "features" list (none: the tenth round's rows):
# suffix classes of the words, the sentence's place in its block and the block's in the page,
# the words of the heading above it, whether it repeats the page's title, who is addressed or
# spoken of, and question form.
GROUPS = ("suffix", "place", "heading", "title", "person", "question")

Sentence = tuple[int, int, int]  # (block index, start, end) in ``doc.text``, end exclusive


class ModelError(RuleFileError):
    """A claim model file that cannot be used; the message names the file and the field (and,
    in a subclass's class attributes, which model, its refitting script and its switch)."""

    model, script, switch = "claim model", "scripts/measure_claim_model.py", "--no-claim-model"

    def __init__(self, path: str | Path, problem: str) -> None:
        super().__init__(path, None, f"{self.model} unusable: {problem} (reinstall claimlint, refit "
                         f"it with {self.script} --out, or run with {self.switch})")


def tokens(text: str, stems: bool = False) -> list[str]:
    """The sentence's lower-cased words, or with ``stems`` their crude stems."""
    words = WORD.findall(text.lower().replace("\u2019", "'"))
    if not stems:
        return words
    out = []
    for w in words:
        s = SUFFIX.sub("", w) if len(w) > 4 else w
        out.append(s if len(s) >= 3 else w)
    return out


def sentences(doc: Document) -> list[Sentence]:
    """The document's sentences as (block index, start, end) in ``doc.text``."""
    out = []
    text = doc.text
    for bi, block in enumerate(doc.blocks):
        pos = block.start
        bounds = [(m.start(), m.end()) for m in SENTENCE_END.finditer(text, block.start, block.end)]
        for a, b in [*bounds, (block.end, block.end)]:
            seg = text[pos:a]
            if seg.strip():
                out.append((bi, pos + len(seg) - len(seg.lstrip()), a - (len(seg) - len(seg.rstrip()))))
            pos = b
    return out


def sentence_of(sents: list[Sentence], found: list[EngineFinding]) -> list[int | None]:
    """The sentence each finding starts in (None for page-level findings)."""
    starts = [s[1] for s in sents]
    return [None if f.rule.scope != "sentence" or not sents else max(0, bisect_right(starts, f.start) - 1)
            for f in found]


def sentence_row(doc: Document, sents: list[Sentence], fired: list[list[EngineFinding]],
                 i: int, rate: float, stems: bool = False, groups: tuple[str, ...] = ()
                 ) -> dict[str, float]:
    """Sentence ``i``'s features: words (``w:``), word pairs (``b:``), the categories and rules
    that fired on it (``rc:``, ``ri:``; read from the findings, so a new rule needs no code) and
    its context: page kind, block kind, lead-in, length, punctuation, neighbours' findings;
    and the optional feature ``groups`` (``GROUPS``) a model names."""
    n = len(sents)
    bi, a, b = sents[i]
    text = doc.text[a:b]
    toks = tokens(text, stems)
    kind = doc.page_kind
    block = doc.blocks[bi]
    f = dict.fromkeys(map("w:".__add__, toks), 1.0)
    f.update(dict.fromkeys(map("b:{}_{}".format, toks, toks[1:]), 1.0))
    f.update({f"rc:{h.rule.category}": 1.0 for h in fired[i]})
    f.update({f"ri:{h.rule.id}": 1.0 for h in fired[i]})
    f.update({"rate": rate, f"kind:{kind}": 1.0, f"block:{block.kind}": 1.0,
              f"block:{block.kind}|{kind}": 1.0,
              f"region:{block.region}": 1.0, f"len:{sum(len(toks) >= e for e in LENGTHS)}": 1.0,
              "pos": i / max(1, n), "fired": float(len({h.rule.category for h in fired[i]})),
              "prev_flag": float(i > 0 and bool(fired[i - 1])),
              "next_flag": float(i + 1 < n and bool(fired[i + 1]))})
    if block.lead is not None:
        f["lead"] = 1.0
    end = text[-1:]
    f["end:" + (end if end in ".!?:" else "none")] = 1.0
    if text.isupper():
        f["upper"] = 1.0
    if WE.search(text):
        f["we"] = 1.0
    if I_ME.search(text):
        f["i"] = 1.0
    if groups:
        f.update(group_features(doc, sents, i, toks if not stems else tokens(text), groups))
    return f


def heading_like(doc: Document, block) -> bool:
    """A heading: marked as one, or (plain text) a short block not ended as a sentence is."""
    if block.kind in ("heading", "title"):
        return True
    text = doc.text[block.start:block.end].rstrip()
    return (block.kind == "paragraph" and bool(text) and text[-1] not in ".!?,;:"
            and len(text.split(None, HEADING_WORDS)) <= HEADING_WORDS)


def group_features(doc: Document, sents: list[Sentence], i: int, words: list[str],
                   groups: tuple[str, ...]) -> dict[str, float]:
    """The optional features of sentence ``i`` (its lower-cased ``words``) for ``groups``."""
    bi, a, b = sents[i]
    text = doc.text[a:b]
    f: dict[str, float] = {}
    if "suffix" in groups:
        for w in words:
            m = SUFFIX.search(w) if len(w) > 4 else None
            if m:
                f[f"sfx:{m.group()}"] = 1.0
    if "place" in groups:
        same = [s for s in sents if s[0] == bi]
        k = same.index(sents[i])
        f["at:" + ("only" if len(same) == 1 else "first" if k == 0 else "last" if k == len(same) - 1
                   else "mid")] = 1.0
        f[f"blockat:{min(bi, 3)}"] = 1.0
    if "heading" in groups:
        if heading_like(doc, doc.blocks[bi]):
            f["headlike"] = 1.0
        for block in reversed(doc.blocks[:bi]):
            if heading_like(doc, block):
                f.update({f"hw:{t}": 1.0 for t in tokens(doc.text[block.start:block.end])})
                break
    if "title" in groups and bi > 0 and doc.blocks:
        first = doc.blocks[0]
        title = set(tokens(doc.text[first.start:first.end]))
        if words and title and len(set(words) & title) >= 0.6 * len(set(words)):
            f["title_repeat"] = 1.0
    if "person" in groups:
        f["you"] = float(bool(YOU.search(text)))
        f["they"] = float(bool(THEY.search(text)))
    if "question" in groups and (text.rstrip().endswith("?") or (words and words[0] in ASKS)):
        f["question"] = 1.0
    return f


def finding_row(doc: Document, sent: Sentence, row: dict[str, float],
                f: EngineFinding, categories: int) -> dict[str, float]:
    """A rule finding's features: its sentence's ``row``, plus its own rule and category, alone
    and crossed with the page and block kind, and how many categories fired on the sentence."""
    cat = f.rule.category
    return row | {f"cat:{cat}": 1.0, f"rule:{f.rule.id}": 1.0, f"cat:{cat}|{doc.page_kind}": 1.0,
                  f"cat:{cat}|{doc.blocks[sent[0]].kind}": 1.0, f"cats:{categories}": 1.0}


def fired_by_sentence(doc: Document, found: list[EngineFinding]
                      ) -> tuple[list[Sentence], list[int | None], list[list[EngineFinding]], float]:
    """The sentences, each finding's sentence, the findings starting in each sentence, and the
    share of sentences with one: what every sentence's features are read from."""
    return _read(doc, found)[2]


def row(doc: Document, found: list[EngineFinding], i: int, stems: bool = False,
        groups: tuple[str, ...] = ()) -> dict[str, float]:
    """Sentence ``i``'s features (``sentence_row``), built once for the claim model and the
    claim finder alike (callers never change a row)."""
    _, _, (sents, _, fired, rate), rows = _read(doc, found)
    key = (i, stems, groups)
    got = rows.get(key)
    if got is None:
        got = rows[key] = sentence_row(doc, sents, fired, i, rate, stems, groups)
    return got


_LAST: tuple | None = None  # (doc, found, fired_by_sentence's answer, the rows built from it)


def _read(doc: Document, found: list[EngineFinding]) -> tuple:
    """The claim model and the claim finder read the same document and findings one after the
    other: the last reading (with its rows) is kept and given again for the same two objects."""
    global _LAST
    last = _LAST
    if last is not None and last[0] is doc and last[1] is found:
        return last
    sents = sentences(doc)
    where = sentence_of(sents, found)
    fired: list[list[EngineFinding]] = [[] for _ in sents]
    for f, i in zip(found, where, strict=True):
        if i is not None:
            fired[i].append(f)
    last = _LAST = (doc, found, (sents, where, fired, sum(bool(h) for h in fired) / max(1, len(sents))), {})
    return last


def rows(doc: Document, found: list[EngineFinding], stems: bool = False, keep: bool = True,
         groups: tuple[str, ...] = ()
         ) -> tuple[list[Sentence], list[int | None], dict[int, dict], dict[int, dict]]:
    """The sentences, each finding's sentence, the flagged head's rows (by sentence) and the
    keep head's rows (by finding index; empty when ``keep`` is false), with the optional
    feature ``groups``: what both the fit and ``apply`` score."""
    sents, where, fired, _ = fired_by_sentence(doc, found)
    flagged = {i: row(doc, found, i, stems, groups) for i in sorted({i for i in where if i is not None})}
    keep_rows = {} if not keep else {
        j: finding_row(doc, sents[i], flagged[i], f, len({h.rule.category for h in fired[i]}))
        for j, (f, i) in enumerate(zip(found, where, strict=True)) if i is not None}
    return sents, where, flagged, keep_rows


def probability(head: dict, feats: dict[str, float]) -> float:
    """A logistic head's probability for one feature row (the features' terms summed in the
    row's order, then the bias added: ``claimfinder.Heads`` sums in the same order)."""
    w = head["weights"]
    z = 0.0
    for k, v in feats.items():
        if k in w:
            z += w[k] * v
    return 1 / (1 + math.exp(-max(-30.0, min(30.0, head["bias"] + z))))


def keep_mask(where: list[int | None], flagged_p: dict[int, float], keep_p: dict[int, float],
              drop_below: float, extra_below: float) -> list[bool]:
    """Which findings stay: page-level ones always; a sentence's findings only when its flagged
    probability reaches ``drop_below``; of its categories, those whose keep probability reaches
    ``extra_below``, and always its best one (no keep probabilities: the keep head is off)."""
    best: dict[int, float] = {}
    for j, i in enumerate(where):
        if i is not None:
            best[i] = max(best.get(i, 0.0), keep_p.get(j, 1.0))
    return [i is None or (flagged_p[i] >= drop_below
                          and (keep_p.get(j, 1.0) >= extra_below or keep_p.get(j, 1.0) == best[i]))
            for j, i in enumerate(where)]


def check_head(path: Path, name: str, head: object, error: type[ModelError] = ModelError,
               numbers: tuple[str, ...] = ("bias",)) -> None:
    """A logistic head's fields, well typed (``numbers`` and its table of weights); else
    ``error`` naming the file and the field. The claim finder's heads are checked here too."""
    if not isinstance(head, dict):
        raise error(path, f"heads.{name} is missing or not an object")
    for key in numbers:
        if not isinstance(head.get(key), (int, float)) or isinstance(head.get(key), bool):
            raise error(path, f"heads.{name}.{key} is missing or not a number")
    weights = head.get("weights")
    if not isinstance(weights, dict) or not all(
            isinstance(k, str) and isinstance(v, (int, float)) and not isinstance(v, bool)
            for k, v in weights.items()):
        raise error(path, f"heads.{name}.weights is missing or not a table of numbers")


def validate(model: object, path: str | Path = "<model>") -> dict:
    """The model if every field ``apply`` reads is there and well typed; else ModelError."""
    path = Path(path)
    if not isinstance(model, dict):
        raise ModelError(path, "not a JSON object")
    for key in ("drop_below", "extra_below"):
        v = model.get(key)
        if not isinstance(v, (int, float)) or isinstance(v, bool) or not 0 <= v <= 1:
            raise ModelError(path, f"'{key}' is missing or not a number from 0 to 1")
    if not isinstance(model.get("stems", False), bool):
        raise ModelError(path, "'stems' must be true or false")
    features = model.get("features", [])
    if not isinstance(features, list) or not all(isinstance(g, str) and g in GROUPS for g in features):
        raise ModelError(path, f"'features' must be a list of feature groups ({', '.join(GROUPS)})")
    heads = model.get("heads")
    if not isinstance(heads, dict):
        raise ModelError(path, "'heads' is missing or not an object")
    check_head(path, "flagged", heads.get("flagged"))
    if model["extra_below"] > 0:
        check_head(path, "keep", heads.get("keep"))
    return model


def read_json(path: str | Path, error: type[ModelError] = ModelError) -> object:
    """A model file's JSON; ``error`` naming the file if it cannot be read or parsed."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise error(path, f"cannot read it ({exc})") from exc
    except ValueError as exc:
        raise error(path, f"not valid JSON ({exc})") from exc


@lru_cache(maxsize=4)
def load_model(path: str = str(MODEL)) -> dict:
    """The model file, read and checked once per process (ModelError if unusable)."""
    return validate(read_json(path), path)


def apply(doc: Document, found: list[EngineFinding], model: dict | None = None) -> list[EngineFinding]:
    """The engine's findings without the sentence-level findings of the sentences the model
    reads as no claim; page-level findings always stay. A document with no sentence-level
    finding is returned as it is, without reading the model."""
    if not any(f.rule.scope == "sentence" for f in found):
        return found
    model = load_model() if model is None else model
    drop, extra = model["drop_below"], model["extra_below"]
    heads = model["heads"]
    _, where, flagged, keep_rows = rows(doc, found, model.get("stems", False), keep=extra > 0,
                                        groups=tuple(model.get("features", ())))
    flagged_p = {i: probability(heads["flagged"], r) for i, r in flagged.items()}
    keep_p = {j: probability(heads["keep"], r) for j, r in keep_rows.items()}
    mask = keep_mask(where, flagged_p, keep_p, drop, extra)
    return [f for f, k in zip(found, mask, strict=True) if k]
