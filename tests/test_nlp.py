"""The spaCy pipeline is built without spaCy's command line, and spaCy stays whole."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
from claimlint.nlp import get_nlp, lemma_table
nlp = get_nlp()
print(sorted(m for m in ("typer", "weasel", "spacy.cli") if m in sys.modules))
print([(t.text, t.lemma_) for t in nlp("Results aren't guaranteed. Patients were treated.")])
import spacy.cli.info
print(sys.modules["spacy.cli.info"].info is spacy.cli.info, callable(spacy.cli.setup_cli))
print(len(lemma_table()) > 10000)
"""


def test_pipeline_without_spacy_cli_and_spacy_cli_still_importable(tmp_path):
    env = {"CLAIMLINT_PLAN_DIR": str(tmp_path / "plans"), "PATH": "/usr/bin:/bin"}
    outputs = []
    for _ in range(2):  # a cold plan cache (lemmas from JSON), then a warm one (pickled)
        run = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                             env=env, check=True)
        outputs.append(run.stdout.splitlines())
    assert outputs[0] == outputs[1]
    lines = outputs[0]
    assert lines[0] == "[]"
    assert lines[1] == str([("Results", "result"), ("are", "be"), ("n't", "not"),
                            ("guaranteed", "guarantee"), (".", "."), ("Patients", "patient"),
                            ("were", "be"), ("treated", "treat"), (".", ".")])
    assert lines[2:] == ["True True", "True"]


def _texts() -> list[str]:
    from tests.conftest import FIXTURES

    texts = [p.read_text(encoding="utf-8", errors="replace")
             for p in sorted((FIXTURES / "pages").iterdir()) if p.is_file()]
    texts += ["", " ", "Hi", "...", "Wow!!! Really?! Yes.", "“Done.” Next one… and ‘so on’. ",
              "Dr. Lee said: (ok). a.m. etc. e.g. 5. 6! ?x", "!!", "A\n\nB. \n C;", "。 中文。再"]
    return texts


def test_sentencizer_puts_sentence_starts_where_spacys_sentencizer_does(engine):
    from spacy.pipeline import Sentencizer

    nlp = engine.nlp
    reference = Sentencizer()
    for text in _texts():
        ours = nlp(text)
        theirs = reference(nlp.make_doc(text))
        assert [t.is_sent_start for t in ours] == [t.is_sent_start for t in theirs], text
        assert [s.start for s in ours.sents] == [s.start for s in theirs.sents]


def test_a_sentence_text_is_the_slice_of_its_chunk_text(engine):
    """The engine hands context checks ``text[sent.start_char:sent.end_char]`` of the
    chunk it tokenized instead of building ``sent.text`` from tokens: they are equal."""
    for text in _texts():
        chunk = "\n\n".join(part for part in text.split("\n\n")[:40])
        for sent in engine.nlp(chunk).sents:
            assert chunk[sent.start_char:sent.end_char] == sent.text


def test_contractions_lemmatize_alike_with_either_apostrophe(engine):
    from claimlint import lite
    from claimlint.lint import lint_text
    from claimlint.nlp import lemma_of

    assert lemma_of("'s") == lemma_of("\u2019s") == lemma_of("'re") == lemma_of("\u2019re") == "be"
    assert lemma_of("\u2019ve") == lemma_of("'ve")
    assert lite.lemma("\u2019s") == "be"
    # "it's safe" reads as "it is safe" whichever apostrophe the page uses
    page = "Book a stem cell injection at our clinic.\n\nWhy it\u2019s safe\n\nWhy it's safe\n"
    lines = sorted(f.line for f in lint_text(page) if f.category == "SAFETY")
    assert lines == [3, 5]
