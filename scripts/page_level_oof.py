#!/usr/bin/env python3
"""The page-level fitted parts (page kind, the DISCLOSURE verdict) measured out of fold by site.

    scripts/page_level_oof.py --corpus ../corpus [--kind-manifest corpus/pagekind_manifest.jsonl]
        [--folds 5] [--cache .claimlint_cache/page_level.json] [--variants refit,threshold,words]

Every read split's pages (``READ``: sentence-labeled, third-party text under ``--corpus``, never
committed) are split into five folds by *site* (the registered domain of the URL, as
``pagekind_oof.py`` cuts them): a page is always predicted by models that never saw its site.
Each page is linted once per page kind (promotional, mixed, educational), with and without the
claim model, and the per-page counts are kept (``--cache``), so that any assignment of kinds is
scored at no cost: category F1, flagged F1 and DISCLOSURE pages right, pooled over all read
pages and per split, each variant against the shipped model with paired 95% intervals by page.

Variants (all refitted inside each fold; hyper-parameters chosen inside the fold by an inner
five-fold-by-site cross-validation of the fold's training pages, never on the figures reported):

- ``refit``: ``train_pagekind.py --cues all --prior labeled`` on the other folds' read pages and
  every kind-only page (``--kind-manifest``, texts in ``CORPUS/kind``; always in training, as
  the shipped model's script has them); its L2 penalty chosen by inner log loss.
- ``threshold``: ``refit`` with its decision threshold chosen by inner out-of-fold category F1.
- ``words``: the cues and the tf-idf of the page's commonest words in one logistic model
  (scikit-learn, this script only), its C chosen by inner log loss (measured in the eighth round
  on 600 read pages, +0.008 category F1 with an interval crossing zero; now 1,497 pages).
(The fitted DISCLOSURE verdict is measured and fitted by ``scripts/train_disclosure.py``.)

Check splits (``CHECK``) are scored only, with the models fitted on every read page: summary
figures, no page named or shown.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import math
import random
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pagekind_oof import site  # noqa: E402
from train_pagekind import fit, prior_corrected, probability  # noqa: E402

from claimlint.pagekind import FEATURES, MIN_WORDS, READ_CHARS, _model, features  # noqa: E402
from claimlint.pagescore import PageScore, _summed  # noqa: E402
from claimlint.pagescore import load_pages as labeled_pages  # noqa: E402

READ = ("fresh6", "fresh4", "fresh5", "fresh3", "dev3", "fresh2", "fresh-read", "d2-read", "owndev-read")
CHECK = ("fresh-check", "d2-check", "owndev-fifth", "dev")
# read splits the shipped model's training manifest (pagekind_read_manifest.jsonl) leaves out
UNSEEN_BY_SHIPPED = ("fresh6", "fresh4", "fresh5", "fresh3", "dev3")
KINDS = ("promotional", "mixed", "educational")
RULE = "DISCLOSURE.no-risk-disclosure"
L2S = (1.0, 30.0, 300.0, 3000.0)
THRESHOLDS = (0.4, 0.45, 0.5, 0.55, 0.6, 0.65)
CS = (0.1, 0.3, 1.0, 3.0)


# --- lint every page once per kind --------------------------------------------------------

def lint_counts(pages: list, cache: dict) -> None:
    """Per page (by the SHA-1 of its text): the counts of each kind with the claim model on and
    off, whether the DISCLOSURE rule's requirements are met (its ``unless`` set aside, as a
    promotional page), and the claim findings per category (promotional, claim model on)."""
    from claimlint.config import Config
    from claimlint.lint import Linter

    linter = Linter(Config())
    engine = linter.engine
    ri = next(i for i, r in enumerate(engine.rules) if r.id == RULE)
    rule = engine.rules[ri]
    stripped = dataclasses.replace(rule, unless=(), unless_config=None)
    for page in pages:
        key = hashlib.sha1(page.text.encode("utf-8")).hexdigest()
        if key in cache:
            continue
        out: dict = {}
        for kind in KINDS:
            doc = linter.load(page.text.encode("utf-8"), page.file)
            doc.page_kind = kind
            found, slow = engine.run_many_reporting([doc])
            for model in (True, False):
                linter.config.claim_model = model
                findings = linter._finish(doc, list(found[0]), slow[0])
                score = PageScore()
                score.add(page, findings)
                out[f"{kind}/{'on' if model else 'off'}"] = next(iter(score.per_page.values()))
                if not model:  # the rules' own findings per category (what the verdict reads)
                    cats: dict[str, int] = {}
                    for f in findings:
                        cats[f.category] = cats.get(f.category, 0) + 1
                    out[f"cats/{kind}"] = cats
                if kind == "promotional" and model:
                    out["fired"] = any(f.rule == RULE for f in findings)
        linter.config.claim_model = True
        req = out["fired"]
        if not req:
            doc = linter.load(page.text.encode("utf-8"), page.file)
            doc.page_kind = "promotional"
            engine.rules[ri] = stripped
            try:
                found, _ = engine.run_many_reporting([doc])
            finally:
                engine.rules[ri] = rule
            req = any(f.rule.id == RULE for f in found[0])
        out["req"] = req
        cache[key] = out


# --- kind models --------------------------------------------------------------------------

def folds_by_site(pages: list[dict], k: int, seed: int = 0) -> list[int]:
    sites = sorted({p["site"] for p in pages})
    random.Random(seed).shuffle(sites)
    fold = {s: i % k for i, s in enumerate(sites)}
    return [fold[p["site"]] for p in pages]


def cue_model(train: list[dict], extra: list[dict], l2: float) -> dict:
    """``train_pagekind.py --cues all --prior labeled`` on ``train`` (read) and ``extra`` pages."""
    pages = train + extra
    labels = [int(p["kind"] == "educational") for p in pages]
    model = fit([p["row"] for p in pages], labels, l2=l2, names=tuple(FEATURES))
    share = sum(p["kind"] == "educational" for p in train) / len(train)
    return prior_corrected(model, share, sum(labels) / len(labels))


def cue_predict(model: dict, pages: list[dict]) -> list[float]:
    return [probability(model, p["row"]) for p in pages]


def cue_maker(train: list[dict], extra: list[dict], l2: float):  # noqa: ANN201
    """A predictor of P(educational) fitted like ``cue_model``."""
    model = cue_model(train, extra, l2)
    return lambda pages: cue_predict(model, pages)


def word_model(train: list[dict], extra: list[dict], c: float):  # noqa: ANN201
    """Cues (standardised) and the tf-idf of the commonest words in one logistic model; the
    intercept moved to the read pages' share of explainers like the cues' model."""
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    pages = train + extra
    vec = TfidfVectorizer(max_features=3000, min_df=5, sublinear_tf=True,
                          token_pattern=r"(?u)\b[a-z][a-z']+\b")
    x_words = vec.fit_transform([p["text"][:READ_CHARS].lower() for p in pages])
    cues = np.array([[p["row"][f] for f in FEATURES] for p in pages])
    mean, scale = cues.mean(axis=0), cues.std(axis=0)
    scale[scale == 0] = 1

    def matrix(ps: list[dict], words=None):  # noqa: ANN001, ANN202
        w = vec.transform([p["text"][:READ_CHARS].lower() for p in ps]) if words is None else words
        c_ = (np.array([[p["row"][f] for f in FEATURES] for p in ps]) - mean) / scale
        return hstack([w, csr_matrix(c_ * 0.3)]).tocsr()

    labels = [int(p["kind"] == "educational") for p in pages]
    clf = LogisticRegression(C=c, max_iter=3000).fit(matrix(pages, x_words), labels)
    share = sum(p["kind"] == "educational" for p in train) / len(train)
    trained = sum(labels) / len(labels)
    shift = math.log(share / (1 - share)) - math.log(trained / (1 - trained))

    def predict(ps: list[dict]) -> list[float]:
        z = clf.decision_function(matrix(ps))
        return [1 / (1 + math.exp(-(float(v) + shift))) for v in z]

    return predict


def log_loss(probs: list[float], pages: list[dict]) -> float:
    eps = 1e-6
    return -sum(math.log(max(eps, p if q["kind"] == "educational" else 1 - p))
                for p, q in zip(probs, pages)) / len(pages)


def decide(p: float, page: dict, threshold: float = 0.5, band: float = 0.2) -> str:
    if page["words"] < MIN_WORDS:
        return "promotional"
    return "educational" if p >= threshold else "mixed" if p >= threshold - band else "promotional"


def per_page(pages: list[dict], kinds: list[str], model: str = "on") -> dict[str, dict]:
    return {p["id"]: p["counts"][f"{k}/{model}"] for p, k in zip(pages, kinds)}


def inner_oof(train: list[dict], extra: list[dict], k: int, make, params) -> dict:  # noqa: ANN001
    """For each hyper-parameter, out-of-fold probabilities of ``train`` by site (inner folds)."""
    folds = folds_by_site(train, k, seed=1)
    out = {v: [0.0] * len(train) for v in params}
    for f in range(k):
        tr = [p for p, q in zip(train, folds) if q != f]
        held = [i for i, q in enumerate(folds) if q == f]
        for v in params:
            got = make(tr, extra, v)([train[i] for i in held])
            for i, pr in zip(held, got):
                out[v][i] = pr
    return out


def nested(pages: list[dict], extra: list[dict], k: int, variant: str
           ) -> tuple[list[float], list[float], dict]:
    """Out-of-fold P(educational) and threshold of every read page for ``variant``, and the
    out-of-fold probabilities of each outer fold's training pages from its inner folds."""
    if variant == "words":
        def make(tr, ex, c):  # noqa: ANN001, ANN202
            return word_model(tr, ex, c)
        params = CS
    else:
        make, params = cue_maker, L2S
    folds = folds_by_site(pages, k)
    probs, thresholds = [0.0] * len(pages), [0.5] * len(pages)
    inner_probs: dict[int, dict[str, float]] = {}
    chosen = []
    for f in range(k):
        tr = [p for p, q in zip(pages, folds) if q != f]
        held = [i for i, q in enumerate(folds) if q == f]
        inner = inner_oof(tr, extra, k, make, params)
        best = min(params, key=lambda v: log_loss(inner[v], tr))
        t = 0.5
        if variant == "threshold":
            def cat(t_: float, best=best, tr=tr, inner=inner) -> float:
                kinds = [decide(pr, p, t_) for pr, p in zip(inner[best], tr)]
                return _summed(list(per_page(tr, kinds).values()), "category")[2]
            t = max(THRESHOLDS, key=cat)
        chosen.append((best, t))
        got = make(tr, extra, best)([pages[i] for i in held])
        for i, pr in zip(held, got):
            probs[i], thresholds[i] = pr, t
        inner_probs[f] = {p["id"]: pr for p, pr in zip(tr, inner[best])}
    return probs, thresholds, {"chosen": chosen, "inner": inner_probs, "folds": folds}


