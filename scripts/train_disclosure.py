#!/usr/bin/env python3
"""A fitted page-level DISCLOSURE verdict, measured out of fold by site (measured, not shipped).

    scripts/train_disclosure.py CORPUS [--splits fresh6,fresh4,...] [--folds 5]
        [--kind-only corpus/pagekind_manifest.jsonl] [--cache .claimlint_cache/disclosure.json]
        [--out MODEL.json] [--no-measure]

The rule ``DISCLOSURE.no-risk-disclosure`` fires on a seller's page that mentions and offers a
treatment (its ``requires``) and recognises no disclosure (its ``unless``); the page kind and
the disclosure patterns are chained guesses. This script measures whether a logistic model of
"this page is labeled DISCLOSURE" over the same signals does better than the chain: whether
the rule's requirements are met (read with the page taken for a seller's, whatever its kind),
in how many sentences its disclosure patterns fire, the page kind and the page-kind model's
probability, the rules' own claims per category (before the claim model), the page's length
and the page-kind model's voice cues. The verdict would be the rule's own finding (at the
first treatment mention, with its message, why and suggestion) where the requirements are
met and the model says yes. Every input is computed from a page as ``claimlint check`` lints
it (the shipped page-kind model decides the kind), so the figures forecast a run time that
computed them the same way.

CORPUS holds the read splits (``READ``; each ``pages_labels.jsonl`` and ``pages/NNN.txt``,
third-party text never committed); the check splits, the held-out split, anything under
``own/`` (the unseen split being labeled) are refused by name (``NEVER``). ``--kind-only``
adds the 599 kind-only pages (page kind and DISCLOSURE labels; texts in ``CORPUS/kind``) to
the folds, so they are no longer a check of the verdict.

Out of fold **by site** (the registered domain of the URL, five folds): the model's C and
decision threshold are chosen inside each fold by an inner five-fold-by-site
cross-validation of that fold's training pages (most pages right), and each page is judged
by a model that never saw its site. Printed: DISCLOSURE pages right, the rule's verdict
against the fitted one, pooled over the read pages and per split, with a paired 95% interval
by page. ``--out`` then writes the model fitted on every page (C and threshold chosen by the
same inner cross-validation) as readable JSON: a weight, mean and scale per named feature,
the intercept and the threshold (scikit-learn in this script only; deterministic). The
eleventh round's figures (docs/accuracy.md) did not meet the ship rule, so no model ships.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import math
import random
import sys
from functools import lru_cache
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pagekind_oof import site  # noqa: E402

from claimlint.rulepack import RulePack  # noqa: E402

RULE = "DISCLOSURE.no-risk-disclosure"
# the categories whose counts of findings the verdict reads (each its own feature)
CATEGORIES = ("TREATMENT", "MECHANISM", "EVIDENCE", "SAFETY", "COMPARATIVE", "TESTIMONIAL", "COST", "HYPE")

READ = ("fresh6", "fresh4", "fresh5", "fresh3", "dev3", "fresh2", "fresh-read", "d2-read", "owndev-read")
CHECK = ("fresh-check", "d2-check", "owndev-fifth", "dev")
NEVER = ("fresh-check", "d2-check", "owndev-fifth", "dev", "ownheld", "own", "kind")
CS = (0.03, 0.1, 0.3, 1.0)
THRESHOLDS = (0.35, 0.4, 0.45, 0.5, 0.55, 0.6)


# --- the verdict's inputs, as a run time would compute them ---------------------------------

def features(text: str, kind: str, educational: float, req: bool, seen: int,
             categories: dict[str, int]) -> dict[str, float]:
    """The verdict's inputs: the rule's signals (``req``: it mentions and offers a treatment;
    ``seen``: in how many sentences its disclosure patterns fired), the page kind and its
    probability, the rules' claims per category (log-scaled; before the claim model), the
    page's length and the page-kind model's voice cues."""
    from claimlint.pagekind import FEATURES, READ_CHARS
    from claimlint.pagekind import features as cues

    row = {"req": float(req), "seen": float(seen > 0), "disclosures": math.log1p(seen),
           "p_educational": educational,
           "kind_educational": float(kind == "educational"), "kind_mixed": float(kind == "mixed"),
           "words": math.log1p(len(text[:READ_CHARS].split())),
           "claims": math.log1p(sum(n for c, n in categories.items() if c != "DISCLOSURE"))}
    row |= {f"cat_{c}": math.log1p(categories.get(c, 0)) for c in CATEGORIES}
    row |= {f"cue_{name}": v for name, v in cues(text).items() if name in FEATURES}
    return row


def probability(model: dict, row: dict[str, float]) -> float:
    w, mean, scale = model["weights"], model["mean"], model["scale"]
    z = model["bias"] + sum(w[f] * (row.get(f, 0.0) - mean[f]) / scale[f] for f in w)
    return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))


@lru_cache(maxsize=4)
def _probes(engine):  # noqa: ANN001, ANN202
    """Two engines of the DISCLOSURE rule alone, for any page kind: the rule with its
    disclosure patterns set aside (are its requirements met?), and its disclosure patterns as a
    sentence rule (in which sentences do they fire?). Built once per engine."""
    from claimlint.engine.core import UNLESS_CANCEL, Engine

    rule = next((r for r in engine.rules if r.id == RULE), None)
    if rule is None:
        return None
    bare = dataclasses.replace(rule, pages=frozenset({"promotional", "mixed", "educational"}), min_words=(),
                               unless=(), unless_config=None)
    said = dataclasses.replace(bare, id=RULE + ".disclosures", scope="sentence", patterns=rule.unless,
                               cancel=UNLESS_CANCEL, requires=(), exclude=(), yields_to=())
    make = lambda r: Engine(RulePack([r]), extra_terms=engine.extra_terms, plan_cache=False)  # noqa: E731
    return rule, make(bare), make(said)


def signals(doc, found: list, engine) -> tuple[bool, int, object | None]:  # noqa: ANN001
    """Whether the rule's requirements are met on ``doc`` (whatever its kind), in how many
    sentences its disclosure patterns fired (0 when the requirements are not met), and the
    rule's finding where the requirements are met."""
    probes = _probes(engine)
    if probes is None:
        return False, 0, None
    rule, bare, said = probes
    fired = next((f for f in found if f.rule.id == RULE), None)
    kind = doc.page_kind
    doc.page_kind = "promotional"  # judged as a seller's page would be, whatever its kind
    try:
        met = [fired] if fired is not None else bare.run(doc)
        seen = len({f.sent_start for f in said.run_many([doc], one_per_claim=False)[0]}) if met else 0
    finally:
        doc.page_kind = kind
    if not met:
        return False, 0, None
    return True, seen, fired or dataclasses.replace(met[0], rule=rule)



