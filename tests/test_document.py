from claimlint.document import DocumentBuilder, line_starts


def test_line_starts_handle_crlf_lf_and_lone_cr():
    assert line_starts("a\r\nb\nc\rd") == [0, 3, 5, 7]
    assert line_starts("") == [0]
    assert line_starts("x\n") == [0, 2]


def test_builder_collapses_whitespace_and_maps_runs():
    src = "Our   stem\n\tcell &amp; more"
    b = DocumentBuilder("p", "text", src)
    b.add("Our   stem\n\tcell ", 0)
    b.add_mapped("&", src.index("&amp;"), src.index("&amp;") + 5)
    b.add(" more", src.index(" more"))
    doc = b.build()
    assert doc.text.startswith("Our stem cell & more")
    i = doc.text.index("stem cell")
    s, e = doc.source_range(i, i + len("stem cell"))
    assert src[s:e] == "stem\n\tcell"
    i = doc.text.index("&")
    assert src[slice(*doc.source_range(i, i + 1))] == "&amp;"
    i = doc.text.index("cell & more")
    assert src[slice(*doc.source_range(i, i + len("cell & more")))] == "cell &amp; more"


def test_blocks_end_sentences_and_list_items_get_a_lead():
    src = "Avoid clinics that offer:\nGuaranteed results\nOther text."
    b = DocumentBuilder("p", "text", src)
    b.add("Avoid clinics that offer:", 0)
    lead = b.end_block("paragraph")
    b.add("Guaranteed results", src.index("Guaranteed"))
    item = b.end_block("list_item")
    b.add("Other text.", src.index("Other"))
    other = b.end_block("paragraph")
    doc = b.build()
    assert item.lead == (lead.start, lead.end)
    assert other.lead is None
    assert doc.text.count("\n\n") == 3
    assert doc.block_at(item.start) == item


def test_position_is_one_based_in_characters():
    src = "Zürich 🏥 clinic\r\nsecond line"
    doc = DocumentBuilder("p", "text", src).build()
    assert doc.position(src.index("clinic")) == (1, 10)
    assert doc.position(src.index("second")) == (2, 1)
    assert doc.source_line(1) == "Zürich 🏥 clinic"


def _block_kinds(text: str, kind: str = "text") -> list[tuple[str, str]]:
    from claimlint.lint import read_document

    doc = read_document(text, kind, "p")
    return [(b.kind, doc.text[b.start:b.end][:24]) for b in doc.blocks]


def test_entries_of_a_list_of_references_are_reference_blocks():
    # our own invented citations, in the usual styles
    text = ("References\n\n"
            "Marlow KT, Ferris AB, Quint J. Bone marrow cells for knee cartilage repair. "
            "J Ortho Res. 2014 Mar;21(4):311-9.\n\n"
            "A review of cord tissue products. Clin Regen Rev. 2019;7:88. doi:10.1234/crr.2019.088\n\n"
            "Our stem cell injections regrow cartilage (J Ortho Res. 2014;21(4):311).\n\n"
            "Stem cells regrow cartilage in 2014; 90% of patients: 4 weeks.\n")
    assert [k for k, _ in _block_kinds(text)] == [
        "paragraph", "reference", "reference",
        "paragraph",  # a seller's own sentence that cites a paper is still its claim
        "paragraph"]  # a year and a ratio are no citation
    md = "## Sources\n\n- Marlow KT, Ferris AB. Stem cells in knees. J Ortho Res. 2014;21:311.\n"
    assert ("reference", "Marlow KT, Ferris AB. St") in _block_kinds(md, "markdown")


def test_the_citation_pre_check_never_rules_out_a_citation():
    """A paragraph goes to the citation regex only when it holds what every citation holds:
    on text built from the pieces of citations, wherever the regex finds one the check agrees."""
    import random

    from claimlint.document import _CITED, _may_cite

    pieces = ["Qi Y", "Feng G.", "Smith JA,", "Lee K and", "Roe J &", "Mol Biol Rep.", "2012",
              "1998 May", "2012 May 3", ";", "; ", "39(5)", ":5683-9.", ": A12", "doi: 10.1016/x",
              "doi.org/10.12345/y", "PMID: 123456", "PMC1234567", "we offer", ",", ".", " ", "\n"]
    rng = random.Random(11)
    found = 0
    for _ in range(20000):
        text = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 14)))
        if _CITED.search(text):
            found += 1
            assert _may_cite(text), text
    assert found > 1000
