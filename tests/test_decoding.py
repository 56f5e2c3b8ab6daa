import codecs

import pytest

from claimlint.decoding import DecodeError, decode

TEXT = "Café “quoted” copy – results vary."


@pytest.mark.parametrize("bom,codec", [
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"), (codecs.BOM_UTF32_LE, "utf-32-le"),
])
def test_byte_order_marks_decide_and_are_stripped(bom, codec):
    decoded = decode(bom + TEXT.encode(codec))
    assert decoded.text == TEXT
    assert decoded.note is None


def test_plain_utf8():
    assert decode(TEXT.encode()).text == TEXT


def test_legacy_windows_1252_is_detected_with_a_note():
    decoded = decode(TEXT.encode("cp1252"))
    assert decoded.text == TEXT
    assert "UTF-8" in decoded.note and "cp1252" in decoded.note


def test_html_meta_charset_is_honoured():
    page = f'<html><head><meta charset="windows-1252"></head><p>{TEXT}</p>'
    decoded = decode(page.encode("cp1252"), html=True)
    assert TEXT in decoded.text
    assert "declared" in decoded.note


def test_explicit_encoding_wins():
    assert decode(TEXT.encode("latin-1", "replace"), encoding="latin-1").encoding == "latin-1"


@pytest.mark.parametrize("data", [bytes(range(256)) * 8, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"])
def test_binary_is_refused(data):
    with pytest.raises(DecodeError, match="binary"):
        decode(data)