# --- reporting ----------------------------------------------------------------------------

def paired(now: dict, then: dict, resamples: int = 1000) -> dict:
    from claimlint.pagescore import paired_change

    out = paired_change(now, then, resamples)
    names = sorted(set(now) & set(then))
    d = [now[n]["disclosure"][0] - then[n]["disclosure"][0] for n in names]
    rng = random.Random(0)
    draws = sorted(sum(rng.choice(d) for _ in d) for _ in range(resamples))
    out["disclosure"] = {"change": sum(d), "low": draws[int(0.025 * (resamples - 1))],
                         "high": draws[int(0.975 * (resamples - 1))], "pages": len(names)}
    return out


def line(now: dict, then: dict) -> str:
    c = paired(now, then)
    cat, flag, dis = c["category"], c["flagged"], c["disclosure"]
    return (f"category {cat['then']:.3f} -> {cat['now']:.3f} {cat['change']:+.3f} ({cat['low']:+.3f} to "
            f"{cat['high']:+.3f})  flagged {flag['change']:+.3f} ({flag['low']:+.3f} to "
            f"{flag['high']:+.3f})  "
            f"DISCLOSURE {sum(v['disclosure'][0] for v in then.values())} -> "
            f"{sum(v['disclosure'][0] for v in now.values())} ({dis['low']:+d} to {dis['high']:+d})")


