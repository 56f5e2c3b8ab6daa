"""Who is speaking: is a page selling a treatment, or explaining and warning about it?

LABELING.md's first rule: on an educational page (a hospital, university, regulator, journalist,
consumer guide or critical blog) almost nothing is a claim, while on a seller's page the
seller's own statements about its treatment are claims even when hedged. The page decides
from its own words:

- *selling voice*: the first person of a business ("we offer", "our clinic", "our patients"),
  booking and contact calls, prices and financing, patient stories;
- *explaining voice*: warnings and reported speech about other sellers ("clinics that
  promise", "beware"), statements of non-approval, research and trial language, advice to
  patients ("ask your doctor").

A page with a clear selling voice is ``promotional`` (``mixed`` when it also explains at
length); a page whose explaining voice clearly outweighs any selling voice is ``educational``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KINDS = ("promotional", "mixed", "educational")

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
    re.IGNORECASE,
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
    re.IGNORECASE,
)


@dataclass(frozen=True)
class PageKind:
    kind: str
    selling: int  # selling cues on the page
    explaining: int  # explaining and warning cues


def classify(text: str) -> PageKind:
    """The kind of page ``text`` is, from its own words."""
    selling = len(SELLING.findall(text))
    explaining = len(EXPLAINING.findall(text))
    if explaining >= 4 and explaining >= 2 * selling + 1:
        kind = "educational"
    elif explaining >= 2 * selling + 3:
        kind = "mixed"
    else:
        kind = "promotional"
    return PageKind(kind, selling, explaining)


def cues(text: str) -> tuple[int, int, str]:
    """(selling cues, explaining cues, kind) for tuning and reports."""
    k = classify(text)
    return k.selling, k.explaining, k.kind
