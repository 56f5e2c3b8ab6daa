"""scripts/section_speaker.py: the measurement of a per-section speaker (issue 8).

The per-section decision did not pay off on the development pages, so it is not in the engine;
this script is how it was measured, and these tests keep it honest: its post-hoc filter must
score exactly what the engine reports, and its section decision must do what it says on pages
whose voice changes between sections. All copy here is our own."""

from __future__ import annotations

import importlib.util
import json
import sys

import pytest

from claimlint.config import Config
from claimlint.lint import Linter
from claimlint.pagescore import PageScore, load_pages
from tests.conftest import ROOT

# A seller's page with a third-person textbook section.
SELLER = """Stem Cell Therapy at Ridgeview Regenerative Clinic

We offer stem cell injections for knee, hip and shoulder pain. Our doctors harvest your own cells
and our team guides you from your first visit. Our patients tell us they walk without pain within
weeks. Book your free consultation today and ask about our payment plans, from $99 a month.
Call us today: our clinic is open six days a week and our staff will answer every question.

We have treated more than two thousand patients at our centre. Our specialists use the latest
equipment, and our nurses call you the day after your injection. We also offer gift cards and
financing with CareCredit. Request your evaluation online or text now to reserve a visit.

What are stem cells?

Stem cells are unspecialised cells found in bone marrow, fat and blood. Each can divide, and each
can become a bone, cartilage or muscle cell. Researchers study the signals stem cells release and
how other cells respond to those signals. The number of stem cells in the body falls with age.
Cells from fat are easier to collect than cells from marrow, and cord tissue holds many of them.
Their use for arthritis is not approved, and the published trials of it are small.

Visit us
"""

# An explainer's page with an "our clinic offers" section.
EXPLAINER = """What patients should know about stem cell clinics

Researchers have not shown that these injections work for arthritis. The FDA has warned
consumers about unproven stem cell products, and some clinics promise results they cannot
deliver. Be wary of clinics that advertise cures. Ask your doctor whether a product is
FDA-approved, and whether you would be part of a registered clinical trial. According to
published studies, the evidence is limited and experimental, and scientists remain cautious.
Many clinics market these unapproved products directly to consumers; patients should be
skeptical of such advertising, and researchers call much of it misleading.

Our clinic offers

We offer stem cell injections that heal knee pain. Our doctors treat arthritis with our own
protocol, and our patients love the results. Book your free consultation today, call us now or
request an appointment online. We provide payment plans and our team will help you choose.

Our centre has treated more than two thousand patients, and our specialists use the latest
equipment. Our nurses call you the day after your injection, and our staff answer every question
six days a week. We also offer gift cards and financing with CareCredit. Request your evaluation
online or text now to reserve a visit; we will confirm it within the hour. Our prices start at
$99 a month, and our team will send you a quote the same day. Our clinic is close to the
station, and we validate your parking.
"""


@pytest.fixture(scope="module")
def linter(engine) -> Linter:
    """The script measures the rules' handling of who is speaking: the claim finder is off."""
    return Linter(Config(claim_finder=False))


@pytest.fixture(scope="module")
def speaker():
    spec = importlib.util.spec_from_file_location("section_speaker", ROOT / "scripts" / "section_speaker.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    (folder / "pages").mkdir()
    labels = [
        ("001.txt", SELLER, "promotional",
         {"We offer stem cell injections for knee, hip and shoulder pain.": ["TREATMENT"]}),
        ("002.txt", EXPLAINER, "educational",
         {"We offer stem cell injections that heal knee pain.": ["TREATMENT"]}),
    ]
    lines = []
    for name, text, kind, claims in labels:
        (folder / "pages" / name).write_text(text, encoding="utf-8")
        sentences = [{"text": s, "labels": c} for s, c in claims.items()]
        lines.append(json.dumps({"file": name, "kind": kind, "doc_labels": [], "sentences": sentences}))
    (folder / "pages_labels.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_a_page_splits_into_sections_at_its_headings(speaker, linter):
    doc = linter.load(SELLER.encode(), "seller.txt")
    heads = [s.text.split("\n\n")[0] for s in speaker.sections(doc)]
    assert heads == ["Stem Cell Therapy at Ridgeview Regenerative Clinic", "What are stem cells?", "Visit us"]


def test_each_section_speaks_for_itself_and_a_short_one_takes_the_page_kind(speaker, linter, corpus):
    pages = {p.labeled.file.rsplit("/", 1)[-1]: p for p in speaker.load(linter, corpus)}
    decide = speaker.blend(min_words=30, beta=3.0)  # sections of about 80 words: 0.8 their own voice
    seller, explainer = pages["001.txt"], pages["002.txt"]
    assert seller.kind != "educational" and explainer.kind == "educational"
    # the seller's selling section sells, its textbook section explains, "Visit us" is too short
    assert decide(seller) == [False, True, None]
    # the explainer's warnings explain; its "our clinic offers" section sells
    assert decide(explainer) == [True, False]
    kept = speaker.kept(explainer, True, decide(explainer))
    assert kept and all(f.start >= explainer.sections[1].start for f in kept)
    assert speaker.kept(explainer, True, [None, None]) == []  # the page's kind silences it all


def test_the_page_row_scores_exactly_what_the_engine_reports(speaker, linter, corpus):
    pages = speaker.load(linter, corpus)
    got = speaker.score(pages, lambda p: [None] * len(p.sections))
    engine = PageScore()
    for page in load_pages(corpus):
        engine.add(page, linter.lint_document(linter.load(page.text.encode("utf-8"), page.file)))
    table = engine.table()
    assert got == {level: table[f"ALL({level})"] for level in ("category", "flagged")}
    assert got["flagged"]["tp"] == 1  # the seller's claim is found, the explainer's page is silent
    # the per-section ceiling reads the labels: it can only raise claims found minus false alarms
    ceiling = speaker.score(pages, speaker.ceiling)["category"]
    assert ceiling["tp"] - ceiling["fp"] >= got["category"]["tp"] - got["category"]["fp"]
