"""The claim model filter stage (claimlint.claimmodel): the run time computes the features the
measuring script fits on (one implementation), drops only sentence-level findings, reads the
model only when there is something to filter, refuses a broken model file clearly, and
``--no-claim-model`` gives the rules alone."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from claimlint import claimmodel
from claimlint.claimmodel import ModelError, apply, load_model, validate
from claimlint.config import Config, ConfigError, config_from_dict
from claimlint.lint import Linter
from tests.clirun import run_check
from tests.readsets import load_measure_script, write_readset

ROOT = Path(__file__).resolve().parent.parent

# Our own pages, written for this test.
PAGES = {
    "001.txt": ("https://www.joint-renew.example/stem-cells", "promotional", [
        ("Our stem cell injections cure arthritis for good.", ["TREATMENT"]),
        ("Stem cell therapy is completely safe with no side effects.", ["SAFETY"]),
        ("Book your free consultation today!", []),
        ("Our exosome treatment regenerates damaged cartilage and heals torn ligaments.", ["MECHANISM"]),
    ]),
    "002.txt": ("https://joint-renew.example/prices", "promotional", [
        ("Patients see results in two weeks, guaranteed.", ["EFFICACY"]),
        ("WE TREAT BACK PAIN WITH STEM CELLS", ["TREATMENT"]),
        ("I felt no pain at all after my injection.", ["SAFETY"]),
    ]),
    "003.txt": ("https://health-notes.example/what-are-stem-cells", "educational", [
        ("Stem cells can develop into bone, cartilage or fat.", []),
        ("Some clinics claim that stem cells cure every disease, which the FDA warns against.", []),
        ("Ask your doctor about the risks before any injection.", []),
    ]),
}

CLAIM = "Our stem cell injections cure arthritis."
ZEBRA = "Zebra stem cell injections cure arthritis."


def toy_model(**weights: float) -> dict:
    """A model that keeps every sentence unless one of ``weights``' features pulls it down."""
    return validate({"heads": {"flagged": {"bias": 5.0, "weights": weights}},
                     "drop_below": 0.2, "extra_below": 0.0, "stems": False})


@pytest.fixture(scope="module")
def measure():
    return load_measure_script("measure_claim_model_rt")


@pytest.fixture(scope="module")
def labeled(tmp_path_factory) -> Path:
    return write_readset(tmp_path_factory.mktemp("readset"), PAGES)


@pytest.fixture(scope="module")
def rules_alone(engine) -> Linter:
    return Linter(Config(claim_model=False))


def test_the_script_uses_the_run_times_feature_code(measure):
    for name in ("rows", "probability", "keep_mask"):
        assert getattr(measure, name) is getattr(claimmodel, name)


def test_run_time_features_equal_the_scripts(measure, labeled, rules_alone):
    prepared = measure.prepare(rules_alone, "readset", labeled)
    assert sum(len(p["flagged_x"]) for p in prepared) >= 4  # rules fired on several sentences
    for p in prepared:
        text = (labeled / "pages" / Path(p["name"]).name).read_text(encoding="utf-8")
        doc = rules_alone.load(text.encode("utf-8"), Path(p["name"]).name)
        found = rules_alone.engine.run(doc)
        _, _, flagged, keep = claimmodel.rows(doc, found)
        assert list(flagged.values()) == p["flagged_x"]
        assert list(keep.values()) == p["keep_x"]


def test_optional_feature_groups_are_the_same_at_run_time_and_in_the_script(measure, labeled, rules_alone,
                                                                              monkeypatch):
    monkeypatch.setattr(measure, "FEATURES", claimmodel.GROUPS)
    prepared = measure.prepare(rules_alone, "readset", labeled)
    assert any(k.startswith("at:") for p in prepared for r in p["flagged_x"] for k in r)
    model = validate({"heads": {"flagged": {"bias": 5.0, "weights": {}}}, "drop_below": 0.2,
                      "extra_below": 0.0, "features": list(claimmodel.GROUPS)})
    for p in prepared:
        text = (labeled / "pages" / Path(p["name"]).name).read_text(encoding="utf-8")
        doc = rules_alone.load(text.encode("utf-8"), Path(p["name"]).name)
        found = rules_alone.engine.run(doc)
        _, _, flagged, _ = claimmodel.rows(doc, found, groups=tuple(model["features"]))
        assert list(flagged.values()) == p["flagged_x"]


def test_the_feature_groups_read_headings_questions_and_place(rules_alone):
    text = f"Knee Care Options\n\n{CLAIM} Call us today.\n\nDo stem cells cure arthritis?\n"
    doc = rules_alone.load(text.encode(), "page.txt")
    sents = claimmodel.sentences(doc)
    fired = [[] for _ in sents]
    rows = [claimmodel.sentence_row(doc, sents, fired, i, 0.0, groups=claimmodel.GROUPS)
            for i in range(len(sents))]
    assert rows[0].get("headlike") == 1.0 and "at:only" in rows[0]
    assert {"hw:knee", "hw:care", "hw:options", "at:first", "we"} <= set(rows[1])
    assert "at:last" in rows[2] and "question" not in rows[1]
    assert rows[3].get("question") == 1.0 and rows[3].get("hw:knee") == 1.0
    assert claimmodel.sentence_row(doc, sents, fired, 1, 0.0) == {
        k: v for k, v in rows[1].items() if k in claimmodel.sentence_row(doc, sents, fired, 1, 0.0)}


