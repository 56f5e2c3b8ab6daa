"""The one spaCy pipeline: blank English, a sentencizer (spaCy's rule, on arrays) and a
lookup lemmatizer.

Lemmas come from spacy-lookups-data's English lookup table, applied to the lower-cased
token so "Guaranteed" and "guaranteed" both lemmatize to "guarantee". Nothing is downloaded.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import defaultdict
from functools import lru_cache
from importlib.resources import files
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language


@lru_cache(maxsize=1)
def lemma_table() -> dict[str, str]:
    """Surface form (lower case) to lemma, from spacy-lookups-data; kept lower-cased in
    the plan cache (unpickling it is a few times faster than reading the JSON)."""
    import hashlib
    import os

    from claimlint.engine.plancache import load_cached, save_cached

    path = str(files("spacy_lookups_data") / "data" / "en_lemma_lookup.json.gz")
    try:
        st = os.stat(path)
        key = "lemmas-" + hashlib.sha256(f"{path}\0{st.st_size}\0{st.st_mtime_ns}".encode()
                                         ).hexdigest()[:32]
    except OSError:
        key = None
    table = load_cached(key) if key else None
    if isinstance(table, dict):
        return table
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        table = {k.lower(): v.lower() for k, v in json.load(fh).items()}
    if key:
        save_cached(key, table)
    return table


def guess_lemma(low: str) -> str:
    """Lemma of a lower-case word the lookup table lacks: regular plurals lose their
    ending ("exosomes" -> "exosome", "therapies" -> "therapy"); anything else is itself."""
    if len(low) > 4 and low.endswith("ies"):
        return low[:-3] + "y"
    if len(low) > 4 and low.endswith(("sses", "shes", "ches", "xes")):
        return low[:-2]
    if len(low) > 3 and low.endswith("s") and not low.endswith(("ss", "us", "is", "'s")):
        return low[:-1]
    return low


# contractions: web copy's curly apostrophe ("it\u2019s") is the straight one, and "'s" after a
# pronoun or noun is read as "is" ("it's safe", "the procedure's painless"), "'re" as "are"
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})
_CONTRACTIONS = {"'s": "be", "'re": "be"}


def lemma_of(word: str) -> str:
    """The lemma the pipeline gives a word."""
    low = word.lower().translate(_APOSTROPHES)
    return _CONTRACTIONS.get(low) or lemma_table().get(low) or guess_lemma(low)


@lru_cache(maxsize=1)
def surface_forms() -> dict[str, frozenset[str]]:
    """Lemma to every lower-case surface form that lemmatizes to it (itself included)."""
    forms: dict[str, set[str]] = defaultdict(set)
    for surface, lemma in lemma_table().items():
        forms[lemma].add(surface)
    return {lemma: frozenset(s | {lemma}) for lemma, s in forms.items()}


def forms_of(lemma: str) -> frozenset[str]:
    """Every lower-case word whose lemma is ``lemma`` (table entries, and the regular
    plurals ``guess_lemma`` maps back to it)."""
    low = lemma.lower()
    guessed = {low + "s", low + "es", low[:-1] + "ies" if low.endswith("y") else low + "s"}
    guessed = {g for g in guessed if guess_lemma(g) == low and g not in lemma_table()}
    return surface_forms().get(low, frozenset({low})) | guessed


def _lookup_lemmatizer(nlp):  # noqa: ANN001, ANN202
    """A component setting each token's lemma from the lookup table, keyed by the hash of
    its lower-case form, in one array operation (no Token objects: fast)."""
    import numpy
    from spacy.attrs import LEMMA, LOWER

    strings = nlp.vocab.strings
    by_hash: dict[int, int] = {}  # filled as words are seen: start-up stays cheap

    def lemma_hash(low: int) -> int:
        lemma = by_hash.get(low)
        if lemma is None:
            word = strings[low]
            lemma = by_hash[low] = strings.add(lemma_of(word))
        return lemma

    def lemmatize(doc):  # noqa: ANN001, ANN202
        if len(doc):
            lowers = doc.to_array([LOWER]).tolist()
            lemmas = numpy.array([lemma_hash(x) for x in lowers], dtype="uint64")
            doc.from_array([LEMMA], lemmas.reshape(-1, 1))
        return doc

    return lemmatize


def sentence_starts(tokens: list, marks: frozenset | set, punct: list[bool]) -> list[bool]:
    """spaCy's Sentencizer rule: a sentence starts at the first token, and at the first
    token after a sentence-final mark (spaCy's own list, ``marks``) that is neither
    punctuation nor such a mark. ``tokens`` are whatever ``marks`` holds (texts or hashes)."""
    starts = [False] * len(tokens)
    if tokens:
        starts[0] = True
    seen_mark = False
    for i, tok in enumerate(tokens):
        mark = tok in marks
        if seen_mark and not punct[i] and not mark:
            starts[i] = True
            seen_mark = False
        elif mark:
            seen_mark = True
    return starts


def _fast_sentencizer(nlp):  # noqa: ANN001, ANN202
    """spaCy's rule-based Sentencizer, worked on arrays of token attributes instead of
    Token objects (it was a tenth of the engine's time). The same rule: a sentence starts
    at the first token, and at the first token after a sentence-final punctuation mark
    (spaCy's own list) that is neither punctuation nor such a mark."""
    import numpy
    from spacy.attrs import IS_PUNCT, ORTH, SENT_START
    from spacy.pipeline.sentencizer import Sentencizer

    marks = {nlp.vocab.strings.add(c) for c in Sentencizer.default_punct_chars}

    def sentencize(doc):  # noqa: ANN001, ANN202
        if not len(doc):
            return doc
        orths, punct = zip(*doc.to_array([ORTH, IS_PUNCT]).tolist())
        starts = [1 if s else -1 for s in sentence_starts(orths, marks, punct)]
        doc.from_array([SENT_START], numpy.array(starts, dtype="int64").astype("uint64"))
        return doc

    return sentencize


_BRACKET = re.compile(r"(?<=[^\W\d_])[\[\]](?=[^\W\d_])")


def with_brackets(finditer):  # noqa: ANN001, ANN201
    """The tokenizer's infix search plus brackets inside words (cheaper than recompiling
    spaCy's whole infix expression); ``.regex`` is the wrapped expression."""
    def infixes(text: str):  # noqa: ANN202
        found = list(finditer(text))
        extra = list(_BRACKET.finditer(text))
        return sorted(found + extra, key=lambda m: m.start()) if extra else found
    infixes.regex = finditer.__self__
    return infixes


def import_spacy():  # noqa: ANN201 - the spacy module
    """``import spacy`` without spaCy's command line.

    spaCy's package imports its CLI (typer, weasel, httpx, and a YAML file parsed in pure
    Python) only to offer ``spacy.info``: about a third of the import, for nothing claimlint
    uses. Stand-ins for ``spacy.cli`` and ``spacy.cli.info`` are in place during the import
    and removed after it, so a later ``import spacy.cli`` loads the real one, and
    ``spacy.info`` calls it. Should a spaCy version need more of its CLI at import, the
    plain import runs instead."""
    import sys
    import types

    if "spacy" in sys.modules:
        return sys.modules["spacy"]

    def info(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        from spacy.cli.info import info as real_info

        return real_info(*args, **kwargs)

    cli = types.ModuleType("spacy.cli")
    cli_info = types.ModuleType("spacy.cli.info")
    cli_info.info = info
    stand_ins = {"spacy.cli": cli, "spacy.cli.info": cli_info}
    sys.modules.update(stand_ins)
    try:
        import spacy
    except ImportError:  # this spaCy wants more of its CLI: import it whole
        for name in [n for n in sys.modules if n == "spacy" or n.startswith("spacy.")]:
            del sys.modules[name]
        import spacy
    finally:
        for name, module in stand_ins.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]
    return spacy


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    """Build the pipeline once per process."""
    spacy = import_spacy()
    from spacy.language import Language

    if "claimlint_lemmatizer" not in Language.factories:

        @Language.factory("claimlint_lemmatizer")
        def _make_lemmatizer(nlp, name):  # noqa: ANN001, ANN202 - spaCy factory signature
            return _lookup_lemmatizer(nlp)

    if "claimlint_sentencizer" not in Language.factories:

        @Language.factory("claimlint_sentencizer")
        def _make_sentencizer(nlp, name):  # noqa: ANN001, ANN202 - spaCy factory signature
            return _fast_sentencizer(nlp)

    nlp = spacy.blank("en")
    # Editorial brackets inside words, as in quoted regulator text ("contain[s]"), split off.
    nlp.tokenizer.infix_finditer = with_brackets(nlp.tokenizer.infix_finditer)
    nlp.add_pipe("claimlint_sentencizer")
    nlp.add_pipe("claimlint_lemmatizer")
    return nlp
