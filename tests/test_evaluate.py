import json

import pytest

from claimlint.evaluate import evaluate, load_corpus
from tests.conftest import SHARED


def _corpus(tmp_path, rows):
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return load_corpus(path)


def test_scores_true_and_false_positives_and_misses(tmp_path, linter):
    rows = _corpus(tmp_path, [
        {"text": "Our injections have no side effects.", "labels": ["SAFETY"]},
        {"text": "Results are guaranteed.", "labels": []},
        {"text": "Stem cells cure autism.", "labels": ["TREATMENT", "HYPE"]},
        {"text": "Risks include infection.", "labels": []},
    ])
    result = evaluate(rows, linter)
    assert (result.by_category["SAFETY"].tp, result.by_category["SAFETY"].fp) == (1, 0)
    assert result.by_category["GUARANTEE"].fp == 1
    assert result.by_category["TREATMENT"].tp == 1
    assert result.by_category["HYPE"].fn == 1
    assert ("HYPE", "Stem cells cure autism.") in result.misses
    assert result.overall.precision == pytest.approx(2 / 3)
    assert result.overall.recall == pytest.approx(2 / 3)


def test_bad_corpus_line_names_the_line(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text('{"text": "ok", "labels": []}\nnot json\n')
    with pytest.raises(ValueError, match="c.jsonl:2"):
        load_corpus(path)


@pytest.mark.skipif(not (SHARED / "corpus" / "dev.jsonl").exists(), reason="shared corpus not present")
def test_development_corpus_meets_the_bar(linter):
    """dev.jsonl: claims FDA quoted from sellers, and the risk guidance's own sentences.

    Its category labels follow the warning letters (biologic properties filed as PRODUCT, no
    MECHANISM), while real pages are labeled by LABELING.md (such sentences are MECHANISM), so
    the bar is set at the sentence: nearly every quoted claim is flagged, and the honest risk
    page gets no error."""
    rows = load_corpus(SHARED / "corpus" / "dev.jsonl")
    result = evaluate(rows, linter)
    claims = [i for i, r in enumerate(rows) if r["labels"]]
    assert len(result.flagged & set(claims)) / len(claims) >= 0.85
    honest = {" ".join(r["text"].split("\n\n")).strip() for r in rows if not r["labels"]}
    assert [f.rule for text, f in result.false_positives if text in honest and f.severity == "error"] == []
    assert result.by_category["TREATMENT"].recall >= 0.9
