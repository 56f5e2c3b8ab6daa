#!/usr/bin/env python3
"""Would a per-category sentence classifier that adds findings gain on pages of unseen sites?

    scripts/measure_claim_finder.py DIR [DIR ...] [--folds 5] [--report RESULT.json]
                                    [--out claimlint/models/finder.json]

Each DIR is a labeled read set (``pages_labels.jsonl`` and ``pages/``); check and held-out
splits are refused (``refused``). The eleventh round measured with

    scripts/measure_claim_finder.py /work/corpus/{fresh6,fresh4,fresh5,fresh3,dev3,fresh2,\\
        fresh-read,d2-read,owndev-read} --out claimlint/models/finder.json

Every page is linted once by the rules and the shipped claim model (``claimmodel.apply``), as
``claimlint check`` runs them, and cut into sentences as the labeling tool cuts them. Every
sentence is one row (``claimfinder.all_rows``: the claim model's features); one L2 logistic
head per category with at least ``MIN_POSITIVES`` labeled sentences is fitted (scikit-learn's
liblinear, deterministic; a development tool only: ``pip install ".[measure]"``).

Five folds grouped by **site** (the URL host without ``www.``): a site's wording is never
scored by a model that learned it. For each fold, C (``CS``), the mode (``empty``: add only to
sentences with no finding; ``missing``: also a category missing from a flagged sentence) and
each category's threshold (``THRESHOLDS``, or off) are chosen by the whole pipeline's category
F1 (rules, claim model, finder; the reference metric) on the *other* folds' out-of-fold scores,
then applied to the fold's own out-of-fold scores. The table prints rules+claim model against
rules+claim model+finder, flagged and category P / R / F1 with the paired 95% interval of the
F1 change by page (``pagescore.paired_change``), pooled and per set, and per category the true
and false positives the finder added. The page counts are the reference metric's (``counts``;
a test holds them to ``PageScore``). ``--out`` writes the heads fitted on all pages with C, the
mode and the thresholds chosen on all out-of-fold scores.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import zlib
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure_claim_model import page_counts, site  # noqa: E402

from claimlint import claimfinder, claimmodel  # noqa: E402
from claimlint.cache import pack_digest  # noqa: E402
from claimlint.claimfinder import all_rows, eligible, rule_id  # noqa: E402
from claimlint.claimmodel import probability, sentence_of  # noqa: E402
from claimlint.config import Config  # noqa: E402
from claimlint.engine.core import EngineFinding  # noqa: E402
from claimlint.lint import Linter, to_finding  # noqa: E402
from claimlint.pagescore import PAGE_LEVEL, _f1, _offset, canon, load_pages, paired_change  # noqa: E402

CS = (0.3, 1.0)  # inverse L2 strengths tried, chosen inside each fold (0.1 never was)
THRESHOLDS = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)
OFF = 2.0  # a threshold no probability reaches: the head adds nothing
MIN_POSITIVES = 40  # a category with fewer labeled sentences gets no head
MIN_COUNT = 5  # a feature seen on fewer training rows is left out
PRUNE = 0.01  # smaller weights are left out (of the out-of-fold heads too: measured as shipped)
MODES = claimfinder.MODES
# check and held-out splits (the sixth fresh split, unseen in the tenth round, is read now)
NOT_FOR_TRAINING = {"fresh-check", "d2-check", "owndev-fifth", "dev", "ownheld", "own", "kind"}


def refused(folder: Path) -> bool:
    """A check or held-out split (by its folder's name, or anything under ``own/``)."""
    path = folder.resolve()
    return path.name in NOT_FOR_TRAINING or "own" in path.parts[:-1] or "ownheld" in path.parts


def code_digest() -> str:
    """The digest of this script and the feature code it shares with the run time."""
    h = hashlib.sha256()
    for path in (Path(__file__).resolve(), Path(claimmodel.__file__).resolve(),
                 Path(claimfinder.__file__).resolve()):
        h.update(path.name.encode() + b"\0" + path.read_bytes().replace(b"\r\n", b"\n"))
    return h.hexdigest()


def owners_of(doc, starts: list[int], labeled: list, ef: EngineFinding) -> list[int]:  # noqa: ANN001
    """The labeled sentences a finding overlaps, as ``PageScore`` finds them."""
    f = to_finding(doc, ef, ef.rule.severity)
    a = _offset(starts, f.line, f.column)
    b = max(a + 1, _offset(starts, f.end_line, f.end_column))
    return [k for k, (s, e, _) in enumerate(labeled) if a < e and b > s]


def prepare(linter: Linter, name: str, folder: Path) -> list[dict]:
    """Each page of a set linted by the rules and the claim model, with every sentence's
    features, labels and the labeled sentences a finding over it would count on."""
    urls = {}
    for line in (folder / "pages_labels.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            e = json.loads(line)
            urls[e["file"]] = e.get("url", e["file"])
    placeholder = next(r for r in linter.engine.pack.rules if r.scope == "sentence")
    out = []
    for page in load_pages(folder):
        doc = linter.load(page.text.encode("utf-8"), page.file)
        found = linter.engine.run(doc)
        kept = claimmodel.apply(doc, found) if linter.config.claim_model else found
        text = page.text
        starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
        labeled = [(at, at + len(s), labels) for s, labels in page.sentences or []
                   if (at := text.find(s)) >= 0]
        items = [(canon(f.rule.category), owners_of(doc, starts, labeled, f),
                  canon(f.rule.category) in PAGE_LEVEL) for f in kept]
        sents, where, x = all_rows(doc, found)
        allowed = {m: eligible(len(sents), where, sentence_of(sents, kept),
                               [f.rule.category for f in kept], m) for m in MODES}
        owners = [owners_of(doc, starts, labeled, EngineFinding(placeholder, a, b, a, b))
                  for _, a, b in sents]

        def labels_at(a: int, b: int, doc=doc, labeled=labeled) -> set[str]:
            a, b = doc.source_range(a, b)
            return {c for s, e, ls in labeled if a < e and max(b, a + 1) > s for c in ls}

        y = [labels_at(a, b) - PAGE_LEVEL for _, a, b in sents]
        want = "DISCLOSURE" in page.doc_labels
        out.append({"set": name, "name": f"{name}/{Path(page.file).name}",
                    "site": site(urls.get(Path(page.file).name, page.file)),
                    "labeled": [ls for _, _, ls in labeled], "items": items,
                    "disclosure": (want, any(c == "DISCLOSURE" for c, *_ in items)),
                    "x": x, "y": y, "owners": owners,
                    "allowed": {m: [None if h is None else sorted(h) for h in v]
                                for m, v in allowed.items()}})
    return out


def additions(p: dict, probs: dict[str, list[float]], mode: str, thresholds: dict[str, float]
              ) -> list[tuple[str, int]]:
    """The (category, sentence) findings the finder adds on a page."""
    out = []
    for i, have in enumerate(p["allowed"][mode]):
        if have is None:
            continue
        for cat, th in thresholds.items():
            if cat not in have and probs[cat][i] >= th:
                out.append((cat, i))
    return out


def counts(p: dict, added: list[tuple[str, int]] = ()) -> dict[str, list[int]]:
    """The page's reference-metric counts (as ``PageScore.per_page``) of the rules' findings
    after the claim model plus the finder's ``added`` (category, sentence) findings."""
    return page_counts(p, list(p["items"]) + [(cat, p["owners"][i], False) for cat, i in added])


def deltas(p: dict, cat: str, probs: list[float], mode: str) -> list[tuple[int, int]]:
    """For each threshold of THRESHOLDS, the category-level (tp, fp) the finder's ``cat``
    findings add to the page, exactly: additions of one category change only its own counts."""
    base: dict[int, set[str]] = defaultdict(set)
    for c, owners, page_level in p["items"]:
        if not page_level:
            for o in owners:
                base[o].add(c)
    cands = [(probs[i], p["owners"][i]) for i, have in enumerate(p["allowed"][mode])
             if have is not None and cat not in have]
    out = []
    for th in THRESHOLDS:
        tp = fp = 0
        hit: set[int] = set()
        for prob, owners in cands:
            if prob >= th:
                if not owners:
                    fp += 1
                hit.update(owners)
        for o in hit:
            if cat not in base[o]:
                if cat in p["labeled"][o]:
                    tp += 1
                else:
                    fp += 1
        out.append((tp, fp))
    return out


def fit_heads(pages: list[dict], cats: list[str], c: float) -> dict[str, dict]:
    """One L2 logistic head per category over the features seen on at least MIN_COUNT rows."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    x = [r for p in pages for r in p["x"]]
    ys = [y for p in pages for y in p["y"]]
    seen: Counter = Counter(k for r in x for k in r)
    keep = {k for k, n in seen.items() if n >= MIN_COUNT}
    vec = DictVectorizer(sort=True)
    m = vec.fit_transform([{k: v for k, v in r.items() if k in keep} for r in x])
    m.indices, m.indptr = m.indices.astype("int32"), m.indptr.astype("int32")
    names = vec.get_feature_names_out()
    heads = {}
    for cat in cats:
        y = [cat in labels for labels in ys]
        if len(set(y)) < 2:
            heads[cat] = {"bias": -30.0, "weights": {}}
            continue
        lr = LogisticRegression(C=c, solver="liblinear", max_iter=1000, random_state=0).fit(m, y)
        heads[cat] = {"bias": round(float(lr.intercept_[0]), 4),
                      "weights": {k: round(float(w), 3) for k, w in zip(names, lr.coef_[0])
                                  if abs(w) >= PRUNE}}
    return heads


def score(pages: list[dict], heads: dict[str, dict]) -> dict[str, dict[str, list[float]]]:
    return {p["name"]: {cat: [probability(h, r) for r in p["x"]] for cat, h in heads.items()}
            for p in pages}


def choose(pages: list[dict], table: dict, cats: list[str]) -> tuple[float, str, dict[str, float], float]:
    """C, mode and per-category thresholds with the best pooled category F1 on ``pages``, from
    the per-page deltas ``table[c][page][mode][cat]`` (coordinate ascent over categories)."""
    base = [counts(p)["category"] for p in pages]
    tp, fp = sum(c[0] for c in base), sum(c[1] for c in base)
    labeled = tp + sum(c[2] for c in base)
    best = None
    for c in CS:
        for mode in MODES:
            sums = {cat: [tuple(map(sum, zip(*(table[c][p["name"]][mode][cat][t] for p in pages))))
                          for t in range(len(THRESHOLDS))] for cat in cats}
            pick = {cat: None for cat in cats}  # None: off

            def f1(pick: dict, sums: dict = sums) -> float:
                dtp = sum(sums[k][t][0] for k, t in pick.items() if t is not None)
                dfp = sum(sums[k][t][1] for k, t in pick.items() if t is not None)
                total = tp + dtp + fp + dfp + labeled
                return 2 * (tp + dtp) / total if total else 0.0

            for _ in range(4):
                changed = False
                for cat in cats:
                    options = [None, *range(len(THRESHOLDS))]
                    top = max(options, key=lambda t: (f1(pick | {cat: t}), t is None, t or 0))
                    if top != pick[cat]:
                        pick[cat], changed = top, True
                if not changed:
                    break
            value = f1(pick)
            ths = {k: THRESHOLDS[t] for k, t in pick.items() if t is not None}
            if best is None or value > best[3] + 1e-12:
                best = (c, mode, ths, value)
    return best


def cross_validate(pages: list[dict], cats: list[str], folds: int) -> dict:
    fold = [zlib.crc32(p["site"].encode()) % folds for p in pages]
    oof: dict[float, dict[str, dict[str, list[float]]]] = {}
    for c in CS:
        oof[c] = {}
        for k in range(folds):
            heads = fit_heads([p for p, f in zip(pages, fold) if f != k], cats, c)
            oof[c].update(score([p for p, f in zip(pages, fold) if f == k], heads))
            print(f"C={c} fold {k + 1} of {folds} fitted", file=sys.stderr, flush=True)
    table = {c: {p["name"]: {m: {cat: deltas(p, cat, oof[c][p["name"]][cat], m) for cat in cats}
                             for m in MODES} for p in pages} for c in CS}
    chosen = {k: choose([p for p, f in zip(pages, fold) if f != k], table, cats) for k in range(folds)}
    everywhere = choose(pages, table, cats)
    base = {p["name"]: counts(p) for p in pages}
    found, added = {}, Counter()
    for p, k in zip(pages, fold):
        c, mode, ths, _ = chosen[k]
        add = additions(p, oof[c][p["name"]], mode, ths)
        found[p["name"]] = counts(p, add)
        for cat, th in ths.items():
            dtp, dfp = table[c][p["name"]][mode][cat][THRESHOLDS.index(th)]
            added[cat, "tp"] += dtp
            added[cat, "fp"] += dfp
    out = {"folds": folds, "pages": len(pages), "sites": len({p["site"] for p in pages}),
           "categories": cats,
           "positives": {cat: sum(cat in y for p in pages for y in p["y"]) for cat in cats},
           "chosen_by_fold": {k: {"c": v[0], "mode": v[1], "thresholds": v[2]} for k, v in chosen.items()},
           "chosen": {"c": everywhere[0], "mode": everywhere[1], "thresholds": everywhere[2]},
           "added": {cat: {"tp": added[cat, "tp"], "fp": added[cat, "fp"]} for cat in cats},
           "per_page": {"base": base, "finder": found}}
    groups = {"ALL": pages} | {s: [p for p in pages if p["set"] == s]
                               for s in dict.fromkeys(p["set"] for p in pages)}
    out["sets"] = {}
    for g, sub in groups.items():
        names = [p["name"] for p in sub]
        r = {n: base[n] for n in names}
        h = {n: found[n] for n in names}
        ch = paired_change(h, r)
        out["sets"][g] = {
            lvl: {"base": [round(x, 3) for x in _f1(*(sum(v[lvl][i] for v in r.values())
                                                       for i in range(3)))],
                  "finder": [round(x, 3) for x in _f1(*(sum(v[lvl][i] for v in h.values())
                                                         for i in range(3)))],
                  "change": [round(ch[lvl][x], 3) for x in ("change", "low", "high")]}
            for lvl in ("category", "flagged")} | {"pages": len(sub)}
    return out


def render(cv: dict) -> str:
    lines = [f"{cv['pages']} pages, {cv['sites']} sites, {cv['folds']} folds by site; heads: "
             + ", ".join(f"{c} ({n})" for c, n in cv["positives"].items())]
    for k, v in cv["chosen_by_fold"].items():
        lines.append(f"fold {k}: C={v['c']} mode={v['mode']} thresholds={v['thresholds']}")
    v = cv["chosen"]
    lines.append(f"on all: C={v['c']} mode={v['mode']} thresholds={v['thresholds']}")
    lines.append(f"{'set':12} {'pages':>5}  {'category P/R/F1 rules+model -> +finder':44} change [95%]"
                 f"            {'flagged P/R/F1':44} change [95%]")
    for g, v in cv["sets"].items():
        row = f"{g:12} {v['pages']:5}"
        for lvl in ("category", "flagged"):
            r, h, c = v[lvl]["base"], v[lvl]["finder"], v[lvl]["change"]
            row += (f"  {r[0]:.3f}/{r[1]:.3f}/{r[2]:.3f} -> {h[0]:.3f}/{h[1]:.3f}/{h[2]:.3f}"
                    f"  {c[0]:+.3f} [{c[1]:+.3f}, {c[2]:+.3f}]")
        lines.append(row)
    lines.append("added (out of fold): " + ", ".join(f"{c} +{v['tp']} tp / +{v['fp']} fp"
                                                    for c, v in cv["added"].items() if v["tp"] or v["fp"]))
    return "\n".join(lines) + "\n"


def main() -> None:
    global MODES
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sets", nargs="+", type=Path, metavar="DIR")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--mode", choices=(*MODES, "both"), default="both",
                    help="only this mode (default: chosen inside each fold)")
    ap.add_argument("--report", type=Path, help="write the cross-validation figures here (JSON)")
    ap.add_argument("--out", type=Path, help="also fit on all pages and write the model here")
    a = ap.parse_args()
    MODES = claimfinder.MODES if a.mode == "both" else (a.mode,)
    for d in a.sets:
        if refused(d):
            sys.exit(f"{d}: a check or held-out split; only read sets may be measured on")
    linter = Linter(Config(claim_finder=False))
    pages = [p for d in a.sets for p in prepare(linter, d.resolve().name, d)]
    print(f"{len(pages)} pages prepared", file=sys.stderr, flush=True)
    positives = Counter(c for p in pages for y in p["y"] for c in y)
    cats = sorted(c for c, n in positives.items() if n >= MIN_POSITIVES)
    cv = cross_validate(pages, cats, a.folds)
    print(render(cv), flush=True)
    if a.report:
        a.report.write_text(json.dumps(cv, indent=1) + "\n", encoding="utf-8")
    if a.out is None:
        return
    chosen = cv["chosen"]
    fitted = fit_heads(pages, sorted(chosen["thresholds"]), chosen["c"])
    heads = {cat: fitted[cat] | {"threshold": chosen["thresholds"][cat]} for cat in sorted(fitted)}
    model = {"heads": heads, "mode": chosen["mode"], "stems": False, "c": chosen["c"],
             "min_count": MIN_COUNT, "folds": a.folds, "split": "site",
             "rules": {cat: rule_id(cat) for cat in heads},
             "rules_digest": pack_digest([]), "code_digest": code_digest(),
             "trained_on": {d.resolve().name: hashlib.sha256(
                 (d / "pages_labels.jsonl").read_bytes()).hexdigest() for d in a.sets},
             "pages": len(pages), "cross_validated": {"ALL": cv["sets"]["ALL"], "added": cv["added"]}}
    claimfinder.validate(model, a.out)
    a.out.write_text(json.dumps(model, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"fitted on {len(pages)} pages -> {a.out} ({a.out.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