def load(corpus: Path, splits: tuple[str, ...], cache: dict, manifest: Path | None = None) -> list[dict]:
    from claimlint.config import Config
    from claimlint.lint import Linter

    out = []
    for split in splits:
        folder = corpus / split
        urls = {}
        if manifest is None:
            for ln in (folder / "pages_labels.jsonl").read_text(encoding="utf-8").splitlines():
                if ln.strip():
                    e = json.loads(ln)
                    urls[e["file"]] = e.get("url", "")
            pages = labeled_pages(folder)
        else:
            for ln in manifest.read_text(encoding="utf-8").splitlines():
                if ln.strip():
                    e = json.loads(ln)
                    urls[e["file"]] = e.get("url", "")
            pages = labeled_pages(folder / "pages", manifest)
        lint_counts(pages, cache)
        linter = Linter(Config())
        for pg in pages:
            key = hashlib.sha1(pg.text.encode("utf-8")).hexdigest()
            name = Path(pg.file).name
            text = linter.load(pg.text.encode("utf-8"), pg.file).text  # what the page-kind model reads
            out.append({"id": f"{split}/{name}", "split": split, "site": site(urls.get(name, name) or name),
                        "kind": pg.kind or "promotional", "want": "DISCLOSURE" in pg.doc_labels,
                        "text": text, "row": features(text), "words": len(text[:READ_CHARS].split()),
                        "counts": cache[key]})
    return out


