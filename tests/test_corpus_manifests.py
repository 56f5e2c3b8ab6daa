"""The committed corpus manifests: labels and sentence hashes only, never third-party text,
categories the rule pack knows, and no page in two splits (only a relabel repeats a page,
and only the split it relabels)."""

from __future__ import annotations

import json
import re

import pytest

from claimlint.pagescore import canon
from tests.conftest import ROOT, SHARED

CORPUS = ROOT / "corpus"
KINDS = {"promotional", "mixed", "educational"}
# each relabel manifest repeats the pages of the split it relabels, and no other
RELABELS = {"dev_relabel_manifest.jsonl": SHARED / "corpus" / "pages_dev_manifest.jsonl",
            "own_relabel_manifest.jsonl": CORPUS / "own_dev_manifest.jsonl",
            "fresh_relabel_manifest.jsonl": CORPUS / "own_fresh_manifest.jsonl"}
# an index of pages labeled in the splits above, not a split of its own: the read splits' kinds
# the page-kind model trains on (scripts/pagekind_read_manifest.py)
INDEXES = {"pagekind_read_manifest.jsonl"}
MANIFESTS = sorted(CORPUS.glob("*.jsonl"))


def entries(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def page_key(url: str) -> str:
    """A URL as the same page: no scheme, no www., no trailing slash, any case."""
    return re.sub(r"^(?:https?://)?(?:www\.)?", "", url.strip().lower()).rstrip("/")


def test_the_manifests_are_there():
    names = {p.name for p in MANIFESTS}
    assert {"own_dev_manifest.jsonl", "own_heldout_manifest.jsonl", "own_fresh_manifest.jsonl",
            "own_dev2_manifest.jsonl", "own_fresh2_manifest.jsonl", "pagekind_manifest.jsonl"} <= names
    assert set(RELABELS) <= names


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.name)
def test_a_manifest_holds_labels_and_hashes_only(path, engine):
    known = set(engine.pack.categories)
    files = set()
    for e in entries(path):
        assert e["kind"] in KINDS, (path.name, e["file"])
        assert isinstance(e["discloses_risks"], bool)
        assert e["url"].startswith(("http://", "https://")) and e["file"].endswith(".txt")
        assert e["file"] not in files, (path.name, e["file"])
        files.add(e["file"])
        if "sentences" not in e:  # labeled for page kind and disclosure only: the page's hash
            assert re.fullmatch(r"[0-9a-f]{40}", e["sha1"]), (path.name, e["file"])
            continue
        assert {canon(x) for x in e["doc_labels"]} <= {"DISCLOSURE", "MULTI-INDICATION"}
        assert e["sentences"], (path.name, e["file"])
        for s in e["sentences"]:
            assert set(s) == {"sha1", "labels"}, (path.name, e["file"], "a sentence's text is committed")
            assert re.fullmatch(r"[0-9a-f]{12}", s["sha1"])
            assert {canon(x) for x in s["labels"]} <= known, (path.name, e["file"], s["labels"])


def test_no_page_is_in_two_splits():
    where: dict[str, str] = {}
    for path in MANIFESTS:
        if path.name in RELABELS or path.name in INDEXES:
            continue
        for e in entries(path):
            key = page_key(e["url"])
            assert key not in where, f"{e['url']} is in {where.get(key)} and {path.name}"
            where[key] = path.name


def test_a_relabel_repeats_only_the_split_it_relabels():
    for name, relabeled in RELABELS.items():
        if not relabeled.is_file():
            pytest.skip(f"{relabeled} is not here")
        pages = {page_key(e["url"]) for e in entries(relabeled)}
        again = [e["url"] for e in entries(CORPUS / name) if page_key(e["url"]) not in pages]
        assert again == [], (name, again[:3])


def test_an_index_lists_only_pages_of_the_labeled_splits_with_their_kind():
    """The page-kind model's index of read pages repeats pages of the sentence-labeled splits,
    each with the kind and disclosure verdict its split gives it."""
    labeled = {}
    for path in MANIFESTS:
        if path.name.startswith("own_") and path.name not in RELABELS and "heldout" not in path.name:
            labeled |= {page_key(e["url"]): e for e in entries(path)}
    for name in INDEXES:
        for e in entries(CORPUS / name):
            split = labeled.get(page_key(e["url"]))
            assert split is not None, (name, e["url"])
            verdict = (split["kind"], split["discloses_risks"])
            assert (e["kind"], e["discloses_risks"]) == verdict, (name, e["file"])
