"""spaCy's tokenizer, sentence rule and matchers in plain Python, for small inputs.

Importing spaCy and building its English pipeline takes about 0.6 s: ten times the work of
linting a short file, and the whole cost of a pre-commit check of one page. For a small
input the engine uses these stand-ins instead. They give the tokens, sentences, lemmas and
matches of the pipeline in ``claimlint.nlp`` (tests compare the two on the fixture pages
and on text written to reach every tokenizer path). The tokenizer's rules (prefix, suffix,
infix and URL expressions, special cases) are read from spaCy once and kept in the engine's
plan, so a later process needs no spaCy at all.

Only what the engine uses is here: ``Doc`` (tokens with ``text``, ``lower_``, ``lemma_``,
``is_punct``, ``is_space``, ``is_sent_start``, ``idx``), ``Span`` (``sents``, character
offsets, ``char_span``) and a phrase matcher on ``LOWER`` or ``LEMMA``; token patterns are
matched by ``claimlint.engine.tokenmatch`` on either pipeline's words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache

from claimlint.nlp import lemma_of, sentence_starts, with_brackets

# -- tokenizer --------------------------------------------------------------------------


def tokenizer_rules(nlp) -> dict:  # noqa: ANN001 - a spaCy Language
    """The rules of ``nlp``'s tokenizer as plain data (pattern sources and special cases),
    to be kept in the plan."""
    from spacy.lang.en.lex_attrs import _num_words, _ordinal_words
    from spacy.pipeline.sentencizer import Sentencizer

    tok = nlp.tokenizer

    def source(method):  # noqa: ANN001, ANN202 - a bound re.Pattern method, or None
        pattern = getattr(method, "regex", None) or getattr(method, "__self__", None)
        return None if pattern is None else (pattern.pattern, pattern.flags)

    specials = {key: tuple(_orth(sub) for sub in subs) for key, subs in tok.rules.items()}
    rules = {"prefix": source(tok.prefix_search), "suffix": source(tok.suffix_search),
             "infix": source(tok.infix_finditer), "token_match": source(tok.token_match),
             "url_match": source(tok.url_match), "specials": specials,
             "faster_heuristics": bool(tok.faster_heuristics),
             "sent_marks": sorted(Sentencizer.default_punct_chars),
             "number_words": sorted(set(_num_words) | set(_ordinal_words))}
    if None in (rules["prefix"], rules["suffix"], rules["infix"]):
        raise ValueError("a tokenizer without prefix, suffix and infix rules")
    return rules


def _orth(sub: dict) -> str:
    from spacy.attrs import ORTH

    return sub[ORTH] if ORTH in sub else sub["ORTH"]


class Tokenizer:
    """spaCy's rule-based tokenizer (``spacy/tokenizer.pyx``: the whitespace walk,
    ``_split_affixes``, ``_attach_tokens`` and the special-case matcher), in Python."""

    def __init__(self, rules: dict) -> None:
        def compiled(name: str):  # noqa: ANN202
            src = rules[name]
            return None if src is None else re.compile(src[0], src[1])

        self.prefix_search = compiled("prefix").search
        self.suffix_search = compiled("suffix").search
        self.infix_finditer = with_brackets(compiled("infix").finditer)
        token_match, url_match = compiled("token_match"), compiled("url_match")
        self.token_match = token_match.match if token_match else None
        self.url_match = url_match.match if url_match else None
        self.specials: dict[str, tuple[str, ...]] = rules["specials"]
        self._cache: dict[str, tuple[tuple[str, ...], bool]] = {}
        # special cases that affix splitting would cut up are found again across tokens
        self._special_phrases: dict[str, list[tuple[str, ...]]] = {}
        for key in sorted(self.specials):
            if not rules["faster_heuristics"] or self._find_prefix(key) or self._find_suffix(key) \
                    or self.infix_finditer(key) or " " in key:
                words, _ = self._tokenize_affixes(key, False)
                self._special_phrases.setdefault(words[0], []).append(tuple(words))

    def _find_prefix(self, s: str) -> int:
        m = self.prefix_search(s)
        return m.end() - m.start() if m else 0

    def _find_suffix(self, s: str) -> int:
        m = self.suffix_search(s)
        return m.end() - m.start() if m else 0

    def __call__(self, text: str) -> tuple[list[str], list[bool]]:
        """Words and whether a space follows each."""
        words, spaces = self._tokenize_affixes(text, True)
        if self._special_phrases:
            words, spaces = self._apply_special_cases(words, spaces)
        return words, spaces

    def _tokenize_affixes(self, text: str, with_specials: bool) -> tuple[list[str], list[bool]]:
        words: list[str] = []
        spaces: list[bool] = []
        if not text:
            return words, spaces
        start = 0
        in_ws = text[0].isspace()
        for i, uc in enumerate(text):
            if uc.isspace() != in_ws:
                if start < i:
                    self._span(text[start:i], words, spaces, with_specials)
                if uc == " ":
                    spaces[-1] = True
                    start = i + 1
                else:
                    start = i
                in_ws = not in_ws
        if start < len(text):
            self._span(text[start:], words, spaces, with_specials)
            spaces[-1] = text[-1] == " " and not in_ws
        return words, spaces

    def _span(self, span: str, words: list[str], spaces: list[bool], with_specials: bool) -> None:
        if with_specials and span in self.specials:
            found = self.specials[span]
        else:
            cached = self._cache.get(span)
            if cached is None or cached[1] != with_specials:
                cached = self._cache[span] = (tuple(self._tokenize(span, with_specials)), with_specials)
                if len(self._cache) > 100_000:
                    self._cache.clear()
            found = cached[0]
        words.extend(found)
        spaces.extend([False] * len(found))

    def _tokenize(self, string: str, with_specials: bool) -> list[str]:
        specials = self.specials if with_specials else {}
        prefixes: list[str] = []
        suffixes: list[str] = []
        last_size = 0
        while string and len(string) != last_size:
            if self.token_match and self.token_match(string):
                break
            if string in specials:
                break
            last_size = len(string)
            pre_len = self._find_prefix(string)
            if pre_len:
                prefix, minus_pre = string[:pre_len], string[pre_len:]
                if minus_pre and minus_pre in specials:
                    string = minus_pre
                    prefixes.append(prefix)
                    break
            suf_len = self._find_suffix(string[pre_len:])
            if suf_len:
                suffix, minus_suf = string[-suf_len:], string[:-suf_len]
                if minus_suf and minus_suf in specials:
                    string = minus_suf
                    suffixes.append(suffix)
                    break
            if pre_len and suf_len and pre_len + suf_len <= len(string):
                string = string[pre_len:-suf_len]
                prefixes.append(prefix)
                suffixes.append(suffix)
            elif pre_len:
                string = minus_pre
                prefixes.append(prefix)
            elif suf_len:
                string = minus_suf
                suffixes.append(suffix)
        out = prefixes
        if string:
            if string in specials:
                out.extend(specials[string])
            elif (self.token_match and self.token_match(string)) or (
                    self.url_match and self.url_match(string)):
                out.append(string)
            else:
                matches = self.infix_finditer(string)
                if not matches:
                    out.append(string)
                else:
                    start = 0
                    for m in matches:
                        if m.start() == 0:
                            continue
                        if m.start() != start:
                            out.append(string[start:m.start()])
                        if m.start() != m.end():
                            out.append(string[m.start():m.end()])
                        start = m.end()
                    if string[start:]:
                        out.append(string[start:])
        out.extend(reversed(suffixes))
        return out

    def _apply_special_cases(self, words: list[str], spaces: list[bool]
                             ) -> tuple[list[str], list[bool]]:
        """Special cases met across tokens ("(a.m.)" split as "(", "a.m", ".)"): spaCy's
        phrase match on the tokens, longest first, then each match whose text is a special
        case is tokenized as that case says."""
        found = []
        for i, w in enumerate(words):
            for phrase in self._special_phrases.get(w, ()):
                n = len(phrase)
                if tuple(words[i:i + n]) == phrase:
                    found.append((i, i + n))
        if not found:
            return words, spaces
        found.sort(key=lambda s: (s[1] - s[0], -s[0]))
        seen: set[int] = set()
        kept = []
        for s, e in reversed(found):
            if s not in seen and e - 1 not in seen:
                kept.append((s, e))
            seen.update(range(s, e))
        starts = {s: e for s, e in kept}
        out_w: list[str] = []
        out_s: list[bool] = []
        i = 0
        while i < len(words):
            e = starts.get(i)
            if e is None:
                out_w.append(words[i])
                out_s.append(spaces[i])
                i += 1
                continue
            text = "".join(w + " " * sp for w, sp in zip(words[i:e - 1], spaces[i:e - 1])) + words[e - 1]
            case = self.specials.get(text)
            if case is None:
                out_w.extend(words[i:e])
                out_s.extend(spaces[i:e])
            else:
                out_w.extend(case)
                out_s.extend([False] * (len(case) - 1) + [spaces[e - 1]])
            i = e
        return out_w, out_s


# -- lexical attributes (spaCy's English lexical attribute getters) ---------------------

@lru_cache(maxsize=65536)
def is_punct(text: str) -> bool:
    return all(unicodedata.category(c).startswith("P") for c in text)


def like_num(text: str, number_words: frozenset[str]) -> bool:
    """spaCy's English ``like_num``, its number and ordinal words given."""
    if text.startswith(("+", "-", "±", "~")):
        text = text[1:]
    text = text.replace(",", "").replace(".", "")
    if text.isdigit():
        return True
    if text.count("/") == 1:
        num, denom = text.split("/")
        if num.isdigit() and denom.isdigit():
            return True
    low = text.lower()
    if low in number_words:
        return True
    return low.endswith(("st", "nd", "rd", "th")) and low[:-2].isdigit()