def main() -> None:  # noqa: PLR0912, PLR0915
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--kind-manifest", type=Path,
                    default=Path(__file__).resolve().parent.parent / "corpus" / "pagekind_manifest.jsonl")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--variants", default="refit,threshold,words")
    ap.add_argument("--cache", type=Path, default=Path(".claimlint_cache/page_level.json"))
    a = ap.parse_args()
    from claimlint.cache import code_digest

    stored = json.loads(a.cache.read_text(encoding="utf-8")) if a.cache.is_file() else {}
    if stored.get("version") != code_digest():
        stored = {"version": code_digest(), "pages": {}}
    cache = stored["pages"]
    read = load(a.corpus, READ, cache)
    extra = load(a.corpus, ("kind",), cache, a.kind_manifest)
    check = {s: load(a.corpus, (s,), cache) for s in CHECK}
    a.cache.parent.mkdir(parents=True, exist_ok=True)
    a.cache.write_text(json.dumps(stored), encoding="utf-8")
    variants = [v for v in a.variants.split(",") if v]
    shipped = _model()
    print(f"{len(read)} read pages in {len({p['site'] for p in read})} sites, {len(extra)} kind-only pages; "
          f"{a.folds} folds by site, hyper-parameters chosen inside each fold")

    assign = {"labeled": [p["kind"] for p in read],
              "shipped": [decide(probability(shipped, p["row"]), p) for p in read]}
    probs_by = {"shipped": [probability(shipped, p["row"]) for p in read]}
    info = {}
    for v in variants:
        pr, ts, info[v] = nested(read, extra, a.folds, "words" if v == "words" else v)
        probs_by[v] = pr
        assign[v] = [decide(q, p, t) for q, p, t in zip(pr, read, ts)]
        print(f"{v}: chosen per fold {info[v]['chosen']}")

    def kind_line(kinds: list[str], pages: list[dict]) -> str:
        two = sum((k == "educational") == (p["kind"] == "educational") for p, k in zip(pages, kinds))
        three = sum(k == p["kind"] for p, k in zip(pages, kinds))
        return f"kind right {two} (3 kinds {three}) of {len(pages)}"

    def macro_f1(kinds: list[str], pages: list[dict]) -> float:
        f1s = []
        for k in KINDS:
            tp = sum(a_ == k and p["kind"] == k for a_, p in zip(kinds, pages))
            fp = sum(a_ == k and p["kind"] != k for a_, p in zip(kinds, pages))
            fn = sum(a_ != k and p["kind"] == k for a_, p in zip(kinds, pages))
            f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
        return sum(f1s) / 3

    for model in ("on", "off"):
        print(f"\n== claim model {model}: out of fold by site, pooled over {len(read)} read pages ==")
        base = per_page(read, assign["shipped"], model)
        for name, kinds in assign.items():
            print(f"  {name:9} {kind_line(kinds, read)}, macro F1 {macro_f1(kinds, read):.3f}")
            if name != "shipped":
                print(f"            vs shipped: {line(per_page(read, kinds, model), base)}")
            if name not in ("shipped", "labeled", "refit") and "refit" in assign:
                # both out of fold (the shipped model is in sample on the read pages it trained on)
                refit = per_page(read, assign["refit"], model)
                print(f"            vs refit:   {line(per_page(read, kinds, model), refit)}")
        unseen = [i for i, p in enumerate(read) if p["split"] in UNSEEN_BY_SHIPPED]
        print(f" the {len(unseen)} read pages the shipped model never trained on "
              f"({', '.join(UNSEEN_BY_SHIPPED)})")
        b = per_page([read[i] for i in unseen], [assign["shipped"][i] for i in unseen], model)
        for name, kinds in assign.items():
            if name not in ("shipped", "labeled"):
                now = per_page([read[i] for i in unseen], [kinds[i] for i in unseen], model)
                print(f"   {name:9} vs shipped: {line(now, b)}")
        for split in READ:
            idx = [i for i, p in enumerate(read) if p["split"] == split]
            ps = [read[i] for i in idx]
            print(f" {split} ({len(ps)})")
            b = per_page(ps, [assign["shipped"][i] for i in idx], model)
            for name, kinds in assign.items():
                if name != "shipped":
                    ks = [kinds[i] for i in idx]
                    print(f"   {name:9} {kind_line(ks, ps)}  {line(per_page(ps, ks, model), b)}")
            if "refit" in assign and "words" in assign:
                r = per_page(ps, [assign["refit"][i] for i in idx], model)
                w = per_page(ps, [assign["words"][i] for i in idx], model)
                print(f"   words vs refit  {line(w, r)}")

    # check splits, scored only: models fitted on every read page (hyper-parameters chosen by
    # an inner cross-validation of all read pages)
    finals = {}
    for v in variants:
        if v in ("refit", "threshold"):
            inner = inner_oof(read, extra, a.folds, cue_maker, L2S)
            l2 = min(L2S, key=lambda x: log_loss(inner[x], read))
            t = 0.5
            if v == "threshold":
                t = max(THRESHOLDS, key=lambda t_: _summed(list(per_page(
                    read, [decide(q, p, t_) for q, p in zip(inner[l2], read)]).values()), "category")[2])
            model_v = cue_model(read, extra, l2)
            finals[v] = (lambda ps, m=model_v: cue_predict(m, ps), t)
            print(f"{v} fitted on every read page: l2 {l2}, threshold {t}")
        elif v == "words":
            inner = inner_oof(read, extra, a.folds, word_model, CS)
            c = min(CS, key=lambda x: log_loss(inner[x], read))
            finals[v] = (word_model(read, extra, c), 0.5)
            print(f"{v} fitted on every read page: C {c}")
    for s, ps in check.items():
        print(f"\n{s} (check, {len(ps)} pages, summary only)")
        base_k = [decide(probability(shipped, p["row"]), p) for p in ps]
        for model in ("on", "off"):
            b = per_page(ps, base_k, model)
            for v, (m, t) in finals.items():
                ks = [decide(q, p, t) for q, p in zip(m(ps), ps)]
                print(f"  claim model {model} {v:9} {kind_line(ks, ps)}  {line(per_page(ps, ks, model), b)}")
    if extra and finals:
        print(f"\nkind-only pages ({len(extra)}; in the kind model's training)")
        b = per_page(extra, [decide(probability(shipped, p["row"]), p) for p in extra])
        for v, (m, t) in finals.items():
            ks = [decide(q, p, t) for q, p in zip(m(extra), extra)]
            now = per_page(extra, ks)
            before = sum(x["disclosure"][0] for x in b.values())
            print(f"  {v:9} {kind_line(ks, extra)}  DISCLOSURE {before} -> "
                  f"{sum(x['disclosure'][0] for x in now.values())}")



if __name__ == "__main__":
    main()
