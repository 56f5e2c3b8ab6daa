"""`claimlint rules eval` on labeled pages scores exactly as the corpus's reference scorer."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from claimlint.cli import main
from claimlint.pagescore import find_by_hash, load_pages, sentence_hash
from tests.conftest import SHARED

# Our own copy, in the style of a clinic page: claims, honest limits and plain sentences.
PAGE_A = """Stem Cell Therapy for Arthritic Knees
Our stem cell injections are guaranteed to rebuild your knee. There are no side effects.
Book your free consultation today!
Results vary from patient to patient.
"""
PAGE_B = """How Regenerative Injections Work
Stem cells can develop into bone, cartilage or fat.
Beware of clinics that promise guaranteed results.
Our doctors cured my back pain in one visit!
"""


def run_cli(args: list[str]):
    return CliRunner().invoke(main, args, catch_exceptions=False)


def _labeled(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "001.txt").write_text(PAGE_A, encoding="utf-8")
    (pages / "002.txt").write_text(PAGE_B, encoding="utf-8")
    entries = [
        {"file": "001.txt", "url": "https://example.test/a", "kind": "promotional",
         "discloses_risks": True, "doc_labels": [],
         "sentences": [
             {"text": "Stem Cell Therapy for Arthritic Knees", "labels": ["TREATMENT"]},
             {"text": "Our stem cell injections are guaranteed to rebuild your knee.",
              "labels": ["GUARANTEE", "MECHANISM"]},
             {"text": "There are no side effects.", "labels": ["SAFETY"]},
             {"text": "Book your free consultation today!", "labels": []},
             {"text": "Results vary from patient to patient.", "labels": []}]},
        {"file": "002.txt", "url": "https://example.test/b", "kind": "mixed",
         "discloses_risks": False, "doc_labels": ["DISCLOSURE"],
         "sentences": [
             {"text": "How Regenerative Injections Work", "labels": []},
             {"text": "Stem cells can develop into bone, cartilage or fat.", "labels": []},
             {"text": "Beware of clinics that promise guaranteed results.", "labels": []},
             {"text": "Our doctors cured my back pain in one visit!", "labels": ["TESTIMONIAL"]}]},
    ]
    (tmp_path / "pages_labels.jsonl").write_text(
        "".join(json.dumps(e) + "\n" for e in entries), encoding="utf-8")
    manifest = tmp_path / "manifest.jsonl"
    manifest.write_text("".join(json.dumps({**e, "sentences": [
        {"sha1": sentence_hash(s["text"]), "labels": s["labels"]} for s in e["sentences"]]}) + "\n"
        for e in entries), encoding="utf-8")
    return tmp_path, manifest


def test_sentences_are_found_by_hash_however_the_page_is_split():
    text = "Intro line\nFirst sentence here. Second one follows!\n- A list item\n"
    wanted = {sentence_hash(s) for s in ("Second one follows!", "A list item", "Intro line")}
    assert set(find_by_hash(text, wanted).values()) == {"Second one follows!", "A list item", "Intro line"}


def test_manifest_and_texts_load_the_same_pages_as_labels(tmp_path):
    folder, manifest = _labeled(tmp_path)
    by_text = load_pages(folder)
    by_hash = load_pages(folder / "pages", manifest)
    assert [p.sentences for p in by_text] == [p.sentences for p in by_hash]
    assert by_text[1].doc_labels == {"DISCLOSURE"}


@pytest.mark.skipif(not (SHARED / "corpus" / "score_pages.py").exists() or not shutil.which("claimlint"),
                    reason="needs the reference scorer (../shared/corpus) and an installed claimlint")
def test_rules_eval_equals_the_reference_scorer(tmp_path):
    folder, manifest = _labeled(tmp_path)
    ours = json.loads(run_cli(["rules", "eval", str(folder), "--json"]).stdout)
    hashed = json.loads(run_cli(["rules", "eval", str(folder / "pages"), "--manifest",
                                 str(manifest), "--json"]).stdout)
    ref = subprocess.run(
        [sys.executable, str(SHARED / "corpus" / "score_pages.py"), "--pages", str(folder), "--json",
         "--linter", "claimlint check --format json --fail-on info --no-cache"],
        capture_output=True, text=True, check=True)
    reference = json.loads(ref.stdout)
    assert ours == reference
    assert hashed == reference
    assert reference["sentences"]["ALL(flagged)"]["tp"] >= 1  # the pages do exercise the rules


def test_labelers_agreement_is_scored_by_the_same_metric(tmp_path):
    """corpus/agreement.py: a manifest agrees fully with itself; a second labeler who misses a
    claim and labels one more sentence loses recall and precision exactly as a linter would."""
    folder, manifest = _labeled(tmp_path)
    tool = Path(__file__).resolve().parents[1] / "corpus" / "agreement.py"

    def agree(other):
        out = subprocess.run([sys.executable, str(tool), str(folder), str(manifest), str(other), "--json"],
                             capture_output=True, text=True, check=True).stdout
        return json.loads(out)

    same = agree(manifest)
    assert same["ALL(flagged)"] == {"tp": 4, "fp": 0, "fn": 0, "precision": 1.0, "recall": 1.0}
    assert same["disclosure"] == {"tp": 1, "tn": 1}
    entries = [json.loads(line) for line in manifest.read_text().splitlines()]
    entries[0]["sentences"][2]["labels"] = []  # "There are no side effects." missed
    entries[0]["sentences"][4]["labels"] = ["GUARANTEE"]  # "Results vary..." labeled
    other = tmp_path / "other.jsonl"
    other.write_text("".join(json.dumps(e) + "\n" for e in entries), encoding="utf-8")
    flagged = agree(other)["ALL(flagged)"]
    assert (flagged["tp"], flagged["fp"], flagged["fn"]) == (3, 1, 1)


def test_intervals_and_a_paired_change_between_two_rule_sets(tmp_path):
    """--save writes each page's counts; --intervals brackets the point figures; --against
    the same rules is no change at all; a bad --against file is a clear error."""
    folder, _ = _labeled(tmp_path)
    saved = tmp_path / "before.json"
    out = run_cli(["rules", "eval", str(folder), "--save", str(saved), "--intervals", "200"]).stdout
    per_page = json.loads(saved.read_text())
    assert sorted(per_page) == sorted(p.name for p in (folder / "pages").iterdir())
    assert all(set(counts) == {"flagged", "category", "disclosure"} for counts in per_page.values())
    assert "95% intervals (200 resamples of the 2 pages):" in out
    same = run_cli(["rules", "eval", str(folder), "--against", str(saved)]).stdout
    assert "flagged F1" in same and "+0.000 (95% interval +0.000 to +0.000, 2 pages in common)" in same
    bad = tmp_path / "bad.json"
    bad.write_text('{"x": 1}')
    run = run_cli(["rules", "eval", str(folder), "--against", str(bad)])
    assert run.exit_code == 2 and "not page counts written by --save" in run.output


def test_paired_change_sees_a_gain_on_every_page_and_intervals_contain_the_estimate():
    from claimlint.pagescore import _summed, intervals, paired_change

    then = {f"{i}.txt": {"flagged": [2, 2, 2], "category": [2, 3, 2], "disclosure": [1, 0]}
            for i in range(30)}
    now = {name: {**c, "flagged": [3, 1, 1]} for name, c in then.items()}
    change = paired_change(now, then, resamples=300)
    assert change["flagged"]["low"] > 0 and change["flagged"]["change"] > 0
    assert change["category"] == {**change["category"], "change": 0.0, "low": 0.0, "high": 0.0}
    mixed = {name: (now if i % 2 else then)[name] for i, name in enumerate(then)}
    found = intervals(mixed, resamples=300)
    p, r, f1 = _summed(list(mixed.values()), "flagged")
    lo, hi = found["flagged"]["F1"]
    assert lo <= f1 <= hi and lo < hi


def test_pages_labeled_for_kind_only_are_scored_on_the_disclosure_verdict(tmp_path):
    """A kind-only manifest (no sentences) scores the page-level DISCLOSURE verdict that
    LABELING.md derives from kind and discloses_risks, and no sentence at all."""
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "001.txt").write_text(PAGE_A, encoding="utf-8")  # discloses ("results vary")
    (pages / "002.txt").write_text(PAGE_A.replace("Results vary from patient to patient.\n", ""),
                                   encoding="utf-8")
    (pages / "003.txt").write_text(PAGE_B, encoding="utf-8")
    entries = [{"file": "001.txt", "kind": "promotional", "discloses_risks": True},
               {"file": "002.txt", "kind": "promotional", "discloses_risks": False},
               {"file": "003.txt", "kind": "educational", "discloses_risks": False}]
    manifest = tmp_path / "kind.jsonl"
    manifest.write_text("".join(json.dumps(e) + "\n" for e in entries), encoding="utf-8")
    loaded = load_pages(tmp_path, manifest)
    assert [p.sentences for p in loaded] == [None, None, None]
    assert [sorted(p.doc_labels) for p in loaded] == [[], ["DISCLOSURE"], []]
    result = run_cli(["rules", "eval", str(tmp_path), "--manifest", str(manifest), "--json"])
    score = json.loads(result.output)
    assert {k: score["disclosure_pages"].get(k, 0) for k in ("tp", "fp", "fn", "tn")} == {
        "tp": 1, "fp": 0, "fn": 0, "tn": 2}
    assert score["sentences"]["ALL(flagged)"]["fp"] == 0  # claims on these pages: not scored
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"file": "001.txt", "kind": "promotional"}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not a labeled page"):
        load_pages(tmp_path, bad)