lemma = lru_cache(maxsize=65536)(lemma_of)  # lower-case words here: cached per word


# -- Doc, Token, Span --------------------------------------------------------------------

class Doc:
    """Tokens of one text, as parallel lists; sentences by spaCy's Sentencizer rule."""

    def __init__(self, text: str, words: list[str], spaces: list[bool], marks: frozenset[str]) -> None:
        self.text = text
        self.words = words
        self.spaces = spaces
        self.idx: list[int] = []
        pos = 0
        for w, sp in zip(words, spaces):
            self.idx.append(pos)
            pos += len(w) + sp
        self.lower = [w.lower() for w in words]
        self.lemma = [lemma(w) for w in self.lower]
        self.punct = [is_punct(w) for w in words]
        self.sent_start = sentence_starts(words, marks, self.punct)

    def __len__(self) -> int:
        return len(self.words)

    def __getitem__(self, i):  # noqa: ANN001, ANN204 - an index or a slice
        if isinstance(i, slice):
            start, stop, _ = i.indices(len(self.words))
            return Span(self, start, max(start, stop))
        if i < 0:
            i += len(self.words)
        if not 0 <= i < len(self.words):
            raise IndexError(i)
        return Token(self, i)

    def char_span(self, start_idx: int, end_idx: int, alignment_mode: str = "expand") -> Span | None:
        """spaCy's ``Doc.char_span`` in its "expand" mode."""
        assert alignment_mode == "expand"
        start = self._token_by_char(start_idx)
        if start < 0:
            return None
        end = self._token_by_char(end_idx - 1)
        if end < 0:
            return None
        if start_idx == self.idx[start] + len(self.words[start]):
            start += 1
        return Span(self, start, end + 1)

    def _token_by_char(self, char_idx: int) -> int:
        lo, hi = 0, len(self.words) - 1
        while lo <= hi:
            mid = (lo + hi) // 2
            if char_idx < self.idx[mid]:
                hi = mid - 1
            elif char_idx >= self.idx[mid] + len(self.words[mid]) + self.spaces[mid]:
                lo = mid + 1
            else:
                return mid
        return -1


