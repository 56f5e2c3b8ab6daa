#!/usr/bin/env python3
"""Would a sentence classifier beside the rules gain on the pages of sites it never saw?

    scripts/measure_claim_model.py DIR [DIR ...] [--split site|page] [--c 0.1,0.3,1] [--stems]
                                   [--features GROUP,...] [--min-sites N] [--goal category|mean]
                                   [--report RESULT.json] [--out MODEL.json]

Each DIR is a labeled page set (``pages_labels.jsonl`` and ``pages/``, as ``claimlint rules
eval`` reads it; third-party text kept out of git). Read sets only: a folder named as a check
or held-out split (``NOT_FOR_TRAINING``) stops the run. The eleventh round measured with

    scripts/measure_claim_model.py \\
        /work/corpus/{fresh6,fresh4,fresh5,fresh3,dev3,fresh2,fresh-read,d2-read,owndev-read}

Every page is linted once by the rules as they are now (rule ids and categories are read from
the findings, so the same command measures again after any rule change) and cut into sentences
as the labeling tool cuts them. Two heads are fitted as L2 logistic regressions (scikit-learn,
a development tool only: ``pip install scikit-learn``) over readable features of each sentence
a rule fired on (its words and word pairs, the rules and categories that fired on it and next
to it, page kind, block kind, lead-in, length, punctuation, who speaks):

- *flagged*: is the sentence a claim at all (labeled with any sentence-level category)? Below
  ``drop`` its rule findings are dropped;
- *keep* (category arbitration): is this finding's category among the sentence's labels? Of
  several categories on one sentence, those below ``extra`` are dropped (the best one stays).

The heads only remove rule findings, so every finding left names a rule, its why and its
suggestion; page-level findings (DISCLOSURE) are never touched.

Cross-validation is grouped by **site** (the URL host without ``www.``): all pages of a site
fall in one fold, so a site's wording is never scored by a model that learned it (``--split
page`` cuts by page, for comparison). The L2 strength C (of ``--c``; each is fitted in every
fold) and the thresholds of fold k are chosen together, by the reference metric's category F1
(``--goal mean``: the mean of flagged and category F1), on the out-of-fold scores of the other
folds' pages only. The table prints rules only against
hybrid, flagged and category P / R / F1, with the paired 95% interval of the F1 change by
page (``pagescore.paired_change``), on all pages and on each set; the page counts are the
reference metric's, computed from each page's findings once (``counts``; a test checks them
against ``PageScore``). ``--out`` also writes the heads fitted on all pages with the C and
thresholds chosen on all out-of-fold scores (the keep head left out when its threshold is 0),
the digest of the rule pack and of the feature code, the rule ids the weights name and the
SHA-256 of each set's labels. Deterministic: fixed folds, a deterministic solver. The shipped
model is refitted, after a rule change, with

    scripts/measure_claim_model.py \
        /work/corpus/{fresh6,fresh4,fresh5,fresh3,dev3,fresh2,fresh-read,d2-read,owndev-read} \
        --out claimlint/models/claims.json

The features are ``claimlint.claimmodel``'s (one implementation, shared with the run time);
``--features`` adds its optional groups (``claimmodel.GROUPS``: suffix classes, place in the
block, the heading's words, title repeat, person, question form) and ``--min-sites N`` leaves
out words and word pairs seen on fewer than N training sites; both were measured in the
eleventh round and are off in the shipped model (``docs/accuracy.md``).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import sys
import zlib
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlsplit

from claimlint import claimmodel
from claimlint.cache import pack_digest
from claimlint.claimmodel import keep_mask, probability, rows
from claimlint.config import Config
from claimlint.lint import Linter, to_finding
from claimlint.pagescore import PAGE_LEVEL, _f1, _offset, canon, load_pages, paired_change

NOT_FOR_TRAINING = {"fresh-check", "d2-check", "owndev-fifth", "dev", "ownheld", "own", "kind"}
DROPS = (0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4)  # drop a flagged sentence's findings below
EXTRAS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6)  # drop a second category of a sentence below
C = 0.3  # inverse L2 strength of the tenth round; among several, ties go to the nearest
CS = (0.1, 0.3, 1.0)  # the strengths chosen among, out of fold (the eleventh round's recipe)
MIN_COUNT = 3  # a feature seen on fewer training rows is left out
PRUNE = 0.005  # smaller weights are left out of the written model
STEMS = False  # --stems: crude stems (a lemma-class stand-in) in place of words
FEATURES: tuple[str, ...] = ()  # --features: optional feature groups (claimmodel.GROUPS)
MIN_SITES = 0  # --min-sites N: a word, word pair or heading word seen on fewer training sites is left out


def code_digest() -> str:
    """The digest of the code that makes the features and fits them: this script and the
    feature module it shares with the run time (``claimlint/claimmodel.py``)."""
    h = hashlib.sha256()
    for path in (Path(__file__).resolve(), Path(claimmodel.__file__).resolve()):
        h.update(path.name.encode() + b"\0" + path.read_bytes().replace(b"\r\n", b"\n"))
    return h.hexdigest()


def site(url: str) -> str:
    host = urlsplit(url.strip()).hostname or url
    return host.lower().removeprefix("www.")


def prepare(linter: Linter, name: str, folder: Path) -> list[dict]:
    """Each page of a set linted by the rules, with what the heads and the fast scorer need."""
    urls = {}
    for line in (folder / "pages_labels.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            e = json.loads(line)
            urls[e["file"]] = e.get("url", e["file"])
    out = []
    for page in load_pages(folder):
        doc = linter.load(page.text.encode("utf-8"), page.file)
        found = linter.engine.run(doc)
        findings = [to_finding(doc, ef, ef.rule.severity) for ef in found]
        text = page.text
        starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
        labeled = [(at, at + len(s), labels) for s, labels in page.sentences or []
                   if (at := text.find(s)) >= 0]
        sents, where, flagged_rows, keep_rows = rows(doc, found, STEMS, groups=FEATURES)
        items = []  # per finding: (category, owners in labeled, sentence, is page-level)
        for f, i in zip(findings, where, strict=True):
            cat = canon(f.category)
            a = _offset(starts, f.line, f.column)
            b = max(a + 1, _offset(starts, f.end_line, f.end_column))
            owners = [k for k, (s, e, _) in enumerate(labeled) if a < e and b > s]
            items.append((cat, owners, i, cat in PAGE_LEVEL or f.rule.startswith("SUPPRESSION.")))

        def labels_at(a: int, b: int, doc=doc, labeled=labeled) -> set[str]:
            a, b = doc.source_range(a, b)
            return {c for s, e, ls in labeled if a < e and max(b, a + 1) > s for c in ls}

        flagged_of = {i: k for k, i in enumerate(flagged_rows)}
        flagged_x = list(flagged_rows.values())
        flagged_y = [bool(labels_at(sents[i][1], sents[i][2]) - PAGE_LEVEL) for i in flagged_rows]
        keep_of = {j: k for k, j in enumerate(keep_rows)}
        keep_x = list(keep_rows.values())
        keep_y = [canon(found[j].rule.category) in labels_at(found[j].start, found[j].end) for j in keep_rows]
        out.append({"set": name, "name": f"{name}/{Path(page.file).name}",
                    "site": site(urls.get(Path(page.file).name, page.file)),
                    "labeled": [ls for _, _, ls in labeled], "items": items,
                    "disclosure": ("DISCLOSURE" in page.doc_labels,
                                   any(c == "DISCLOSURE" for c, *_ in items)),
                    "flagged_x": flagged_x, "flagged_y": flagged_y, "flagged_of": flagged_of,
                    "keep_x": keep_x, "keep_y": keep_y, "keep_of": keep_of})
    return out


def counts(p: dict, t: tuple[float, float] | None) -> dict[str, list[int]]:
    """The page's reference-metric counts (as ``PageScore.per_page``) with the findings the
    thresholds ``t`` = (drop, extra) keep; None: every rule finding."""
    items = p["items"]
    keep = [True] * len(items)
    if t is not None:
        where = [i for _, _, i, _ in items]
        keep = keep_mask(where, {i: p["flagged_p"][k] for i, k in p["flagged_of"].items()},
                         {j: p["keep_p"][k] for j, k in p["keep_of"].items()}, *t)
    return page_counts(p, [(cat, owners, page_level)
                           for (cat, owners, _, page_level), k in zip(items, keep, strict=True) if k])


def page_counts(p: dict, found: list[tuple[str, list[int], bool]]) -> dict[str, list[int]]:
    """The reference metric's per-page counts (as ``PageScore.per_page``) of ``found``, each a
    finding's (category, the labeled sentences it overlaps, whether it is page-level)."""
    c = {"tp": 0, "fp": 0, "fn": 0, "ftp": 0, "ffp": 0, "ffn": 0}
    hits: dict[int, set[str]] = defaultdict(set)
    for cat, owners, page_level in found:
        if page_level:
            continue
        if not owners:
            c["fp"] += 1
            c["ffp"] += 1
        for o in owners:
            hits[o].add(cat)
    for o, labels in enumerate(p["labeled"]):
        got = hits.get(o, set())
        real = labels - PAGE_LEVEL
        c["tp"] += len(real & got)
        c["fn"] += len(real - got)
        c["fp"] += len(got - labels)
        if real:
            c["ftp" if got else "ffn"] += 1
        elif got:
            c["ffp"] += 1
    want, got = p["disclosure"]
    return {"flagged": [c["ftp"], c["ffp"], c["ffn"]], "category": [c["tp"], c["fp"], c["fn"]],
            "disclosure": [int(want == got), int(want != got)]}


