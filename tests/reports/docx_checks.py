"""Reading a generated .docx back with python-docx: its text, runs, fonts, tables and pictures."""

from __future__ import annotations

import io
import struct
from typing import Any

import docx
from docx.oxml.ns import qn

from duban.reports.word.layout import east_asian_font

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
IMAGE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"


def open_docx(content: bytes) -> Any:
    assert content[:2] == b"PK", "a .docx is a zip file"
    return docx.Document(io.BytesIO(content))


def texts(document: Any) -> list[str]:
    return [p.text for p in document.paragraphs]


def full_text(document: Any) -> str:
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([*texts(document), *cells])


def paragraph(document: Any, text: str) -> Any:
    """The first paragraph whose text is `text`, or starts with it when no paragraph equals it."""
    exact = [p for p in document.paragraphs if p.text == text]
    if exact:
        return exact[0]
    found = [p for p in document.paragraphs if p.text.startswith(text)]
    assert found, f"no paragraph {text!r} in {texts(document)}"
    return found[0]


def run_style(run: Any) -> tuple[str | None, float | None]:
    """(East Asian font, size in pt) of one run."""
    return east_asian_font(run), run.font.size.pt if run.font.size is not None else None


def styles_of(par: Any) -> set[tuple[str | None, float | None]]:
    return {run_style(r) for r in par.runs if r.text}


def bottom_border(par: Any) -> dict[str, str] | None:
    ppr = par._element.pPr
    borders = ppr.find(qn("w:pBdr")) if ppr is not None else None
    bottom = borders.find(qn("w:bottom")) if borders is not None else None
    if bottom is None:
        return None
    return {key.split("}")[1]: value for key, value in bottom.attrib.items()}


def table_rows(table: Any) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def image_parts(document: Any) -> list[bytes]:
    return [rel.target_part.blob for rel in document.part.rels.values() if rel.reltype == IMAGE_REL]


def inline_picture_count(document: Any) -> int:
    return len(document.inline_shapes)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE, "not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)
