"""Who is speaking: is a page selling a treatment, or explaining and warning about it?

LABELING.md's first rule: on an educational page (a hospital, university, regulator, journalist,
consumer guide or critical blog) almost nothing is a claim, while on a seller's page the
seller's own statements about its treatment are claims even when hedged. The page decides
from its own words (its first 10,000 characters, lower-cased: every pattern here but ``NAMED``
is written in lower case). Each feature below counts one kind of cue per 300 words:

- *selling voice*: the first person of a business ("we offer", "our clinic", "our patients"),
  booking and contact calls, prices and financing, patient stories;
- *explaining voice*: warnings and reported speech about other sellers ("clinics that
  promise", "beware"), statements of non-approval, research and trial language, advice to
  patients ("ask your doctor"), quotes and attributions;
- *a reporter's or a reference page's voice* (``REPORTING``): a business spoken of in the third
  person ("the clinic", "the company charges"), words attributed to a named person ("said Dr
  Jane Roe"), prices told as a range rather than quoted ("the cost of", "prices range"), a trial
  reported (participants, enrolment, placebo, a registry number) and the page's own disclaimer
  ("for informational purposes", "not medical advice"). These tell a news report of one clinic,
  a guide to costs or a trial summary from the seller it speaks of: both name the clinic, its
  prices and its claims, but only the seller says "we".

A logistic model over these counts, fitted on labeled real pages by
``scripts/train_pagekind.py`` and shipped as ``models/pagekind.json``, gives the probability
that a page is educational. Its weights are a dozen numbers anyone can read, and the model
names the cues it reads: a cue the shipped model has no weight for is not counted.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

MODEL = Path(__file__).resolve().parent / "models" / "pagekind.json"
MIN_WORDS = 60  # below this a page is too short to tell who is speaking
# Who is speaking shows from a page's beginning (the model was fitted on page beginnings), and
# reading only that keeps the cost per page flat however long the page is.
READ_CHARS = 10_000

SELLING = re.compile(
    r"\b(?:we|we'?ve|we'?re|i)\s+(?:also\s+|now\s+|proudly\s+|currently\s+|can\s+|will\s+|are\s+able\s+to\s+)?"
    r"(?:offer|provide|use|utilize|specialize|perform|treat|inject|harvest|recommend|help|"
    r"deliver|administer|combine|source|call|believe|see|have\s+(?:treated|helped|performed|seen))\w*\b"
    r"|\bour\s+(?:\w+\s+)?(?:clinics?|cent(?:er|re)s?|practice|office|team|doctors?|physicians?|"
    r"specialists?|providers?|patients|staff|facility|facilities|lab|laboratory|institute|hospital|"
    r"treatments?|therapy|therapies|procedures?|protocols?|injections?|products?|programs?|"
    r"services?|approach|technique|experts?|surgeons?|location)\b"
    r"|\b(?:call|contact|visit|email)\s+(?:us|our|the\s+clinic|today)\b"
    r"|\b(?:schedule|book|request|claim|get)\s+(?:a|an|your)\s+(?:\w+\s+)?"
    r"(?:consultation|appointment|evaluation|visit|assessment|quote)\b"
    r"|\b(?:free|complimentary)\s+(?:\w+\s+)?(?:consultation|evaluation|assessment|screening)\b"
    r"|\$\s?\d|\b(?:payment\s+plans?|financing|carecredit)\b"
    r"|\b(?:patient\s+)?(?:testimonials?|success\s+stories|reviews?)\b"
    r"|\b(?:call|text)\s+(?:now|today)\b|\bsign\s+up\b|\bbook\s+(?:now|online|today)\b",
)
EXPLAINING = re.compile(
    r"\b(?:beware|wary|caution|cautious|skeptical|sceptical|scams?|fraud\w*|predatory|"
    r"unscrupulous|misleading|deceptive|red\s+flags?|too\s+good\s+to\s+be\s+true)\b"
    r"|\b(?:some|many|these|those|other|such|unregulated|unlicensed|rogue)\s+(?:\w+\s+)?"
    r"(?:clinics|providers|companies|businesses|practitioners|sellers|marketers|chiropractors)\b"
    r"|\b(?:clinics|providers|companies|businesses|sellers|practitioners)\s+(?:that|who|which|"
    r"claim\w*|promis\w*|advertis\w*|market\w*|offer\w*|often|may|are)\b"
    r"|\b(?:un|not\s+(?:yet\s+)?(?:been\s+)?|no\s+(?:\w+\s+){0,3}(?:is|are|has\s+been|have\s+been)\s+)"
    r"(?:fda[- ])?(?:approved|proven)\b"
    r"|\bunproven\b|\binvestigational\b|\bexperimental\b|\bstem\s+cell\s+tourism\b"
    r"|\b(?:researchers?|scientists?|investigators)\b|\baccording\s+to\b"
    r"|\b(?:randomi[sz]ed|controlled|peer-reviewed|published)\s+(?:\w+\s+)?(?:trials?|studies|study|research)\b"
    r"|\b(?:ask|talk\s+to|check\s+with)\s+(?:your|a|the)\s+(?:\w+\s+)?(?:doctor|physician|provider|clinic)\b"
    r"|\b(?:consumers?|patients)\s+should\b|\bif\s+you\s+are\s+considering\b"
    r"|\b(?:fda|ftc|isscr|nih|cdc)\s+(?:has\s+|have\s+)?(?:warn|caution|advis|says|said|state|"
    r"recommend|issued|sent)\w*"
    r"|\b(?:tout\w*|trumpet\w*|purport\w*|so-called|allegedly|hype[ds]?)\b|\bwarning\s+letters?\b"
    r"|\b(?:ads?|advertisements?|advertising|marketing(?:\s+materials?)?)\s+(?:for|that|promis\w*|"
    r"claim\w*|say\w*|tout\w*)|\bdirect-to-consumer\b|\bno\s+(?:fda[- ])?approved\b"
    r"|\b(?:it|they|he|she|the\s+ad)\s+(?:said|claimed|promised|stated)\b",
)
# A reporter's or a reference page's voice (see the module docstring); each is a feature of its
# own. ``named`` runs on the text as written: a person's name is told by its capitals.
REPORTING = {
    "reported": r"\b(?:the|this|that)\s+(?:company|clinic|firm|business|cent(?:er|re)|practice|provider)\b"
                r"|\bcharg(?:es|ed|ing)\b",
    "prices": r"\b(?:costs?|prices?)\s+(?:of|for|range|ranges|between|around|about)\b",
    "trial": r"\bnct\d{8}\b|\bparticipants\b|\benrol(?:l)?(?:ed|ing|ment)\b|\bplacebo\b|\bcohort\b"
             r"|\bmeta-analys[ie]s\b|\bsystematic\s+review\b",
    "disclaimer": r"\bnot\s+(?:intended\s+as\s+)?(?:a\s+substitute\s+for\s+)?(?:professional\s+)?"
                  r"medical\s+advice|\b(?:informational|educational)\s+purposes\b|\bfor\s+information\s+only\b",
}
NAMED = re.compile(
    r"\b(?:said|says|according\s+to)\s+(?:Dr\.?\s+)?[A-Z][a-z]+\s+[A-Z][a-z]+"
    r"|\b[A-Z][a-z]+\s+[A-Z][a-z]+,?\s+(?:said|says|told|explained|added|noted)\b",
)
# Further voices: who is addressed and who is quoted (names are the model's feature names).
VOICES = {
    "we": r"\b(?:we|our|ours|us)\b",
    "you": r"\b(?:you|your)\b",
    "i": r"\b(?:i|my|me)\b",
    "they": r"\b(?:they|their|them)\b",
    "clinics": r"\bclinics\b",
    "fda": r"\bfda\b",
    "research": r"\b(?:study|studies|research|researchers|trials?|evidence|journal|published)\b",
    "said": r"\b(?:said|says|told|according)\b",
    "quote": r"[\"\u201c\u201d]",
    "question": r"\?",
    "dollar": r"\$",
    "may": r"\b(?:may|might|could|can)\b",
    "not": r"\b(?:not|no|never|n't)\b",
    "unproven": r"\b(?:unproven|experimental|investigational|not\s+approved|unapproved)\b",
}
BASE_FEATURES = ("selling", "explaining", *VOICES)  # the first model's cues (before the reporter's voice)
FEATURES = (*BASE_FEATURES, *REPORTING, "named")  # every cue (scripts/pagekind_cues.py measures them)


def _first_chars(items: list) -> set[str] | None:
    """The characters a match of a parsed sequence can start with (None: any)."""
    out: set[str] = set()
    for op, av in items:
        name = str(op)
        if name in ("AT", "ASSERT", "ASSERT_NOT"):
            continue  # consumes nothing
        if name == "LITERAL":
            return out | {chr(av)}
        if name == "IN" and all(str(o) == "LITERAL" for o, _ in av):
            return out | {chr(v) for _, v in av}
        if name == "SUBPATTERN":
            body, empty = list(av[-1]), av[-1].getwidth()[0] == 0
        elif name == "BRANCH":
            firsts = [_first_chars(list(b)) for b in av[1]]
            if any(f is None for f in firsts):
                return None
            empty = any(b.getwidth()[0] == 0 for b in av[1])
            out |= set().union(*firsts)
            if not empty:
                return out
            continue
        elif name in ("MAX_REPEAT", "MIN_REPEAT"):
            body, empty = list(av[2]), av[0] == 0 or av[2].getwidth()[0] == 0
        else:
            return None
        first = _first_chars(body)
        if first is None:
            return None
        out |= first
        if not empty:
            return out
    return None  # the whole may match nothing


def _compiled(pattern: str) -> re.Pattern:
    """``pattern``, searched faster: behind a look-ahead for the characters a match can
    start with (the same matches; the search then skips every other place at C speed)."""
    try:
        import re._parser as sre_parse
    except ImportError:  # pragma: no cover - Python 3.10
        import sre_parse  # type: ignore[no-redef]
    first = _first_chars(list(sre_parse.parse(pattern)))
    if not first:
        return re.compile(pattern)
    chars = "".join(map(re.escape, sorted(first)))
    return re.compile(f"(?=[{chars}])(?:{pattern})")


_SELLING, _EXPLAINING = _compiled(SELLING.pattern), _compiled(EXPLAINING.pattern)
_VOICES = {name: _compiled(rx) for name, rx in (VOICES | REPORTING).items()}
_WORD = re.compile(r"\w+")
_ALTERNATIVES = re.compile(r"\\b\(\?:((?:[a-z]+(?:s\?)?\|)*[a-z]+(?:s\?)?)\)\\b")


def _word_sets() -> dict[str, frozenset[str]]:
    """Cues that are a plain list of words (``\\b(?:we|our|ours|us)\\b``): each match is a
    whole word of the text, so a count of the text's words answers them all at once."""
    out = {}
    for name, rx in VOICES.items():
        m = _ALTERNATIVES.fullmatch(rx)
        if m:
            words = set()
            for alt in m.group(1).split("|"):
                words |= {alt[:-2], alt[:-1]} if alt.endswith("s?") else {alt}
            out[name] = frozenset(words)
    return out