def test_the_filter_never_drops_page_level_findings(rules_alone):
    text = f"{CLAIM}\n\nStem cell therapy is completely safe with no side effects.\n"
    doc = rules_alone.load(text.encode(), "page.txt")
    found = rules_alone.engine.run(doc)
    page_level = [f for f in found if f.rule.scope != "sentence"]
    assert page_level and any(f.rule.scope == "sentence" for f in found)
    nothing_is_a_claim = validate({"heads": {"flagged": {"bias": -30.0, "weights": {}}},
                                   "drop_below": 0.2, "extra_below": 0.0})
    assert apply(doc, found, nothing_is_a_claim) == page_level
    assert apply(doc, found, toy_model()) == found


def test_a_sentence_scored_low_loses_its_findings_and_only_it(rules_alone):
    doc = rules_alone.load(f"{CLAIM}\n\n{ZEBRA}\n".encode(), "page.txt")
    found = rules_alone.engine.run(doc)
    kept = apply(doc, found, toy_model(**{"w:zebra": -20.0}))
    zebra = doc.text.index("Zebra")
    assert any(f.start >= zebra and f.rule.scope == "sentence" for f in found)
    assert kept == [f for f in found if f.rule.scope != "sentence" or f.start < zebra]


@pytest.mark.parametrize("broken, field", [
    ({"heads": {"flagged": {"bias": 0.1, "weights": {}}}, "extra_below": 0.0}, "drop_below"),
    ({"heads": {"flagged": {"bias": 0.1, "weights": {}}}, "drop_below": "x", "extra_below": 0}, "drop_below"),
    ({"heads": {"flagged": {"bias": 0.1, "weights": {}}}, "drop_below": 1.5, "extra_below": 0}, "drop_below"),
    ({"heads": {"flagged": {"bias": 0.1}}, "drop_below": 0.2, "extra_below": 0.0}, "heads.flagged.weights"),
    ({"heads": {"flagged": {"weights": {"w:a": 1}}}, "drop_below": 0.2, "extra_below": 0},
     "heads.flagged.bias"),
    ({"heads": {"flagged": {"bias": 0, "weights": {"w:a": "1"}}}, "drop_below": 0.2, "extra_below": 0},
     "heads.flagged.weights"),
    ({"heads": {"flagged": {"bias": 0, "weights": {}}}, "drop_below": 0.2, "extra_below": 0.3}, "heads.keep"),
    ({"drop_below": 0.2, "extra_below": 0.0}, "'heads'"),
    ({"heads": {"flagged": {"bias": 0, "weights": {}}}, "drop_below": 0.2, "extra_below": 0,
      "features": ["zodiac"]}, "'features'"),
    ([], "not a JSON object"),
])
def test_a_broken_model_file_is_a_clear_error(tmp_path, broken, field):
    path = tmp_path / "claims.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(ModelError, match="claim model unusable") as info:
        load_model(str(path))
    assert field in str(info.value) and str(path) in str(info.value)
    assert "--no-claim-model" in str(info.value)


def test_a_model_file_that_is_not_json_is_a_clear_error(tmp_path):
    path = tmp_path / "claims.json"
    path.write_text('{"heads": ', encoding="utf-8")
    with pytest.raises(ModelError, match="not valid JSON"):
        load_model(str(path))
    with pytest.raises(ModelError, match="cannot read"):
        load_model(str(tmp_path / "missing.json"))


def test_check_stops_with_the_models_error(tmp_path, monkeypatch):
    def broken():
        raise ModelError("claims.json", "'drop_below' is missing or not a number from 0 to 1")

    monkeypatch.setattr(claimmodel, "load_model", broken)
    page = tmp_path / "page.txt"
    page.write_text(CLAIM + "\n", encoding="utf-8")
    result = run_check("--no-cache", "--jobs", "1", str(page))
    assert result.exit_code == 2 and "claim model unusable" in result.output
    assert run_check("--no-cache", "--jobs", "1", "--no-claim-model", str(page)).exit_code == 1


def test_a_big_text_file_linted_in_parts_stops_with_the_models_error_too(tmp_path, monkeypatch):
    """A plain-text file over ``STREAM_BYTES`` is linted part by part; an unusable model file
    there is the same clear error and exit 2 as for a whole file, not a traceback."""
    from claimlint import bigtext

    def broken():
        raise ModelError("claims.json", "'heads' is missing or not an object")

    monkeypatch.setattr(claimmodel, "load_model", broken)
    monkeypatch.setattr(bigtext, "STREAM_BYTES", 2_000)
    page = tmp_path / "big.txt"
    page.write_text((CLAIM + "\n\n") * 200, encoding="utf-8")
    assert page.stat().st_size > 2_000
    result = run_check("--no-cache", "--jobs", "1", str(page))
    assert result.exit_code == 2 and "claim model unusable" in result.output
    assert "Traceback" not in result.output
    assert run_check("--no-cache", "--jobs", "1", "--no-claim-model", str(page)).exit_code == 1


