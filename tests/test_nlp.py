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
