"""The claim finder stage (claimlint.claimfinder): it adds a finding of a category's
model-backed rule where a head reads a claim the rules (after the claim model) left without
that category, never touches a rule finding, refuses a broken model file clearly, can be
turned off, and the measuring script counts exactly as the reference metric."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from claimlint import claimfinder, claimmodel
from claimlint.claimfinder import FinderError, apply, load_model, validate
from claimlint.config import Config, ConfigError, config_from_dict
from claimlint.lint import Linter
from claimlint.pagescore import PageScore, load_pages
from tests.clirun import run_check
from tests.readsets import write_readset

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "measure_claim_finder.py"

# Our own sentences, written for these tests.
PLAIN = "Our clinic is open on weekdays and parking is behind the building."
ZEBRA = "Zebra herds cross the river every spring."
CLAIM = "Our stem cell injections cure arthritis."

PAGES = {
    "001.txt": ("https://www.knee-renew.example/stem-cells", "promotional", [
        ("Our stem cell injections cure arthritis for good.", ["TREATMENT"]),
        ("Zebra therapy helps your knees feel young again.", ["TREATMENT"]),
        ("Book your free consultation today!", []),
        ("Zebra herds cross the river every spring.", []),
    ]),
    "002.txt": ("https://knee-renew.example/safety", "promotional", [
        ("Stem cell therapy is completely safe with no side effects.", ["SAFETY"]),
        ("Zebra patients walk without a cane after two weeks.", ["TESTIMONIAL", "TREATMENT"]),
        ("Call us to find out more.", []),
    ]),
    "003.txt": ("https://health-notes.example/what-are-stem-cells", "educational", [
        ("Stem cells can develop into bone, cartilage or fat.", []),
        ("Zebra stripes confuse biting flies.", []),
    ]),
}


def toy(mode: str = "empty", **heads: dict[str, float]) -> dict:
    """A model whose heads read a claim only where their ``w:`` features are."""
    return validate({"mode": mode, "stems": False, "heads": {
        cat: {"bias": -10.0, "weights": w, "threshold": 0.5} for cat, w in heads.items()}})


@pytest.fixture(scope="module")
def linter(engine) -> Linter:
    return Linter(Config())


@pytest.fixture(scope="module")
def rules(linter) -> dict:
    return {r.id: r for r in linter.engine.pack.rules}


def stages(linter: Linter, text: str) -> tuple:
    from claimlint import claimmodel

    doc = linter.load(text.encode("utf-8"), "page.txt")
    found = linter.engine.run(doc)
    return doc, found, claimmodel.apply(doc, found) if found else found


def test_a_sentence_read_as_a_claim_gets_the_model_rules_finding(linter, rules):
    doc, found, kept = stages(linter, f"{PLAIN}\n\n{ZEBRA}\n")
    assert not [f for f in kept if f.rule.scope == "sentence"]
    out = apply(doc, found, kept, rules, toy(TREATMENT={"w:zebra": 20.0}))
    added = [f for f in out if f not in kept]
    assert [f.rule.id for f in added] == ["TREATMENT.model-claim"]
    assert doc.text[added[0].start:added[0].end] == ZEBRA
    assert added[0].extra["claim_probability"] > 0.99
    assert out[:len(kept)] == kept  # the rules' findings are untouched


def test_mode_decides_whether_a_flagged_sentence_gets_a_missing_category(linter, rules):
    doc, found, kept = stages(linter, f"{CLAIM}\n")
    assert {f.rule.category for f in kept if f.rule.scope == "sentence"} == {"TREATMENT"}
    heads = {"TREATMENT": {"w:arthritis": 20.0}, "SAFETY": {"w:arthritis": 20.0}}
    assert apply(doc, found, kept, rules, toy("empty", **heads)) == kept
    added = [f for f in apply(doc, found, kept, rules, toy("missing", **heads)) if f not in kept]
    assert [f.rule.id for f in added] == ["SAFETY.model-claim"]  # never a category already there


def test_a_sentence_the_claim_model_emptied_is_left_alone(linter, rules):
    doc, found, _ = stages(linter, f"{CLAIM}\n")
    assert found
    page_level = [f for f in found if f.rule.scope != "sentence"]
    out = apply(doc, found, page_level, rules, toy("missing", SAFETY={"w:arthritis": 20.0}))
    assert out == page_level


def test_an_empty_document_and_a_model_without_heads_add_nothing(linter, rules):
    doc, found, kept = stages(linter, "\n")
    assert apply(doc, found, kept, rules, toy(TREATMENT={"w:zebra": 20.0})) == kept
    doc, found, kept = stages(linter, f"{ZEBRA}\n")
    assert apply(doc, found, kept, rules, toy()) == kept


@pytest.mark.parametrize("broken, field", [
    ({"heads": {}}, "'mode'"),
    ({"mode": "all", "heads": {}}, "'mode'"),
    ({"mode": "empty"}, "'heads'"),
    ({"mode": "empty", "heads": {"TREATMENT": {"bias": 0, "weights": {}}}}, "heads.TREATMENT.threshold"),
    ({"mode": "empty", "heads": {"TREATMENT": {"bias": 0, "weights": {}, "threshold": 0}}},
     "heads.TREATMENT.threshold"),
    ({"mode": "empty", "heads": {"TREATMENT": {"weights": {}, "threshold": 0.5}}}, "heads.TREATMENT.bias"),
    ({"mode": "empty", "heads": {"TREATMENT": {"bias": 0, "weights": {"w:a": "1"}, "threshold": 0.5}}},
     "heads.TREATMENT.weights"),
    ({"mode": "empty", "heads": {"treatment": {"bias": 0, "weights": {}, "threshold": 0.5}}},
     "not a category name"),
    ({"mode": "empty", "heads": [], "stems": False}, "'heads'"),
    ([], "not a JSON object"),
])
def test_a_broken_model_file_is_a_clear_error(tmp_path, broken, field):
    path = tmp_path / "finder.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(FinderError, match="claim finder model unusable") as info:
        load_model(str(path))
    assert field in str(info.value) and str(path) in str(info.value)
    assert "--no-claim-finder" in str(info.value)


def test_a_model_file_that_is_not_json_or_missing_is_a_clear_error(tmp_path):
    path = tmp_path / "finder.json"
    path.write_text('{"heads": ', encoding="utf-8")
    with pytest.raises(FinderError, match="not valid JSON"):
        load_model(str(path))
    with pytest.raises(FinderError, match="cannot read"):
        load_model(str(tmp_path / "missing.json"))


def test_a_head_without_its_model_rule_is_a_clear_error(linter, rules):
    doc, found, kept = stages(linter, f"{ZEBRA}\n")
    with pytest.raises(FinderError, match="no model rule DISCLOSURE.model-claim"):
        apply(doc, found, kept, rules, toy(DISCLOSURE={"w:zebra": 20.0}))


def test_check_stops_with_the_models_error_and_runs_without_the_finder(tmp_path, monkeypatch):
    def broken():
        raise FinderError("finder.json", "'mode' must be one of empty, missing")

    monkeypatch.setattr(claimfinder, "shipped", broken)
    page = tmp_path / "page.txt"
    page.write_text(PLAIN + "\n", encoding="utf-8")
    for on in ([], ["--claim-finder"]):  # on by default
        result = run_check("--no-cache", "--jobs", "1", *on, str(page))
        assert result.exit_code == 2 and "claim finder model unusable" in result.output
    assert run_check("--no-cache", "--jobs", "1", "--no-claim-finder", str(page)).exit_code == 0
    assert run_check("--no-cache", "--jobs", "1", "--claim-finder", "--no-claim-model",
                     str(page)).exit_code == 0
    # no model rule selected: the stage is skipped and the model never read
    assert run_check("--no-cache", "--jobs", "1", "--claim-finder", "--select",
                     "GUARANTEE.guaranteed-results", str(page)).exit_code == 0


def test_check_reports_the_added_finding_and_the_switches_remove_it(tmp_path, monkeypatch):
    monkeypatch.setattr(claimfinder, "shipped", lambda: claimfinder.Heads(toy(TREATMENT={"w:zebra": 20.0})))
    page = tmp_path / "page.txt"
    page.write_text(f"{PLAIN}\n\n{ZEBRA}\n", encoding="utf-8")

    def findings(*args: str) -> list[dict]:
        result = run_check("--no-cache", "--jobs", "1", "--format", "json", *args, str(page))
        assert result.exit_code in (0, 1), result.output
        return [f for f in json.loads(result.output)["findings"] if f["rule"].endswith(".model-claim")]

    on = findings("--claim-finder")
    assert [(f["rule"], f["line"], f["severity"]) for f in on] == [("TREATMENT.model-claim", 3, "info")]
    assert on[0]["why"] and on[0]["suggestion"] and on[0]["claim_probability"] > 0.99
    assert findings() == on  # on by default
    assert findings("--no-claim-finder") == []
    assert findings("--claim-finder", "--no-claim-model") == []  # --no-claim-model: the rules alone
    # info: it never fails a run at the default --fail-on error
    assert run_check("--no-cache", "--jobs", "1", "--claim-finder", str(page)).exit_code == 0
    assert run_check("--no-cache", "--jobs", "1", "--claim-finder", "--fail-on", "info",
                     str(page)).exit_code == 1
    config = tmp_path / ".claimlint.toml"
    config.write_text("claim-finder = false\n", encoding="utf-8")
    assert findings("--config", str(config)) == []
    assert findings("--config", str(config), "--claim-finder") == on


def test_the_claim_finder_setting_must_be_a_boolean():
    assert config_from_dict({"claim-finder": False}).claim_finder is False
    assert Config().claim_finder is True  # on by default: it gained on the eighth fresh split (README)
    assert config_from_dict({"claim-finder": True}).claim_finder is True
    with pytest.raises(ConfigError, match="claim-finder"):
        config_from_dict({"claim-finder": "no"})


def test_the_shipped_model_names_model_rules_of_the_pack(engine):
    model = load_model()
    rules = {r.id: r for r in engine.pack.rules}
    assert model["heads"], "the shipped model has no head"
    for cat, head in model["heads"].items():
        rule = rules.get(claimfinder.rule_id(cat))
        assert rule is not None and rule.scope == "model" and rule.category == cat
        assert 0 < head["threshold"] <= 1
    assert model["rules"] == {cat: claimfinder.rule_id(cat) for cat in model["heads"]}
    model_rules = {r.id for r in engine.pack.rules if r.scope == "model"}
    assert model_rules == set(model["rules"].values())  # no model rule without a head
    named = {k.split(":", 1)[1] for h in model["heads"].values() for k in h["weights"] if k.startswith("ri:")}
    assert named <= set(rules), sorted(named - set(rules))


def test_model_rules_take_no_patterns(tmp_path):
    from claimlint.rulepack import RuleFileError, parse_rule_file

    text = """rules:
  - id: SAFETY.model-claim
    category: SAFETY
    scope: model
    severity: info
    message: m
    why: w
    suggestion: s
    patterns: [{phrase: safe}]
