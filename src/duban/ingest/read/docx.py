"""Word .docx: body paragraphs and tables in document order; headers, footers and notes left out.

Every paragraph and every table row becomes one line ending in "\\n"; the cells of a row are
separated by a tab (a 任务分工 table row: 序号\\t任务\\t责任单位\\t完成时限). A cell continued from
the row above (vertical merge) repeats that cell's text, so each row reads on its own.
`page_starts` holds the start of each block (a paragraph or a whole table).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any

from duban.errors import CorruptFile, EncryptedFile, FileTooLarge, UnsupportedFileType
from duban.ingest.read.base import ReadContext, type_score
from duban.ingest.types import RawText, Source

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_P, _TBL, _TR, _TC = f"{_W}p", f"{_W}tbl", f"{_W}tr", f"{_W}tc"
_T, _TAB, _PTAB, _BR, _CR = f"{_W}t", f"{_W}tab", f"{_W}ptab", f"{_W}br", f"{_W}cr"
_NO_BREAK_HYPHEN = f"{_W}noBreakHyphen"
# Skipped subtrees: deleted revisions, moved-away text, and the duplicate fallback of a text box.
_SKIP = frozenset({f"{_W}del", f"{_W}moveFrom", f"{_W}pPr", f"{_W}rPr", f"{_W}sectPr", _MC_FALLBACK})
# Containers whose children are blocks or rows (content controls, custom XML, tracked row insertions).
_TRANSPARENT = frozenset({f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml", f"{_W}ins", f"{_W}moveTo"})

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAIN_PART = b"word/document.xml"
# An encrypted .docx is an OLE file holding this stream (its name is stored in UTF-16).
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_MAX_EXPANSION = 20  # document.xml may unpack to this many times the upload limit (zip bomb guard)


class DocxReader:
    name = "docx"
    suffixes = frozenset({".docx"})

    def score(self, source: Source) -> float:
        data = source.data
        return type_score(source, self.suffixes, data.startswith(_ZIP_MAGIC) and _MAIN_PART in data)

    def read(self, source: Source, ctx: ReadContext) -> RawText:
        self._check_container(source, ctx.settings.max_upload_bytes * _MAX_EXPANSION)
        import docx  # python-docx

        try:
            document = docx.Document(io.BytesIO(source.data))
        except Exception as exc:  # python-docx raises KeyError, ValueError, lxml errors... for broken parts
            raise _corrupt(source) from exc
        lines: list[str] = []
        block_starts: list[int] = []
        pos = 0
        for block in _blocks(document.element.body):
            block_starts.append(pos)
            block_lines = _table_rows(block) if block.tag == _TBL else [_paragraph_text(block)]
            for line in block_lines:
                lines.append(line)
                pos += len(line) + 1
        return RawText(
            source=source,
            text="".join(line + "\n" for line in lines),
            reader=self.name,
            page_starts=tuple(block_starts),
        )

    def _check_container(self, source: Source, max_unpacked: int) -> None:
        data = source.data
        if data.startswith(_OLE_MAGIC):
            if _ENCRYPTED_STREAM in data:
                raise EncryptedFile(
                    f"Word文件“{source.name}”已加密，请去掉密码后重新上传。",
                    f"'{source.name}' is a password-protected Word file; remove the password and upload again.",
                )
            raise UnsupportedFileType(
                f"文件“{source.name}”是旧版Word（.doc）或WPS格式，请另存为 .docx 或 PDF 后上传。",
                f"'{source.name}' is a legacy .doc/.wps file; save it as .docx or PDF and upload again.",
            )
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                info = archive.getinfo(_MAIN_PART.decode())
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            raise _corrupt(source) from exc
        if info.file_size > max_unpacked:
            raise FileTooLarge(
                f"Word文件“{source.name}”解压后过大，无法读取。",
                f"'{source.name}' unpacks to more than {max_unpacked} bytes.",
            )


def _corrupt(source: Source) -> CorruptFile:
    return CorruptFile(
        f"文件“{source.name}”不是有效的Word（.docx）文件，可能已损坏。",
        f"'{source.name}' is not a valid .docx file; it may be damaged.",
    )


def _blocks(container: Any) -> Iterator[Any]:
    """Paragraphs and tables directly in a body or cell, in order, looking through content controls."""
    for child in container.iterchildren():
        if child.tag in (_P, _TBL):
            yield child
        elif child.tag in _TRANSPARENT:
            yield from _blocks(child)


def _children(element: Any, tag: str) -> Iterator[Any]:
    for child in element.iterchildren():
        if child.tag == tag:
            yield child
        elif child.tag in _TRANSPARENT:
            yield from _children(child, tag)


def _paragraph_text(p: Any) -> str:
    """Visible text of a paragraph: runs, hyperlinks, fields and inserted revisions; text boxes on new lines."""
    out: list[str] = []

    def walk(element: Any) -> None:
        for child in element.iterchildren():
            tag = child.tag
            if tag == _T:
                out.append(child.text or "")
            elif tag in (_TAB, _PTAB):
                out.append("\t")
            elif tag in (_BR, _CR):
                out.append("\n")
            elif tag == _NO_BREAK_HYPHEN:
                out.append("-")
            elif tag == _P:  # a paragraph inside a text box
                if out and not out[-1].endswith("\n"):
                    out.append("\n")
                walk(child)
            elif tag not in _SKIP and isinstance(
                tag, str
            ):  # comments and processing instructions have no str tag
                walk(child)

    walk(p)
    return "".join(out)


def _table_rows(tbl: Any) -> list[str]:
    rows: list[str] = []
    above: dict[int, str] = {}  # grid column → text of the cell there in the previous row
    for tr in _children(tbl, _TR):
        col = _int_attr(tr.find(f"{_W}trPr/{_W}gridBefore"), default=0)
        cells: list[str] = []
        current: dict[int, str] = {}
        for tc in _children(tr, _TC):
            merge = tc.find(f"{_W}tcPr/{_W}vMerge")
            continued = merge is not None and merge.get(f"{_W}val") in (None, "continue")
            text = above.get(col, "") if continued else _cell_text(tc)
            cells.append(text)
            current[col] = text
            col += _int_attr(tc.find(f"{_W}tcPr/{_W}gridSpan"), default=1)
        above = current
        rows.append("\t".join(cells))
    return rows


def _cell_text(tc: Any) -> str:
    """A cell on one line: its paragraphs (and nested table rows) joined by spaces."""
    parts: list[str] = []
    for block in _blocks(tc):
        if block.tag == _TBL:
            parts.extend(_table_rows(block))
        else:
            parts.append(_paragraph_text(block))
    # Tabs and line breaks inside a cell would break the one-row-one-line shape.
    flat = (part.replace("\t", " ").replace("\n", " ").strip() for part in parts)
    return " ".join(part for part in flat if part)


def _int_attr(element: Any, *, default: int) -> int:
    if element is None:
        return default
    try:
        return int(element.get(f"{_W}val"))
    except (TypeError, ValueError):
        return default
