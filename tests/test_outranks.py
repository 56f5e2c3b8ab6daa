"""A rule's ``outranks``: an overlapping finding of the named rule yields to it unless the
claim the two make together names what ``unless`` names (MECHANISM's effect over TREATMENT)."""

from claimlint.lint import lint_text


def _rules(text: str) -> set[str]:
    return {f.rule for f in lint_text(text)}


def test_effect_without_condition_is_mechanism_only() -> None:
    found = _rules("Our stem cell injections reduce inflammation and repair damaged skin.")
    assert "MECHANISM.biological-effect" in found
    assert "TREATMENT.treats-condition" not in found


def test_condition_or_function_named_keeps_treatment() -> None:
    assert "TREATMENT.treats-condition" in _rules(
        "Our stem cell injections repair torn ligaments and relieve pain.")
    assert "TREATMENT.treats-condition" in _rules(
        "Our injections help repair damaged cartilage and restore knee stability.")