def table(pages: list[dict], t: tuple[float, float] | None) -> dict[str, dict[str, list[int]]]:
    return {p["name"]: counts(p, t) for p in pages}


def f1s(per_page: dict) -> dict[str, tuple[float, float, float]]:
    return {lvl: _f1(*(sum(c[lvl][i] for c in per_page.values()) for i in range(3)))
            for lvl in ("flagged", "category")}


def fit_head(x: list[dict[str, float]], y: list[bool], c: float, min_count: int = MIN_COUNT,
             sites: list[str] | None = None, min_sites: int = 0) -> dict:
    """An L2 logistic regression (scikit-learn's liblinear, deterministic) over the features
    seen on at least ``min_count`` rows (and, with ``min_sites``, its words, word pairs and
    heading words on at least that many of the rows' ``sites``), as the readable head
    ``probability`` scores with: a bias and weights by feature name, rounded, the negligible
    ones left out."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    seen: Counter = Counter(k for r in x for k in r)
    keep = {k for k, n in seen.items() if n >= min_count}
    if min_sites and sites is not None:
        where: dict[str, set[str]] = defaultdict(set)
        for r, s in zip(x, sites, strict=True):
            for k in r:
                if k.startswith(("w:", "b:", "hw:")):
                    where[k].add(s)
        keep = {k for k in keep if k not in where or len(where[k]) >= min_sites}
    if not x or len(set(y)) < 2:
        return {"bias": 0.0, "weights": {}}
    vec = DictVectorizer(sort=True)
    m = vec.fit_transform([{k: v for k, v in r.items() if k in keep} for r in x])
    m.indices, m.indptr = m.indices.astype("int32"), m.indptr.astype("int32")  # liblinear's index type
    lr = LogisticRegression(C=c, solver="liblinear", max_iter=1000, random_state=0).fit(m, y)
    weights = {k: round(float(w), 4) for k, w in zip(vec.get_feature_names_out(), lr.coef_[0])
               if abs(w) >= PRUNE}
    return {"bias": round(float(lr.intercept_[0]), 4), "weights": weights}


def fit(pages: list[dict], c: float) -> dict:
    return {h: fit_head([r for p in pages for r in p[f"{h}_x"]], [v for p in pages for v in p[f"{h}_y"]], c,
                        sites=[p["site"] for p in pages for _ in p[f"{h}_x"]], min_sites=MIN_SITES)
            for h in ("flagged", "keep")}


def score(pages: list[dict], heads: dict) -> None:
    for p in pages:
        p["flagged_p"] = [probability(heads["flagged"], r) for r in p["flagged_x"]]
        p["keep_p"] = [probability(heads["keep"], r) for r in p["keep_x"]]


def cross_validate(pages: list[dict], folds: int, split: str, c: float | tuple[float, ...], goal: str
                   ) -> dict:
    """Out-of-fold figures. With several ``c``, each is fitted in every fold and chosen with the
    thresholds, fold by fold on the other folds' out-of-fold scores (and for ``--out`` on all)."""
    cs = (c,) if isinstance(c, (int, float)) else tuple(c)
    key = (lambda p: p["site"]) if split == "site" else (lambda p: p["name"])
    fold = [zlib.crc32(key(p).encode()) % folds for p in pages]
    scored: dict[float, list[tuple[list[float], list[float]]]] = {}
    for ci in cs:
        for k in range(folds):
            heads = fit([p for p, f in zip(pages, fold) if f != k], ci)
            score([p for p, f in zip(pages, fold) if f == k], heads)
            print(f"fold {k + 1} of {folds} fitted (C={ci})", file=sys.stderr, flush=True)
        scored[ci] = [(p["flagged_p"], p["keep_p"]) for p in pages]

    def use(ci: float) -> None:
        for p, (flagged_p, keep_p) in zip(pages, scored[ci], strict=True):
            p["flagged_p"], p["keep_p"] = flagged_p, keep_p

    def goal_of(t: tuple[float, float, float], sub: list[dict]) -> float:
        use(t[0])
        f = f1s(table(sub, t[1:]))
        return f["category"][2] if goal == "category" else (f["flagged"][2] + f["category"][2]) / 2

    grid = list(itertools.product(cs, DROPS, EXTRAS))  # ties: the C nearest the default, then low thresholds
    chosen = {}
    for k in range(folds):
        others = [p for p, f in zip(pages, fold) if f != k]
        chosen[k] = max(grid, key=lambda t: (goal_of(t, others), -abs(t[0] - C), -t[1], -t[2]))
    everywhere = max(grid, key=lambda t: (goal_of(t, pages), -abs(t[0] - C), -t[1], -t[2]))
    hybrid = {}
    for k in range(folds):
        use(chosen[k][0])
        hybrid |= {p["name"]: counts(p, chosen[k][1:]) for p, f in zip(pages, fold) if f == k}
    use(everywhere[0])
    rules = table(pages, None)
    out = {"split": split, "folds": folds, "c": c if len(cs) > 1 else cs[0], "c_chosen": everywhere[0],
           "goal": goal, "pages": len(pages), "sites": len({p["site"] for p in pages}),
           "c_by_fold": {k: v[0] for k, v in chosen.items()},
           "thresholds_by_fold": {k: list(v[1:]) for k, v in chosen.items()},
           "thresholds": list(everywhere[1:]),
           "auc": {h: auc([v for p in pages for v in p[f"{h}_p"]], [v for p in pages for v in p[f"{h}_y"]])
                   for h in ("flagged", "keep")}}
    groups = {"ALL": pages} | {s: [p for p in pages if p["set"] == s]
                               for s in sorted({p["set"] for p in pages})}
    for g, sub in groups.items():
        names = {p["name"] for p in sub}
        r = {n: v for n, v in rules.items() if n in names}
        h = {n: v for n, v in hybrid.items() if n in names}
        ch = paired_change(h, r)
        out[g] = {"rules": {k: [round(x, 3) for x in v] for k, v in f1s(r).items()},
                  "hybrid": {k: [round(x, 3) for x in v] for k, v in f1s(h).items()},
                  "change": {lvl: [round(ch[lvl][x], 3) for x in ("change", "low", "high")]
                             for lvl in ("flagged", "category")}}
    return out