# --- fitting and measuring ---------------------------------------------------------------

def page_inputs(corpus: Path, splits: tuple[str, ...], cache_path: Path,
                kind_manifest: Path | None = None, check: bool = False) -> list[dict]:
    """Each labeled page of ``splits``: its site, label, the rule's verdict and the verdict's
    features, as ``claimlint check`` would compute them (cached by text and claimlint build)."""
    from claimlint.cache import code_digest
    from claimlint.config import Config
    from claimlint.lint import Linter
    from claimlint.pagekind import classify
    from claimlint.pagescore import load_pages

    version = code_digest()
    stored = json.loads(cache_path.read_text(encoding="utf-8")) if cache_path.is_file() else {}
    if stored.get("version") != version:
        stored = {"version": version, "pages": {}}
    linter = Linter(Config(claim_model=False))
    out = []
    sources = [(split, corpus / split, None) for split in splits]
    if check:  # a check split, scored only (or the kind-only pages by their manifest)
        sources = [(splits[0], corpus / splits[0], kind_manifest)]
        if splits[0] not in CHECK and kind_manifest is None:
            raise SystemExit(f"{splits[0]}: not a check split (the check splits: {', '.join(CHECK)})")
    elif kind_manifest is not None:  # the kind-only pages: page kind and DISCLOSURE labels, no sentences
        sources.append(("kind", corpus / "kind", kind_manifest))
    for split, folder, manifest in sources:
        labels = manifest or folder / "pages_labels.jsonl"
        if manifest is None and not check and (split not in READ or split in NEVER):
            raise SystemExit(f"{folder}: not a read split (the read splits: {', '.join(READ)})")
        if not labels.is_file():
            raise SystemExit(f"{labels}: no labels")
        urls = {}
        for line in labels.read_text(encoding="utf-8").splitlines():
            if line.strip():
                e = json.loads(line)
                urls[e["file"]] = e.get("url", "")
        for page in load_pages(folder, manifest):
            key = hashlib.sha1(page.text.encode("utf-8")).hexdigest()
            if key not in stored["pages"]:
                doc = linter.load(page.text.encode("utf-8"), page.file)
                kind = classify(doc.text)
                doc.page_kind = kind.kind
                found = linter.engine.run(doc)
                req, seen, _ = signals(doc, found, linter.engine)
                cats: dict[str, int] = {}
                for f in found:
                    cats[f.rule.category] = cats.get(f.rule.category, 0) + 1
                stored["pages"][key] = {
                    "rule": any(f.rule.id == "DISCLOSURE.no-risk-disclosure" for f in found),
                    "req": req, "row": features(doc.text, kind.kind, kind.educational, req, seen, cats)}
            name = Path(page.file).name
            out.append({"id": f"{split}/{name}", "split": split, "site": site(urls.get(name) or name),
                        "want": "DISCLOSURE" in page.doc_labels} | stored["pages"][key])
    cache_path.parent.mkdir(parents=True, exist_ok=True)
    cache_path.write_text(json.dumps(stored), encoding="utf-8")
    return out


