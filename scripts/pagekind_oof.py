#!/usr/bin/env python3
"""The page-kind model judged by what it is for: the rules' category F1 and DISCLOSURE, out of fold.

    scripts/pagekind_oof.py --train corpus/pagekind_read_manifest.jsonl:../corpus \\
        --extra corpus/pagekind_manifest.jsonl:../corpus/kind \\
        --score ../corpus/fresh2 --score ../corpus/fresh-read --score ../corpus/d2-read \\
        --score ../corpus/owndev-read [--check ../corpus/fresh-check ...] [--folds 5] [--seeds 3]

The sentence-labeled training pages (``--train``, the read splits) are split into K folds by
*site* (the registered domain of the URL: pages of one site fall in one fold, so a model never
predicts a page from its own site's pages). For each fold the model of
``scripts/train_pagekind.py`` (every cue, intercept moved to the labeled pages' share of
explainers) is fitted on the other folds and every ``--extra`` page (kind-only pages, always in
training), and predicts the held fold. Each ``--score`` folder (labeled pages as ``claimlint
rules eval`` reads them; its pages must be training pages) is then scored with each page's kind
forced to its out-of-fold prediction: kind accuracy (educational vs not, and the three kinds
with the shipped threshold and mixed band), category F1 and DISCLOSURE pages right, against
the labeled kind (the ceiling) and the shipped model (in sample for pages it trained on), with
paired 95% intervals. Each page is linted once per kind and the findings reused (``--cache``).

Variants, each judged the same way: ``publisher`` adds cues for who publishes the page, read
from the text (publisher-type words such as hospital, university, news, foundation or clinic,
wellness, "Dr." names; bylines and dates; a references section; contact details; the site name
after a separator on the title line), and ``threshold`` scores the cues' model at other
decision thresholds (a promotional page taken for an explainer loses its claims and its
DISCLOSURE: does a "mixed when unsure" band pay?). ``--variants`` picks the cue variants
(default ``publisher,no-extra``; ``no-extra`` trains without the kind-only pages): ``layout``
adds how the page is laid out (bare short lines, bullets, capitals, words per line),
``grammar`` how it is written (words per sentence; past tense, third person singular, years,
percentages and exclamation marks per 300 words), ``layout+grammar`` both (see
``layout_features``; measured in the ninth round, not shipped). ``--more MANIFEST:TEXTS`` adds
variant ``more``: those pages in every training fold, never scored (what more labeled pages
are worth to the pages they are not). ``--check`` folders are scored only with
the model fitted on every training page (summary figures, no page named).
"""

from __future__ import annotations

import argparse
import math
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pagekind_cv import forced_counts, kind_of  # noqa: E402
from train_pagekind import HELDOUT, fit, labeled_share, load_pages, prior_corrected, probability, url_key  # noqa: E402

from claimlint.pagekind import FEATURES, MIN_WORDS, READ_CHARS, _model, features  # noqa: E402

MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
PUBLISHER = {  # measured only (not in the shipped model: they did not pay, see docs/accuracy.md)
    "p_inst": r"\b(?:hospitals?|universit(?:y|ies)|health\s+system|medical\s+cent(?:er|re)|medical\s+school"
              r"|school\s+of\s+medicine|college\s+of|faculty\s+of|academic|professor)\b",
    "p_news": r"\b(?:news|newsletter|magazine|journal|reporter|correspondent|editor|editorial|gazette|tribune"
              r"|herald|times|press|reuters|associated\s+press|subscribe|journalism|staff\s+writer|podcast)\b",
    "p_org": r"\b(?:foundation|society|association|alliance|federation|agency|ministry|government|commission"
             r"|council|non-?profit|charity|advocacy|\.gov|\.org|\.edu)\b",
    "p_seller": r"\b(?:clinic|institute|wellness|med\s*spa|medspa|rejuvenation|aesthetics?|chiropractic"
                r"|chiropractor|orthopa?edics|sports\s+medicine|pain\s+management|anti-aging|longevity|llc|inc)\b",
    "p_dr": r"\bdr\.?\s+[a-z]+",
    "p_byline": r"\b(?:medically\s+reviewed\s+by|reviewed\s+by|written\s+by|fact[- ]checked|posted\s+by"
                r"|published\s+(?:on|by)|updated\s+on|last\s+(?:updated|reviewed)|author)\b",
    "p_date": r"\b" + MONTH + r"\s+\d{1,2},?\s+\d{4}\b|\b\d{1,2}\s+" + MONTH + r"\s+\d{4}\b",
    "p_refs": r"\b(?:references|sources|citations|bibliography|doi|pmid|pubmed|et\s+al)\b",
    "p_contact": r"\(?\b\d{3}\)?[-.\s]\d{3}[-.]\d{4}\b|\bsuite\s+\d|\b(?:hours|directions|appointments?"
                 r"|locations?)\b|\bmon(?:day)?\s*[-\u2013]\s*fri",
}
_PUBLISHER = {k: re.compile(v) for k, v in PUBLISHER.items()}
_SEP = re.compile(r"\s[|\u2013\u2014-]\s|\|")
_NEWSY = re.compile("|".join(PUBLISHER[k] for k in ("p_news", "p_inst", "p_org")))


def publisher_features(text: str) -> dict[str, float]:
    """Who publishes the page, from its own text: each cue counted over the page's beginning and
    its last 2,000 characters (the footer), and separately over its first 400 characters (the
    masthead); the title line's site name (after "|" or " - ") as a newsroom or institution."""
    head, top = text[:10_000].lower(), text[:400].lower()
    tail = text[-2_000:].lower() if len(text) > 10_000 else ""
    out = {}
    for name, rx in _PUBLISHER.items():
        out[name] = math.log1p(len(rx.findall(head)) + len(rx.findall(tail)))
        out[name + "_top"] = math.log1p(len(rx.findall(top)))
    parts = _SEP.split(text.lstrip().split("\n", 1)[0].lower())
    out["p_title_site"] = float(len(parts) > 1 and bool(_NEWSY.search(parts[-1])))
    return out


_LINE_END = re.compile(r"[.!?:;,\"\u201d)]$")
_BULLET = re.compile(r"^(?:[\u2022\u25cf\u25aa\u2013*\-\u00b7]|\d{1,2}[.)])\s")
_SENTENCE = re.compile(r"[.!?]+(?:\s|$)")
GRAMMAR = {  # measured only: how the page is written, whatever it says (see ``layout_features``)
    "g_past": r"\b(?:was|were|had|did|[a-z]{3,}ed)\b",
    "g_third": r"\b(?:he|she|his|her|him)\b",
    "g_years": r"\b(?:19[5-9]\d|20[0-3]\d)\b",
    "g_percent": r"%|\bpercent\b",
    "g_exclaim": r"!",
}
_GRAMMAR = {k: re.compile(v) for k, v in GRAMMAR.items()}


def layout_features(text: str) -> dict[str, float]:
    """How the page is laid out and written, not what it says (variants ``layout`` and
    ``grammar``): the share of its lines that are bare short lines (six words or fewer with no
    closing punctuation: menus, buttons, headings), bullets and capitals; words per line and per
    sentence; and per 300 words the past tense, the third person singular, years, percentages
    and exclamation marks."""
    head = text[:READ_CHARS]
    lines = [ln.strip() for ln in head.splitlines() if ln.strip()]
    n = max(1, len(lines))
    words = head.split()
    per = max(MIN_WORDS, len(words))
    low = head.lower()
    out = {
        "l_short": sum(len(ln.split()) <= 6 and not _LINE_END.search(ln) for ln in lines) / n,
        "l_bullet": sum(bool(_BULLET.match(ln)) for ln in lines) / n,
        "l_caps": sum(sum(c.isupper() for c in ln) > 0.6 * max(1, sum(c.isalpha() for c in ln))
                      for ln in lines) / n,
        "l_linelen": math.log1p(len(words) / n),
        "g_sentlen": math.log1p(len(words) / max(1, len(_SENTENCE.findall(head)))),
    }
    for name, rx in _GRAMMAR.items():
        out[name] = math.log1p(len(rx.findall(low)) * 300 / per)
    return out