def test_the_model_is_not_read_for_a_file_without_findings(tmp_path, monkeypatch):
    def never():
        raise AssertionError("the model was read")

    monkeypatch.setattr(claimmodel, "load_model", never)
    page = tmp_path / "plain.txt"
    page.write_text("Our clinic is open on weekdays. Parking is behind the building.\n", encoding="utf-8")
    result = run_check("--no-cache", "--jobs", "1", str(page))
    assert result.exit_code == 0, result.output


def test_check_drops_a_low_scored_sentence_and_no_claim_model_keeps_it(tmp_path, monkeypatch):
    monkeypatch.setattr(claimmodel, "load_model", lambda: toy_model(**{"w:zebra": -20.0}))
    page = tmp_path / "page.txt"
    page.write_text(f"{CLAIM}\n\n{ZEBRA}\n", encoding="utf-8")

    def findings(*args: str) -> list[dict]:
        result = run_check("--no-cache", "--jobs", "1", "--format", "json", *args, str(page))
        assert result.exit_code == 1, result.output
        return json.loads(result.output)["findings"]

    on, off = findings(), findings("--no-claim-model")
    assert {f["line"] for f in off if f["line"] == 3} and not any(f["line"] == 3 for f in on)
    first = [f for f in off if f["line"] == 1]
    assert first and [f for f in on if f["line"] == 1] == first  # a finding kept is unchanged
    config = tmp_path / ".claimlint.toml"
    config.write_text("claim-model = false\n", encoding="utf-8")
    assert findings("--config", str(config)) == off
    assert findings("--config", str(config), "--claim-model") == on


def test_the_claim_model_setting_must_be_a_boolean():
    assert config_from_dict({"claim-model": False}).claim_model is False
    assert Config().claim_model is True
    with pytest.raises(ConfigError, match="claim-model"):
        config_from_dict({"claim-model": "no"})


def test_the_shipped_model_is_usable_and_names_only_rules_of_the_pack(engine):
    model = load_model()
    ids = {r.id for r in engine.pack.rules}
    categories = {r.category for r in engine.pack.rules}
    named = {k.split(":", 1)[1] for h in model["heads"].values() for k in h["weights"]
             if k.startswith(("ri:", "rule:"))}
    assert named and named <= ids, sorted(named - ids)
    assert set(model["rule_ids"]) == named
    cats = {k.split(":", 1)[1].split("|")[0] for h in model["heads"].values() for k in h["weights"]
            if k.startswith(("rc:", "cat:"))}
    assert cats <= categories, sorted(cats - categories)
    # as the eleventh round measured: C chosen out of fold (0.1), the keep head on
    assert 0 < model["extra_below"] < 1 and set(model["heads"]) == {"flagged", "keep"}
    assert 0 < model["drop_below"] < 1 and model["stems"] is False and model["features"] == []
    assert model["c"] == 0.1 and model["c_choices"] == [0.1, 0.3, 1.0] and model["min_sites"] == 0


def test_the_script_writes_the_same_usable_model_twice(measure, labeled, tmp_path, monkeypatch):
    outs = []
    for n in (1, 2):
        out = tmp_path / f"m{n}.json"
        monkeypatch.setattr(sys, "argv", ["measure", str(labeled), "--folds", "2", "--out", str(out)])
        measure.main()
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    model = json.loads(outs[0])
    validate(model)
    assert set(model["trained_on"]) == {labeled.name} and len(model["code_digest"]) == 64
    assert model["rules_digest"] and model["pages"] == 3


# Our own sentences: a rule fires on both; the shipped model reads the question as no claim.
SHIPPED_CLAIM = "Our stem cells treat knee arthritis."
SHIPPED_QUESTION = "How long until certain stem cells repair damaged heart or nerve tissue?"


def test_the_shipped_model_drops_a_low_scored_sentence_end_to_end(tmp_path, rules_alone):
    model = load_model()
    page = tmp_path / "page.txt"
    page.write_text(f"{SHIPPED_CLAIM}\n\n{SHIPPED_QUESTION}\n", encoding="utf-8")
    doc = rules_alone.load(page.read_bytes(), str(page))
    found = rules_alone.engine.run(doc)
    _, where, flagged, _ = claimmodel.rows(doc, found)
    scores = [claimmodel.probability(model["heads"]["flagged"], flagged[i]) for i in sorted(flagged)]
    # after a refit, if this fails, write another sentence of your own the model scores low
    assert len(scores) == 2 and scores[0] >= model["drop_below"] > scores[1], scores

    def lines(*args: str) -> set[int]:
        result = run_check("--no-cache", "--jobs", "1", "--format", "json", *args, str(page))
        return {f["line"] for f in json.loads(result.output)["findings"]}

    assert lines() == {1}
    assert lines("--no-claim-model") == {1, 3}