_WORD_CUES = _word_sets()


@dataclass(frozen=True)
class PageKind:
    kind: str
    educational: float  # the model's probability that the page explains rather than sells
    selling: int  # selling cues on the page
    explaining: int  # explaining and warning cues


def cue_counts(text: str, names: Iterable[str] = FEATURES) -> dict[str, int]:
    """How often each cue of ``names`` (default: all) occurs in the beginning of ``text``;
    the selling and explaining voices are always counted."""
    head = text[:READ_CHARS]
    low = head.lower()
    counts = {"selling": len(_SELLING.findall(low)), "explaining": len(_EXPLAINING.findall(low))}
    words = Counter(_WORD.findall(low))
    for name, rx in _VOICES.items():
        if name in names:
            cue = _WORD_CUES.get(name)
            counts[name] = sum(map(words.__getitem__, cue)) if cue else len(rx.findall(low))
    if "named" in names:
        counts["named"] = len(NAMED.findall(head))
    return counts


def features(text: str, counts: dict[str, int] | None = None) -> dict[str, float]:
    """Each cue's count per 300 words, log-scaled (the model's inputs)."""
    counts = counts or cue_counts(text)
    words = max(MIN_WORDS, len(text[:READ_CHARS].split()))  # a short text's few cues are not a rate
    return {name: math.log1p(n * 300 / words) for name, n in counts.items()}


@lru_cache(maxsize=1)
def _model() -> dict:
    return json.loads(MODEL.read_text(encoding="utf-8"))


def classify(text: str) -> PageKind:
    """The kind of page ``text`` is, from its own words. A text of a few sentences says too
    little about who is speaking: it is judged as a seller's copy, the cautious side for a
    compliance check (set ``page-kind`` in the configuration to decide otherwise)."""
    model = _model()
    w, mean, scale = model["weights"], model["mean"], model["scale"]
    counts = cue_counts(text, w)  # only the cues the shipped model reads
    if len(text[:READ_CHARS].split()) < MIN_WORDS:
        return PageKind("promotional", 0.0, counts["selling"], counts["explaining"])
    feats = features(text, counts)
    z = model["bias"] + sum(w[f] * (feats[f] - mean[f]) / scale[f] for f in w)
    p = 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))
    kind = ("educational" if p >= model["threshold"]
            else "mixed" if p >= model["threshold"] - model["mixed_band"] else "promotional")
    return PageKind(kind, round(p, 4), counts["selling"], counts["explaining"])