class Token:
    __slots__ = ("doc", "i")

    def __init__(self, doc: Doc, i: int) -> None:
        self.doc = doc
        self.i = i

    text = property(lambda self: self.doc.words[self.i])
    lower_ = property(lambda self: self.doc.lower[self.i])
    lemma_ = property(lambda self: self.doc.lemma[self.i])
    is_punct = property(lambda self: self.doc.punct[self.i])
    is_space = property(lambda self: self.doc.words[self.i].isspace())
    idx = property(lambda self: self.doc.idx[self.i])

    @property
    def is_sent_start(self) -> bool:
        return self.doc.sent_start[self.i]

    @is_sent_start.setter
    def is_sent_start(self, value: bool) -> None:
        self.doc.sent_start[self.i] = bool(value)

    def __len__(self) -> int:
        return len(self.doc.words[self.i])


class Span:
    __slots__ = ("doc", "start", "end")

    def __init__(self, doc: Doc, start: int, end: int) -> None:
        self.doc, self.start, self.end = doc, start, end

    def __len__(self) -> int:
        return self.end - self.start

    def __iter__(self) -> Iterator[Token]:
        return (Token(self.doc, i) for i in range(self.start, self.end))

    def __getitem__(self, i):  # noqa: ANN001, ANN204
        if isinstance(i, slice):
            start, stop, _ = i.indices(len(self))
            return Span(self.doc, self.start + start, self.start + max(start, stop))
        if i < 0:
            i += len(self)
        return Token(self.doc, self.start + i)

    @property
    def start_char(self) -> int:
        return self.doc.idx[self.start] if self.end > self.start else 0

    @property
    def end_char(self) -> int:
        if self.end <= self.start:
            return self.start_char
        return self.doc.idx[self.end - 1] + len(self.doc.words[self.end - 1])

    @property
    def text(self) -> str:
        return self.doc.text[self.start_char:self.end_char]

    @property
    def sents(self) -> Iterator[Span]:
        """spaCy's ``Span.sents``: every sentence the span is part of."""
        doc, starts, n = self.doc, self.doc.sent_start, len(self.doc)
        start = self.start
        while not starts[start] and start > 0:
            start -= 1
        for i in range(start + 1, n):
            if starts[i]:
                yield Span(doc, start, i)
                start = i
                if start >= self.end:
                    break
            elif i == n - 1:
                yield Span(doc, start, n)
        else:
            if start == n - 1:
                yield Span(doc, start, n)