SECOND_LEVEL = ("co", "com", "org", "ac", "gov", "net", "edu")  # example.co.uk is one site


def site(url: str) -> str:
    """A URL's registered domain (``news.example.co.uk`` -> ``example.co.uk``)."""
    host = url_key(url).split("/")[0].split(":")[0]
    parts = host.split(".")
    second = len(parts) > 2 and len(parts[-1]) == 2 and parts[-2] in SECOND_LEVEL
    return ".".join(parts[-3:] if second else parts[-2:])


def site_folds(pages: list[dict], k: int, seed: int) -> list[int]:
    sites = sorted({site(p["url"]) for p in pages})
    random.Random(seed).shuffle(sites)
    fold = {s: i % k for i, s in enumerate(sites)}
    return [fold[site(p["url"])] for p in pages]


def fitted(train: list[dict], names: tuple[str, ...]) -> dict:
    """``train_pagekind.py --cues all --prior labeled`` on ``train`` (with these cue names)."""
    labels = [int(p["kind"] == "educational") for p in train]
    model = fit([p["row"] for p in train], labels, names=names)
    return prior_corrected(model, labeled_share(train), sum(labels) / len(labels))


def word_model(train: list[dict], size: int):  # noqa: ANN201
    """Variant ``words``: a logistic model over the tf-idf of the ``size`` commonest words of the
    training pages' beginnings (scikit-learn, used in this script only), its intercept moved to
    the labeled pages' share of explainers like the cues' model."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(max_features=size, min_df=5, sublinear_tf=True,
                          token_pattern=r"(?u)\b[a-z][a-z']+\b")
    x = vec.fit_transform([p["text"][:READ_CHARS].lower() for p in train])
    labels = [int(p["kind"] == "educational") for p in train]
    clf = LogisticRegression(C=3, max_iter=2000).fit(x, labels)
    share, trained = labeled_share(train), sum(labels) / len(labels)
    shift = math.log(share / (1 - share)) - math.log(trained / (1 - trained))

    def predict(pages: list[dict]) -> list[float]:
        z = clf.decision_function(vec.transform([p["text"][:READ_CHARS].lower() for p in pages]))
        return [1 / (1 + math.exp(-(float(v) + shift))) for v in z]

    return predict


def out_of_fold(pages: list[dict], extra: list[dict], names: tuple[str, ...], k: int,
                seeds: int, words: int = 0) -> list[float]:
    """Each training page's P(educational), averaged over ``seeds`` site-fold assignments (with
    ``words``, the mean of the cues' model and the word model of that many words)."""
    probs = [0.0] * len(pages)
    for seed in range(seeds):
        folds = site_folds(pages, k, seed)
        for f in range(k):
            train = [p for p, q in zip(pages, folds) if q != f] + extra
            held = [i for i, q in enumerate(folds) if q == f]
            model = fitted(train, names)
            got = [probability(model, pages[i]["row"]) for i in held]
            if words:
                got = [(a + b) / 2 for a, b in zip(got, word_model(train, words)([pages[i] for i in held]))]
            for i, p in zip(held, got):
                probs[i] += p / seeds
    return probs


def decide(p: float, page: dict, threshold: float, band: float) -> str:
    """The kind ``claimlint.pagekind.classify`` reports for P(educational) ``p`` (a page too short to
    tell is promotional)."""
    if len(page["text"][:READ_CHARS].split()) < MIN_WORDS:
        return "promotional"
    return kind_of(p, threshold, band)