def auc(scores: list[float], labels: list[bool]) -> float | None:
    from bisect import bisect_left, bisect_right

    pos = sorted(s for s, y in zip(scores, labels, strict=True) if y)
    neg = sorted(s for s, y in zip(scores, labels, strict=True) if not y)
    if not pos or not neg:
        return None
    wins = sum(bisect_left(neg, s) + (bisect_right(neg, s) - bisect_left(neg, s)) / 2 for s in pos)
    return round(wins / (len(pos) * len(neg)), 3)


def render(cv: dict) -> str:
    lines = [f"{cv['pages']} pages, {cv['sites']} sites, {cv['folds']} folds by {cv['split']}, "
             f"C={cv['c']} (per fold {cv['c_by_fold']}, on all {cv['c_chosen']}), thresholds by "
             f"{cv['goal']} F1 (drop, extra) per fold: {cv['thresholds_by_fold']}, on all: "
             f"{cv['thresholds']}; out-of-fold AUC {cv['auc']}"]
    lines.append(f"{'set':12} {'flagged P/R/F1 rules -> hybrid':37} change [95%]            "
                 f"{'category P/R/F1 rules -> hybrid':37} change [95%]")
    for g, v in cv.items():
        if not isinstance(v, dict) or "rules" not in v:
            continue
        row = f"{g:12}"
        for lvl in ("flagged", "category"):
            r, h, c = v["rules"][lvl], v["hybrid"][lvl], v["change"][lvl]
            row += (f" {r[0]:.3f}/{r[1]:.3f}/{r[2]:.3f} -> {h[0]:.3f}/{h[1]:.3f}/{h[2]:.3f}"
                    f"  {c[0]:+.3f} [{c[1]:+.3f}, {c[2]:+.3f}] ")
        lines.append(row)
    return "\n".join(lines) + "\n"