# -- the pipeline and the matchers ---------------------------------------------------------


class Strings:
    """Match keys are strings already: the stand-in for spaCy's StringStore."""

    def __getitem__(self, key: str) -> str:
        return key


class Vocab:
    """What the matchers need of the pipeline: keys as strings, and the number words."""

    strings = Strings()

    def __init__(self, number_words: Iterable[str] = ()) -> None:
        self.number_words = frozenset(number_words)


class Pipeline:
    """``tokenizer`` → sentence starts and lemmas, as ``claimlint.nlp.get_nlp()`` does."""

    def __init__(self, rules: dict) -> None:
        self.tokenizer = Tokenizer(rules)
        self.marks = frozenset(rules["sent_marks"])
        self.vocab = Vocab(rules["number_words"])

    def __call__(self, text: str) -> Doc:
        return Doc(text, *self.tokenizer(text), self.marks)

    make_doc = __call__  # lemmas cost little here: one Doc kind serves both

    def pipe(self, texts: Iterable[str], batch_size: int = 0) -> Iterator[Doc]:  # noqa: ARG002
        return (self(t) for t in texts)


class PhraseMatcher:
    """Phrase patterns on ``LOWER`` or ``LEMMA``: every occurrence, in Doc positions, as
    spaCy's PhraseMatcher answers."""

    def __init__(self, vocab: Vocab | None = None, attr: str = "ORTH") -> None:  # noqa: ARG002
        self._field = {"LOWER": "lower", "LEMMA": "lemma", "ORTH": "words"}[attr]
        self._by_first: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def add(self, key: str, docs: list[Doc]) -> None:
        for doc in docs:
            words = tuple(getattr(doc, self._field))
            if words:
                self._by_first.setdefault(words[0], []).append((key, words))
                self._count += 1

    def __call__(self, span: Span) -> list[tuple[str, int, int]]:
        seq = getattr(span.doc, self._field)
        out = []
        for i in range(span.start, span.end):
            for key, words in self._by_first.get(seq[i], ()):
                n = len(words)
                if i + n <= span.end and tuple(seq[i:i + n]) == words:
                    out.append((key, i, i + n))
        return out