"""
    with pytest.raises(RuleFileError, match="takes no patterns"):
        parse_rule_file(text, tmp_path / "x.yml")
    rules = parse_rule_file(text.replace("    patterns: [{phrase: safe}]\n", ""), tmp_path / "x.yml")
    assert [(r.id, r.category, r.scope, r.patterns) for r in rules] == [
        ("SAFETY.model-claim", "SAFETY", "model", ())]


# ---- the measuring script ----

@pytest.fixture(scope="module")
def measure():
    spec = importlib.util.spec_from_file_location("measure_claim_finder_t", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def labeled(tmp_path_factory) -> Path:
    return write_readset(tmp_path_factory.mktemp("finderset"), PAGES)


@pytest.mark.parametrize("mode", ["empty", "missing"])
def test_the_scripts_counts_equal_page_score(measure, labeled, engine, monkeypatch, mode):
    model = toy(mode, TREATMENT={"w:zebra": 20.0}, SAFETY={"w:stem": 20.0},
                TESTIMONIAL={"w:walk": 20.0})
    prepared = {p["name"]: p for p in measure.prepare(Linter(Config()), "finderset", labeled)}
    monkeypatch.setattr(claimfinder, "shipped", lambda: claimfinder.Heads(model))
    linter = Linter(Config(claim_finder=True))
    thresholds = {c: h["threshold"] for c, h in model["heads"].items()}
    added_any = False
    for page in load_pages(labeled):
        p = prepared[f"finderset/{Path(page.file).name}"]
        probs = {c: [claimmodel.probability(h, r) for r in p["x"]] for c, h in model["heads"].items()}
        added = measure.additions(p, probs, mode, thresholds)
        added_any |= bool(added)
        score = PageScore()
        score.add(page, linter.lint_document(linter.load(page.text.encode("utf-8"), page.file)))
        assert measure.counts(p, added) == score.per_page[Path(page.file).name]
        for cat in thresholds:  # the fast per-category deltas agree with a full recount
            i = measure.THRESHOLDS.index(0.5)
            one = measure.counts(p, [(c, s) for c, s in added if c == cat])["category"]
            none = measure.counts(p)["category"]
            assert measure.deltas(p, cat, probs[cat], mode)[i] == (one[0] - none[0], one[1] - none[1])
    assert added_any


def test_the_script_writes_the_same_usable_model_twice(measure, labeled, tmp_path, monkeypatch):
    monkeypatch.setattr(measure, "MIN_POSITIVES", 1)
    outs = []
    for n in (1, 2):
        out = tmp_path / f"m{n}.json"
        monkeypatch.setattr(sys, "argv", ["measure", str(labeled), "--folds", "2", "--out", str(out)])
        measure.main()
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    model = validate(json.loads(outs[0]))
    assert set(model["trained_on"]) == {labeled.name} and model["pages"] == 3
    assert model["mode"] in claimfinder.MODES and len(model["code_digest"]) == 64


def test_the_script_refuses_check_splits(measure, tmp_path, monkeypatch):
    for name in ("fresh-check", "dev", "owndev-fifth"):
        (tmp_path / name).mkdir()
        monkeypatch.setattr(sys, "argv", ["measure", str(tmp_path / name)])
        with pytest.raises(SystemExit, match="check or held-out"):
            measure.main()


def test_all_heads_in_one_pass_give_each_heads_probability_to_the_last_bit(linter):
    """``Heads`` looks each feature up once for every head; it must give exactly what scoring
    each head on its own gives, on the shipped model's rows of a page and on random weights."""
    import random

    from claimlint.claimmodel import probability

    rnd = random.Random(12)
    words = [f"w:{i}" for i in range(40)]
    heads = {cat: {"bias": rnd.uniform(-3, 1), "threshold": rnd.choice([0.05, 0.3, 0.5, 0.9, 1.0]),
                   "weights": {w: rnd.uniform(-2, 2) for w in rnd.sample(words, 25)}}
             for cat in ("TREATMENT", "SAFETY", "HYPE")}
    rows = [{w: rnd.choice([1.0, 0.5, 0.25, 3.0, 1e-9]) for w in rnd.sample(words, rnd.randint(0, 30))}
            for _ in range(300)]
    doc, found, _ = stages(linter, "Stem cell therapy for knee pain\n\nOur injections repair cartilage "
                                   "so you can skip surgery.\n\nI was walking again in two weeks!\n\n"
                                   f"{PLAIN}\n\n{CLAIM}\n")
    real = claimfinder.all_rows(doc, found)[2]
    assert len(real) == 5 and all(real)
    model = load_model()
    for hs, rs in ((heads, rows), (model["heads"], real + rows)):
        together = claimfinder.Heads({"mode": "missing", "heads": hs})
        assert together.names == list(hs)
        for row in rs:
            each = [probability(hs[n], row) for n in together.names]
            assert together.probabilities(row) == each
            assert together.passing(row) == [(n, q) for n, q in zip(together.names, each)
                                             if q >= hs[n]["threshold"]]
    assert claimfinder.heads_of(model) is claimfinder.heads_of(model)