def main() -> None:
    global STEMS, FEATURES, MIN_SITES
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sets", nargs="+", type=Path, metavar="DIR")
    ap.add_argument("--split", choices=("site", "page"), default="site")
    ap.add_argument("--goal", choices=("category", "mean"), default="category")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--c", default=",".join(map(str, CS)), metavar="C[,C...]",
                    help="inverse L2 strength; several: chosen out of fold with the thresholds")
    ap.add_argument("--stems", action="store_true", help="crude word stems in place of words")
    ap.add_argument("--features", default="", metavar="GROUP,...",
                    help=f"optional feature groups: {', '.join(claimmodel.GROUPS)}")
    ap.add_argument("--min-sites", type=int, default=0, metavar="N",
                    help="leave out words and word pairs seen on fewer than N training sites")
    ap.add_argument("--report", type=Path, help="write the cross-validation figures here (JSON)")
    ap.add_argument("--out", type=Path, help="also fit on all pages and write the model here")
    a = ap.parse_args()
    STEMS, MIN_SITES = a.stems, a.min_sites
    FEATURES = tuple(g for g in claimmodel.GROUPS if g in a.features.split(","))
    if set(filter(None, a.features.split(","))) - set(FEATURES):
        sys.exit(f"--features: choose from {', '.join(claimmodel.GROUPS)}")
    for d in a.sets:
        if refused(d):
            sys.exit(f"{d}: a check or held-out split; only read sets may be measured on")
    linter = Linter(Config())
    pages = [p for d in a.sets for p in prepare(linter, d.resolve().name, d)]
    cs = tuple(float(x) for x in a.c.split(","))
    cv = cross_validate(pages, a.folds, a.split, cs if len(cs) > 1 else cs[0], a.goal)
    print(render(cv), flush=True)
    if a.report:
        a.report.write_text(json.dumps(cv, indent=1) + "\n", encoding="utf-8")
    if a.out is None:
        return
    drop, extra = cv["thresholds"]
    heads = fit(pages, cv["c_chosen"])
    if extra <= 0:  # the keep head is off: it would never be read (the file is half the size)
        del heads["keep"]
    used = sorted({k.split(":", 1)[1] for h in heads.values() for k in h["weights"]
                   if k.startswith(("ri:", "rule:"))})
    model = {"heads": heads, "drop_below": drop, "extra_below": extra, "stems": a.stems,
             "features": list(FEATURES), "c": cv["c_chosen"], "min_count": MIN_COUNT, "min_sites": MIN_SITES,
             "split": a.split, "goal": a.goal, "folds": a.folds,
             "rules_digest": pack_digest([]), "code_digest": code_digest(), "rule_ids": used,
             "trained_on": {d.resolve().name: hashlib.sha256(
                 (d / "pages_labels.jsonl").read_bytes()).hexdigest() for d in a.sets},
             "c_choices": list(cs), "pages": len(pages),
             "cross_validated": {k: v for k, v in cv.items() if k in ("ALL", "auc")}}
    claimmodel.validate(model, a.out)
    a.out.write_text(json.dumps(model, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"fitted on {len(pages)} pages -> {a.out} ({a.out.stat().st_size // 1024} KB)")


def refused(folder: Path) -> bool:
    """A check or held-out split (by its folder's name, or anything under ``own/``)."""
    path = folder.resolve()
    return path.name in NOT_FOR_TRAINING or "own" in path.parts[:-1] or "ownheld" in path.parts


if __name__ == "__main__":
    main()
