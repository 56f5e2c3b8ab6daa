"""Word (.docx) reader: every paragraph becomes one line of the Document's source, so a
finding's line is the paragraph number and its column the character in that paragraph.

Order of paragraphs (the line numbers a reviewer counts by):
1. the body, top to bottom; a table's cells row by row, left to right, each cell's
   paragraphs in order (a merged cell once);
2. each section's headers (default, first page, even page), then its footers, skipping a
   header or footer already read (sections linked to the previous one share it);
3. the comments, in the order Word stores them, each comment's paragraphs in order.

Empty paragraphs keep their line so numbering matches the document. Line breaks and tabs
inside a paragraph become spaces. Text boxes, footnotes and endnotes are not read.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any

from claimlint.document import Document, DocumentBuilder


class DocxError(ValueError):
    """A file that is not a readable Word document."""


MAX_XML_BYTES = 20_000_000  # all parts of the package together, decompressed
MAX_PARTS = 2_000
MAX_PARAGRAPHS = 100_000  # some 2,000 pages of Word text
_W_P = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p"


def check_package(data: bytes) -> None:
    """Refuse a Word file that would cost unbounded time or memory, before python-docx
    builds anything: a zip bomb (parts decompressing past MAX_XML_BYTES, judged from the
    sizes the zip declares, which ``zipfile`` then enforces while inflating) or a document
    of more than MAX_PARAGRAPHS paragraphs (counted while streaming the XML)."""
    from lxml import etree

    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        infos = package.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise DocxError(f"not a Word (.docx) document: {exc}") from exc
    if len(infos) > MAX_PARTS:
        raise DocxError(f"refused: {len(infos)} parts in the package (limit {MAX_PARTS})")
    total = sum(info.file_size for info in infos)
    if total > MAX_XML_BYTES:
        raise DocxError(f"refused: the package would decompress to {total / 1e6:.0f} MB "
                        f"(limit {MAX_XML_BYTES / 1e6:.0f} MB); a compressed bomb or not a "
                        "plain Word document")
    paragraphs = 0
    for info in infos:
        name = info.filename
        if not (name.startswith("word/") and name.endswith(".xml")):
            continue
        try:
            with package.open(info) as part:
                for _, element in etree.iterparse(part, events=("end",), tag=_W_P,
                                                  resolve_entities=False, no_network=True,
                                                  huge_tree=False):
                    paragraphs += 1
                    element.clear(keep_tail=False)
                    if paragraphs > MAX_PARAGRAPHS:
                        raise DocxError(f"refused: more than {MAX_PARAGRAPHS} paragraphs")
        except (etree.XMLSyntaxError, zipfile.BadZipFile, OSError, EOFError) as exc:
            raise DocxError(f"cannot read Word document part {name}: {exc}") from exc


def read_docx(data: bytes, path: str = "<docx>") -> Document:
    """Read a .docx file's bytes into a Document (raises DocxError)."""
    try:
        import docx
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise DocxError("reading .docx needs python-docx (pip install python-docx)") from exc
    check_package(data)
    try:
        word = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DocxError(f"not a Word (.docx) document: {exc}") from exc
    except Exception as exc:  # python-docx raises its own PackageNotFoundError, lxml errors
        raise DocxError(f"cannot read Word document: {exc}") from exc
    paragraphs = list(docx_paragraphs(word))
    lines = [_one_line(text) for text, _, _ in paragraphs]
    source = "\n".join(lines)
    builder = DocumentBuilder(path, "docx", source)
    offset = 0
    for line, (_, kind, region) in zip(lines, paragraphs):
        builder.add(line, offset)
        builder.end_block(kind, region)
        offset += len(line) + 1
    return builder.build()


def _one_line(text: str) -> str:
    return "".join(" " if ch in "\r\n\t\v\f\x0b\x0c" else ch for ch in text)


def docx_paragraphs(word: Any) -> Iterator[tuple[str, str, str]]:
    """(text, block kind, region) for every paragraph, in the order documented above."""
    yield from _container(word.element.body, word.part, "main")
    seen: set[int] = set()
    for section in word.sections:
        for region, parts in (
                ("header", (section.header, section.first_page_header, section.even_page_header)),
                ("footer", (section.footer, section.first_page_footer, section.even_page_footer))):
            for hf in parts:
                if hf.is_linked_to_previous:  # no definition of its own: nothing new to read
                    continue
                part = hf.part
                if id(part) in seen:
                    continue
                seen.add(id(part))
                yield from _container(part.element, part, region)
    for comment in _comments(word):
        for p in comment.paragraphs:
            yield p.text, "paragraph", "comment"


def _comments(word: Any) -> list[Any]:
    try:
        return list(word.comments)  # python-docx >= 1.2
    except (AttributeError, KeyError):
        return []


def _container(element: Any, part: Any, region: str) -> Iterator[tuple[str, str, str]]:
    """Paragraphs and tables of a body, header, footer or table cell, in document order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in element.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            p = Paragraph(child, part)
            yield p.text, _kind(p), region
        elif tag == "tbl":
            table = Table(child, part)
            for row in table.rows:
                seen: set[int] = set()
                for cell in row.cells:
                    if id(cell._tc) in seen:
                        continue
                    seen.add(id(cell._tc))
                    yield from _container(cell._tc, part, region)
        elif tag == "sdt":  # content controls wrap ordinary paragraphs and tables
            content = child.find(child.tag.replace("sdt", "sdtContent"))
            if content is not None:
                yield from _container(content, part, region)


def _kind(p: Any) -> str:
    try:
        style = (p.style.name or "") if p.style is not None else ""
    except (KeyError, AttributeError):
        style = ""
    if style.startswith(("Heading", "Title")):
        return "heading"
    if style.startswith("List"):
        return "list_item"
    return "paragraph"