def check_inputs(spec: Path, cache_path: Path) -> list[dict]:
    """A check split's pages (``FOLDER`` or ``FOLDER:MANIFEST``), for summary figures only."""
    folder, _, manifest = str(spec).partition(":")
    return page_inputs(Path(folder).parent, (Path(folder).name,), cache_path,
                       Path(manifest) if manifest else None, check=True)


def folds_by_site(pages: list[dict], k: int, seed: int = 0) -> list[int]:
    sites = sorted({p["site"] for p in pages})
    random.Random(seed).shuffle(sites)
    fold = {s: i % k for i, s in enumerate(sites)}
    return [fold[p["site"]] for p in pages]


def fit(pages: list[dict], c: float, threshold: float = 0.5) -> dict:
    """A logistic model of the label over the standardised features of the pages whose rule
    requirements are met (on the others the verdict is always no), as readable JSON."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    train = [p for p in pages if p["req"]]
    names = sorted(train[0]["row"])
    x = np.array([[p["row"][f] for f in names] for p in train])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    clf = LogisticRegression(C=c, max_iter=5000).fit((x - mean) / scale, [int(p["want"]) for p in train])
    return {"weights": {f: round(float(w), 5) for f, w in zip(names, clf.coef_[0])},
            "bias": round(float(clf.intercept_[0]), 5),
            "mean": {f: round(float(v), 5) for f, v in zip(names, mean)},
            "scale": {f: round(float(v), 5) for f, v in zip(names, scale)},
            "threshold": threshold, "c": c}


def says(model: dict, page: dict) -> bool:
    return bool(page["req"]) and probability(model, page["row"]) >= model["threshold"]


def choose(pages: list[dict], k: int) -> tuple[float, float]:
    """C and threshold with the most pages right out of fold by site over ``pages``."""
    folds = folds_by_site(pages, k, seed=1)
    probs = {c: {} for c in CS}
    for f in range(k):
        train = [p for p, q in zip(pages, folds) if q != f]
        held = [p for p, q in zip(pages, folds) if q == f]
        for c in CS:
            model = fit(train, c)
            probs[c].update((p["id"], probability(model, p["row"])) for p in held)

    def right(ct: tuple[float, float]) -> int:
        c, t = ct
        return sum((p["req"] and probs[c][p["id"]] >= t) == p["want"] for p in pages)

    return max(((c, t) for c in CS for t in THRESHOLDS), key=right)


def out_of_fold(pages: list[dict], k: int) -> tuple[dict[str, bool], list]:
    folds = folds_by_site(pages, k)
    verdict, chosen = {}, []
    for f in range(k):
        train = [p for p, q in zip(pages, folds) if q != f]
        c, t = choose(train, k)
        chosen.append((c, t))
        model = fit(train, c, t)
        verdict.update((p["id"], says(model, p)) for p, q in zip(pages, folds) if q == f)
    return verdict, chosen


def interval(diffs: list[int], resamples: int = 2000) -> tuple[int, int]:
    rng = random.Random(0)
    draws = sorted(sum(rng.choice(diffs) for _ in diffs) for _ in range(resamples))
    return draws[int(0.025 * (resamples - 1))], draws[int(0.975 * (resamples - 1))]


def report(pages: list[dict], verdict: dict[str, bool]) -> str:
    def line(ps: list[dict]) -> str:
        before = [int(p["rule"] == p["want"]) for p in ps]
        after = [int(verdict[p["id"]] == p["want"]) for p in ps]
        lo, hi = interval([a - b for a, b in zip(after, before)])
        tp = sum(verdict[p["id"]] and p["want"] for p in ps)
        fp = sum(verdict[p["id"]] and not p["want"] for p in ps)
        fn = sum(not verdict[p["id"]] and p["want"] for p in ps)
        return (f"{sum(before)} -> {sum(after)} of {len(ps)} ({sum(after) - sum(before):+d}, 95% interval "
                f"{lo:+d} to {hi:+d}; tp/fp/fn {tp}/{fp}/{fn})")

    read = [p for p in pages if p["split"] != "kind"]
    rows = [f"  pooled (read) {line(read)}"]
    for split in dict.fromkeys(p["split"] for p in pages):
        rows.append(f"  {split:13} {line([p for p in pages if p['split'] == split])}")
    return "\n".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--splits", default=",".join(READ))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--cache", type=Path, default=Path(".claimlint_cache/disclosure.json"))
    ap.add_argument("--out", type=Path, help="write the model fitted on every page here")
    ap.add_argument("--kind-only", type=Path, metavar="MANIFEST",
                    help="also fit on the kind-only pages of MANIFEST (texts in CORPUS/kind)")
    ap.add_argument("--check", action="append", default=[], type=Path, metavar="FOLDER",
                    help="a check split (or the kind-only pages, FOLDER:MANIFEST) scored with the model "
                         "fitted on every page: summary figures only")
    ap.add_argument("--no-measure", action="store_true", help="fit and write the model only")
    a = ap.parse_args()
    splits = tuple(s for s in a.splits.split(",") if s)
    pages = page_inputs(a.corpus, splits, a.cache, a.kind_only)
    print(f"{len(pages)} read pages in {len({p['site'] for p in pages})} sites; requirements met on "
          f"{sum(p['req'] for p in pages)}; labeled DISCLOSURE {sum(p['want'] for p in pages)} "
          f"({sum(p['want'] and p['req'] for p in pages)} with the requirements met)")
    if not a.no_measure:
        verdict, chosen = out_of_fold(pages, a.folds)
        print(f"out of fold by site, {a.folds} folds (C, threshold chosen per fold: {chosen}); "
              f"DISCLOSURE right, the rule -> the fitted verdict:")
        print(report(pages, verdict))
    if a.check or a.out is not None:
        c, t = choose(pages, a.folds)
        model = fit(pages, c, t) | {"pages": len(pages), "splits": list(splits)}
        print(f"fitted on {len(pages)} pages (C {c}, threshold {t})")
    for folder in a.check:  # scored only: summary figures, no page named or shown
        pages_c = check_inputs(folder, a.cache)
        verdict = {p["id"]: says(model, p) for p in pages_c}
        before = sum(p["rule"] == p["want"] for p in pages_c)
        after = sum(verdict[p["id"]] == p["want"] for p in pages_c)
        lo, hi = interval([int(verdict[p["id"]] == p["want"]) - int(p["rule"] == p["want"]) for p in pages_c])
        where = str(folder).partition(":")
        name = Path(where[0]).name + (" (kind-only)" if where[2] else "")
        print(f"  {name} (check): DISCLOSURE right {before} -> {after} of {len(pages_c)} "
              f"(95% interval {lo:+d} to {hi:+d})")
    if a.out is None:
        return
    a.out.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    print(f"-> {a.out}")


if __name__ == "__main__":
    main()