def test_the_shipped_model_is_compiled_once_into_the_plan_cache(tmp_path, monkeypatch):
    """A new process reads the compiled model from the plan cache; what it reads scores as the
    JSON file does, and an unreadable cache entry is compiled again from the file."""
    monkeypatch.setenv("CLAIMLINT_PLAN_DIR", str(tmp_path))
    fresh = claimfinder.Heads(load_model())

    def same(a: claimfinder.Heads, b: claimfinder.Heads) -> bool:
        return vars(a) == vars(b)

    claimfinder.shipped.cache_clear()
    try:
        first = claimfinder.shipped()
        saved = list(tmp_path.glob("finder-*.pickle"))
        assert len(saved) == 1 and same(first, fresh)
        claimfinder.shipped.cache_clear()
        monkeypatch.setattr(claimfinder, "load_model", lambda: pytest.fail("the JSON was read again"))
        assert same(claimfinder.shipped(), fresh)
        saved[0].write_bytes(b"not a pickle")
        claimfinder.shipped.cache_clear()
        monkeypatch.undo()
        monkeypatch.setenv("CLAIMLINT_PLAN_DIR", str(tmp_path))
        assert same(claimfinder.shipped(), fresh)
    finally:
        claimfinder.shipped.cache_clear()


def test_a_repeated_title_gets_the_finders_finding_once(linter, rules):
    """One claim, one finding: a title repeated word for word as the first heading gets no
    finding of a category its first copy already has, as the engine treats a rule's repeats;
    a sentence written twice is a second claim and gets its own."""
    model = toy("missing", TREATMENT={"w:zebra": 20.0})
    title = "Zebra Care for Tired Knees in Springfield"
    doc, found, kept = stages(linter, f"{title}\n\n{title}\n\n{ZEBRA}\n\n{ZEBRA}\n")
    added = [f for f in apply(doc, found, kept, rules, model) if f.rule.id == "TREATMENT.model-claim"]
    lines = [doc.text.count("\n", 0, f.start) // 2 + 1 for f in added]
    assert lines == [1, 3, 4]