def scored(pages: list[dict], counts: dict, kinds: list[str]) -> tuple[dict, str]:
    """Per-page counts with each page's kind forced, and a summary line (kind accuracy too)."""
    from claimlint.pagescore import _summed

    per = {p["path"]: counts[p["path"]]["educational" if k == "educational" else "promotional"]
           for p, k in zip(pages, kinds)}
    two = sum((k == "educational") == (p["kind"] == "educational") for p, k in zip(pages, kinds))
    three = sum(k == p["kind"] for p, k in zip(pages, kinds))
    cat = _summed(list(per.values()), "category")[2]
    right = sum(v["disclosure"][0] for v in per.values())
    return per, (f"kind right {two}/{len(pages)} (3 kinds {three})  category F1 {cat:.3f}  "
                 f"DISCLOSURE right {right}")


def utility(per: dict, splits: dict, held: str, inside: bool) -> tuple[float, float, int]:
    """Category F1 plus the share of DISCLOSURE pages right, on the pages of split ``held``
    (``inside``) or on every other split's pages; and the two figures."""
    from claimlint.pagescore import _summed

    rows = [v for path, v in per.items() if (splits[path] == held) == inside]
    cat = _summed(rows, "category")[2]
    right = sum(v["disclosure"][0] for v in rows)
    return cat + right / len(rows), cat, right


