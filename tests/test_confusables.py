"""Look-alike letters from another alphabet are read as the Latin letters they imitate, so a
claim written with them is still found, at the same place, and quoted as the page writes it.
All copy here is our own."""

from __future__ import annotations

import pytest

from claimlint.confusables import fold
from claimlint.lint import lint_text

LATIN = "Our stem cell therapy cures arthritis.\n\nBook your visit today."
# the same copy with Cyrillic а, е, о, с, р, у and Greek ο in place of Latin letters
DISGUISED = "Оur stеm сеll thеrаpу сurеs аrthritis.\n\nBοοk yоur visit tоdаy."


@pytest.mark.parametrize("text, read", [
    ("mеdісаl", "medical"),            # Cyrillic letters inside a Latin word
    ("оf the", "of the"),              # a word of look-alikes only, in an English passage
    ("ｓｔｅｍ ｃｅｌｌｓ", "stem cells"),  # fullwidth letters
    ("𝐜𝐮𝐫𝐞𝐬 pain", "cures pain"),      # mathematical bold letters
])
def test_look_alikes_read_as_latin_one_for_one(text, read):
    assert fold(text) == read and len(fold(text)) == len(text)


@pytest.mark.parametrize("text", [
    "Москва и мир",          # Russian stays Russian, look-alike letters and all
    "Доза 5 μL в день",      # a Russian passage: its look-alike-only words stay too
    "Café crème",            # accented Latin letters are not look-alikes
    "Inject 5 μL per site",  # the micro sign is a unit, not a letter u
])
def test_real_words_of_other_alphabets_and_symbols_stay(text):
    assert fold(text) == text


def test_a_disguised_claim_is_found_where_the_plain_one_is_and_quoted_as_written():
    plain, hidden = lint_text(LATIN), lint_text(DISGUISED)
    assert plain, "the plain copy makes a claim"
    assert [(f.rule, f.line, f.column, f.end_line, f.end_column) for f in hidden] == \
        [(f.rule, f.line, f.column, f.end_line, f.end_column) for f in plain]
    for f in hidden:
        line = DISGUISED.splitlines()[f.line - 1]
        if f.line == f.end_line and f.text:
            assert line[f.column - 1:f.end_column - 1] == f.text  # the page's own letters
    cure = next(f for f in hidden if f.rule.startswith("TREATMENT"))
    assert cure.text != fold(cure.text)  # quoted with the Cyrillic letters, not the folded ones
