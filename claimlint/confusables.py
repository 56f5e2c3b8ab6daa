"""Letters from another alphabet that look like Latin ones, read as the Latin letter.

Some pages write English with Cyrillic or Greek look-alikes ("mеdісаl" with a Cyrillic е, і,
а), so that keyword searches and linters miss their claims while a reader sees plain English.
``fold`` maps each such letter to the Latin letter it imitates, one character for one, so
every offset of the text still points at the same place in the source. A letter is folded
only inside a run of letters that is written in Latin otherwise ("thе"), or in a run made of
look-alikes alone ("оf" with both letters Cyrillic) when the passage around it is mostly
Latin; real Russian or Greek words, and symbols such as the micro sign in "μL", stay as they
are. Fullwidth and mathematical letters ("ｓｔｅｍ", "𝐜𝐮𝐫𝐞"), Latin letters in another form,
are always folded.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Cyrillic and Greek letters drawn like a Latin letter (Unicode's confusables, the letters of
# the two alphabets that render alike in common fonts).
_LOOK_ALIKES = {
    # Cyrillic lower case
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "ѕ": "s", "і": "i",
    "ј": "j", "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l", "к": "k", "ѵ": "v", "ɡ": "g",
    # Cyrillic capitals
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C",
    "Т": "T", "У": "Y", "Х": "X", "Ѕ": "S", "І": "I", "Ј": "J", "Ԛ": "Q", "Ԝ": "W", "Ү": "Y",
    "Ӏ": "I",
    # Greek
    "ο": "o", "ρ": "p", "ν": "v", "ι": "i", "κ": "k", "α": "a",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
}
_LETTERS = re.compile(r"[^\W\d_]+")
_ASCII_LETTER = re.compile(r"[A-Za-z]")


@lru_cache(maxsize=4096)
def _latin(ch: str) -> str | None:
    """The ASCII letter ``ch`` imitates, or None."""
    if ch in _LOOK_ALIKES:
        return _LOOK_ALIKES[ch]
    if ch.isascii():
        return None
    wide = unicodedata.normalize("NFKC", ch)  # fullwidth and mathematical letters
    return wide if len(wide) == 1 and wide.isascii() and wide.isalpha() else None


def fold(text: str) -> str:
    """``text`` with look-alike letters read as Latin, of the same length."""
    if text.isascii():
        return text
    latin = len(_ASCII_LETTER.findall(text))
    other = sum(1 for ch in text if ch.isalpha() and not ch.isascii())
    mostly_latin = latin > other
    out = []
    last = 0
    for m in _LETTERS.finditer(text):
        run = m.group()
        if run.isascii():
            continue
        mapped = [ch if ch.isascii() else _latin(ch) for ch in run]
        if None in mapped:
            continue  # a real word of another alphabet, or a symbol ("μL")
        if run == "".join(mapped):
            continue
        if (not _ASCII_LETTER.search(run) and not mostly_latin
                and any(ch in _LOOK_ALIKES for ch in run)):
            continue  # look-alikes alone, in a passage of another alphabet
        out.append(text[last:m.start()])
        out.append("".join(mapped))
        last = m.end()
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)