def main() -> None:  # noqa: PLR0915
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", action="append", required=True, metavar="MANIFEST:TEXTS")
    ap.add_argument("--extra", action="append", default=[], metavar="MANIFEST:TEXTS")
    ap.add_argument("--score", action="append", default=[], type=Path, metavar="FOLDER")
    ap.add_argument("--check", action="append", default=[], type=Path, metavar="FOLDER")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--thresholds", default="0.4,0.45,0.55,0.6,0.65,0.7")
    ap.add_argument("--more", action="append", default=[], metavar="MANIFEST:TEXTS",
                    help="variant more: these pages added to every training fold (the effect of more labels)")
    ap.add_argument("--variants", default="publisher,no-extra",
                    help="comma-separated: publisher, no-extra, layout, grammar, layout+grammar")
    ap.add_argument("--words", type=int, default=0,
                    help="variant words: the cues' model averaged with a word model of this many words")
    ap.add_argument("--heldout", type=Path, default=HELDOUT)
    ap.add_argument("--cache", type=Path, default=Path(".claimlint_cache/pagekind_cv.json"))
    a = ap.parse_args()
    from claimlint.pagescore import paired_change

    shipped = _model()
    threshold, band = shipped["threshold"], shipped["mixed_band"]
    train = load_pages(a.train, a.heldout)
    extra = load_pages(a.extra, a.heldout)
    more = load_pages(a.more, a.heldout)
    for p in train + extra + more:
        p["row"] = features(p["text"]) | publisher_features(p["text"]) | layout_features(p["text"])
    cues, publisher = tuple(FEATURES), (*FEATURES, *sorted(publisher_features("")))
    shape = sorted(layout_features(""))
    named = {"publisher": (publisher, True), "no-extra": (cues, False),
             "layout": ((*cues, *(f for f in shape if f.startswith("l_"))), True),
             "grammar": ((*cues, *(f for f in shape if f.startswith("g_"))), True),
             "layout+grammar": ((*cues, *shape), True)}
    probs = {"cues": out_of_fold(train, extra, cues, a.folds, a.seeds)}
    if more:
        probs["more"] = out_of_fold(train, extra + more, cues, a.folds, a.seeds)
    for name in a.variants.split(","):
        if name:
            names, with_extra = named[name]
            probs[name] = out_of_fold(train, extra if with_extra else [], names, a.folds, a.seeds)
    if a.words:
        probs["words"] = out_of_fold(train, extra, cues, a.folds, a.seeds, words=a.words)
    print(f"{len(train)} training pages in {len({site(p['url']) for p in train})} sites, "
          f"{len(extra)} kind-only pages; {a.folds}-fold by site, {a.seeds} fold assignments")
    by_path = {p["path"]: i for i, p in enumerate(train)}
    a.cache.parent.mkdir(parents=True, exist_ok=True)
    thresholds = [float(t) for t in a.thresholds.split(",") if t]
    pooled: dict[str, dict] = {}
    for folder in a.score:
        _, counts = forced_counts(folder, a.cache)
        idx = [by_path[path] for path in counts if path in by_path]
        pages = [train[i] for i in idx]
        assign = {"labeled": [p["kind"] for p in pages],
                  "shipped": [decide(probability(shipped, p["row"]), p, threshold, band) for p in pages]}
        for name, pr in probs.items():
            assign[name] = [decide(pr[i], train[i], threshold, band) for i in idx]
        for t in thresholds:
            assign[f"cues@{t}"] = [decide(probs["cues"][i], train[i], t, band) for i in idx]
        print(f"\n{folder}: {len(pages)} pages, out of fold")
        per = {}
        for name, kinds in assign.items():
            per[name], line = scored(pages, counts, kinds)
            pooled.setdefault(name, {}).update(per[name])
            print(f"  {name:10} {line}")
        others = ((v, "cues") for v in probs if v != "cues")
        for now, then in (("cues", "shipped"), *others, ("labeled", "cues")):
            c = paired_change(per[now], per[then], 2000)["category"]
            print(f"  {now} - {then}: category F1 {c['change']:+.3f} ({c['low']:+.3f} to {c['high']:+.3f})")
    if len(a.score) > 1:
        print(f"\npooled ({len(pooled['cues'])} pages)")
        for now, then in (("cues", "shipped"), ("labeled", "cues"),
                          *((name, "cues") for name in probs if name != "cues"),
                          *((f"cues@{t}", "cues") for t in thresholds)):
            c = paired_change(pooled[now], pooled[then], 2000)["category"]
            right = sum(v["disclosure"][0] for v in pooled[now].values())
            print(f"  {now} - {then}: category F1 {c['change']:+.3f} ({c['low']:+.3f} to {c['high']:+.3f}), "
                  f"DISCLOSURE right {right}")
    if len(a.score) > 1:
        print("\nthreshold chosen on the other splits (category F1 + DISCLOSURE share), applied to one:")
        splits = {p["path"]: p["file"].split("/")[0] for p in train}  # a read split's name
        by_t = {threshold: pooled["cues"]} | {t: pooled[f"cues@{t}"] for t in thresholds}
        for held in sorted(set(splits[path] for path in pooled["cues"])):
            best = max(by_t, key=lambda t, held=held: utility(by_t[t], splits, held, False)[0])
            _, cat, right = utility(by_t[best], splits, held, True)
            _, cat0, right0 = utility(by_t[threshold], splits, held, True)
            print(f"  {held}: chosen {best}: category F1 {cat:.3f}, DISCLOSURE {right} "
                  f"(at {threshold}: {cat0:.3f}, {right0})")
    if a.check:
        model = fitted(train + extra, cues)
        for folder in a.check:
            from claimlint.pagescore import load_pages as labeled_pages

            pages = [{"path": str(Path(p.file).resolve()), "kind": p.kind or "promotional",
                      "row": features(p.text), "text": p.text} for p in labeled_pages(folder)]
            _, counts = forced_counts(folder, a.cache)
            out = []
            for name, m in (("shipped", shipped), ("refit", model)):
                kinds = [decide(probability(m, p["row"]), p, threshold, band) for p in pages]
                out.append(f"{name}: {scored(pages, counts, kinds)[1]}")
            print(f"\n{folder} (check, summary only)\n  " + "\n  ".join(out))


if __name__ == "__main__":
    main()
