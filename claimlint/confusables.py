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
_ASCII_LETTER = re.compile(r"[A-Za-z]")
_OTHER_LETTER = re.compile(r"[^\x00-\x7f\W\d_]")
# fullwidth Latin capitals and small letters, and the mathematical alphanumeric letters
_WIDE_RANGES = ((0xFF21, 0xFF3A), (0xFF41, 0xFF5A), (0x1D400, 0x1D6A5))
# every letter fold can change: the look-alikes and those ranges (a few of whose code points
# are unassigned: translation leaves them, and their word, as they are)
_FOLDABLE = re.compile("[" + "".join(_LOOK_ALIKES)
                       + "".join(f"{chr(a)}-{chr(b)}" for a, b in _WIDE_RANGES) + "]")
LONGEST_WORD = 64  # a longer run of letters is no word (a key, a data blob): left as it is
PASSAGE = 200  # characters either side of a word of look-alikes alone that tell its alphabet


def _wide_letters() -> dict[int, str]:
    """Fullwidth and mathematical letters, each to the ASCII letter it is a form of."""
    table = {}
    for code in (c for a, b in _WIDE_RANGES for c in range(a, b + 1)):
        plain = unicodedata.normalize("NFKC", chr(code))
        if len(plain) == 1 and plain.isascii() and plain.isalpha():
            table[code] = plain
    return table


_TO_LATIN = str.maketrans({**_LOOK_ALIKES, **{chr(k): v for k, v in _wide_letters().items()}})


def _foldable_runs(text: str):  # noqa: ANN202 (a generator of spans)
    """``(start, end)`` of each run of letters (a word) that holds a letter fold can change,
    in order; found from those letters alone, so most copy costs one scan in C."""
    end = 0
    for m in _FOLDABLE.finditer(text):
        if m.start() < end:
            continue  # inside the run just given
        start, end = m.start(), m.end()
        while start > max(0, m.start() - LONGEST_WORD) and text[start - 1].isalpha():
            start -= 1
        while end < min(len(text), m.end() + LONGEST_WORD) and text[end].isalpha():
            end += 1
        if (start == 0 or not text[start - 1].isalpha()) and (end == len(text) or not text[end].isalpha()):
            yield start, end


def fold(text: str) -> str:
    """``text`` with look-alike letters read as Latin, of the same length."""
    if text.isascii():
        return text
    out = []
    last = 0
    for start, end in _foldable_runs(text):
        run = text[start:end]
        latin = run.translate(_TO_LATIN)
        if not latin.isascii():
            continue  # a real word of another alphabet, or a symbol ("μL")
        if not _ASCII_LETTER.search(run) and any(ch in _LOOK_ALIKES for ch in run):
            around = text[max(0, start - PASSAGE):end + PASSAGE]
            if len(_ASCII_LETTER.findall(around)) <= len(_OTHER_LETTER.findall(around)):
                continue  # look-alikes alone, in a passage of another alphabet
        out.append(text[last:start])
        out.append(latin)
        last = end
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)
