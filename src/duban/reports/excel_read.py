"""Reading a ledger workbook someone else made: the sheet, its header row, its rows as text per field.

The bytes are untrusted. A file that is not an .xlsx (a renamed Word file,
an old .xls, a PDF, a zip bomb, a damaged download) is refused with a
Chinese message, never a traceback. Rows are read in openpyxl's read-only
mode (streaming, and stopping as soon as the row limit is passed); only a
sheet with merged cells is loaded in full a second time, because merged
ranges exist only there: each merged cell takes its range's top-left value
(`任务来源` written once for five rows, one 牵头单位 for a block).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.datetime import from_excel
from openpyxl.workbook.workbook import Workbook

from duban.errors import CorruptFile, DomainError, EmptyFile, FileTooLarge, Rejected
from duban.reports.ledger_columns import Field, HeaderMatch, match_header

__all__ = [
    "HEADER_SEARCH_ROWS",
    "MAX_MERGED_SHEET_BYTES",
    "MAX_UNPACKED_BYTES",
    "MissingColumns",
    "RawRow",
    "SheetData",
    "TooManyRows",
    "read_ledger",
]

log = logging.getLogger(__name__)

# The header is looked for in this many rows: above it may sit a title, a date line, a legend.
HEADER_SEARCH_ROWS = 10
# An .xlsx is a zip; one that unpacks past this is a zip bomb or no ledger anyone typed. A ledger at
# the row limit is some 10 MB of XML; parsing 100 MB takes openpyxl about ten seconds.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
# Merged cells need the whole sheet in memory (openpyxl's full load): only for sheets up to this size.
MAX_MERGED_SHEET_BYTES = 30 * 1024 * 1024
# Blank rows are skipped, but not without end: a sheet formatted down to row 1,048,576 stops here.
BLANK_ROWS_TOLERATED = 10_000
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MERGE_TAG = re.compile(rb"<(?:\w+:)?mergeCell\b")
_DATE_FIELDS = frozenset({Field.DEADLINE, Field.SCHEDULE, Field.MILESTONES})
# Excel day numbers from 1954 to 2119: a number in a date column in this range is a date without its format.
_SERIAL_RANGE = (20_000, 80_000)


class TooManyRows(Rejected):
    code = "too_many_rows"


class MissingColumns(Rejected):
    code = "missing_columns"


@dataclass(frozen=True)
class RawRow:
    """One data row: its row number in the sheet and each field's cell as text."""

    row: int
    values: dict[Field, str]


@dataclass(frozen=True)
class SheetData:
    sheet: str
    header_row: int
    headings: dict[Field, str]
    extra: list[str]
    rows: list[RawRow]


def _not_xlsx(message: str, english: str) -> CorruptFile:
    return CorruptFile(message, english)


def _check_container(data: bytes) -> None:
    """Refuse what is not an .xlsx before openpyxl sees it."""
    if data.startswith(_OLE_MAGIC):
        raise _not_xlsx(
            "文件是旧版 Excel（.xls）格式或已加密，请在 Excel 中“另存为”.xlsx（不设密码）后再导入",
            "an OLE2 file: .xls or encrypted",
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise _not_xlsx(
            "文件不是有效的 Excel（.xlsx）文件：可能是改了扩展名的其他文件，或文件已损坏",
            "not a zip archive",
        ) from None
    if "xl/workbook.xml" not in names:
        other = "Word 文档" if "word/document.xml" in names else "其他格式的压缩文件"
        raise _not_xlsx(f"文件不是 Excel 工作簿（看起来是{other}），请上传 .xlsx 台账", "no xl/workbook.xml")
    if unpacked > MAX_UNPACKED_BYTES:
        raise FileTooLarge(
            f"文件解压后超过{MAX_UNPACKED_BYTES // (1024 * 1024)}MB，不像是台账，已拒绝",
            "unpacks past the limit",
        )


def _merged_sheet_bytes(data: bytes) -> int:
    """The unpacked size of the sheets with merged cells (0: none), searched in 1 MB pieces."""
    total = 0
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                continue
            with archive.open(info) as member:
                tail = b""
                while piece := member.read(1024 * 1024):
                    if _MERGE_TAG.search(tail + piece):
                        total += info.file_size
                        break
                    tail = piece[-32:]
    return total


def _load(data: bytes, *, read_only: bool) -> Workbook:
    try:
        return load_workbook(io.BytesIO(data), read_only=read_only, data_only=True)
    except DomainError:
        raise
    except Exception:
        # openpyxl raises KeyError, InvalidFileException, BadZipFile, XML errors … on odd files.
        log.info("openpyxl could not read an uploaded workbook", exc_info=True)
        raise _not_xlsx("无法读取该 Excel 文件：文件已损坏或不是 .xlsx 格式", "openpyxl failed") from None


def cell_text(value: Any, field: Field | None = None) -> str:
    """A cell as text: dates as ISO dates, whole numbers without `.0`, day numbers in date columns as dates."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        if field in _DATE_FIELDS and _SERIAL_RANGE[0] <= value <= _SERIAL_RANGE[1]:
            converted = from_excel(value)
            if isinstance(converted, dt.datetime):
                return converted.date().isoformat()
        return str(int(value)) if float(value).is_integer() else str(value)
    if isinstance(value, dt.time | dt.timedelta):
        return str(value)
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def _texts(row: Sequence[Any]) -> list[str]:
    return [cell_text(v) for v in row]


def _find_header(rows: list[Sequence[Any]]) -> tuple[int, HeaderMatch] | None:
    """The best heading row among the first rows: most fields understood, the text field among them."""
    best: tuple[int, HeaderMatch] | None = None
    for index, row in enumerate(rows):
        found = match_header(_texts(row))
        if Field.TEXT not in found.columns and found.score < 2:
            continue
        if best is None or found.score > best[1].score:
            best = (index + 1, found)
    return best


def _choose_sheet(book: Workbook) -> tuple[str, int, HeaderMatch]:
    """The first sheet with a complete header; else the error naming what the best one lacks.

    Later sheets are ignored: a ledger exported with one sheet per unit repeats its rows there.
    """
    best: tuple[str, int, HeaderMatch] | None = None
    anything = False
    for sheet in book.worksheets:
        # Read-only sheets trust the size the writing program recorded; some record "A1" for any sheet.
        sheet.reset_dimensions()
        top = list(sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True))
        anything = anything or any(v is not None and str(v).strip() for row in top for v in row)
        found = _find_header(top)
        if found is None:
            continue
        row, match = found
        if not match.missing():
            return sheet.title, row, match
        if best is None or match.score > best[2].score:
            best = (sheet.title, row, match)
    if not anything:
        raise EmptyFile("工作簿是空的：前几行没有任何内容", "empty workbook")
    if best is None:
        raise MissingColumns(
            f"前{HEADER_SEARCH_ROWS}行中没有找到台账表头（应含“任务内容”“牵头单位”等列）",
            "no header row found",
        )
    title, _, match = best
    present = "、".join(match.headings.values()) + ("、" if match.extra else "") + "、".join(match.extra)
    raise MissingColumns(
        f"缺少列：{'；'.join(match.missing())}。工作表“{title}”中找到的列：{present or '无'}",
        f"missing columns: {match.missing()}",
    )


def _values(row: Sequence[Any], columns: dict[Field, int]) -> dict[Field, str]:
    return {f: cell_text(row[i], f) if i < len(row) else "" for f, i in columns.items()}


def _data_rows(
    rows: Iterable[Sequence[Any]], header_row: int, columns: dict[Field, int], max_rows: int
) -> Iterator[RawRow]:
    """Non-blank rows under the header, numbered as in the sheet; TooManyRows past `max_rows`."""
    count = blank_run = 0
    for number, row in enumerate(rows, start=header_row + 1):
        values = _values(row, columns)
        if not any(v for f, v in values.items() if f is not Field.SEQ):
            blank_run += 1
            if blank_run > BLANK_ROWS_TOLERATED:
                return
            continue
        blank_run = 0
        count += 1
        if count > max_rows:
            raise TooManyRows(
                f"表中数据超过{max_rows}行的上限，请拆分成几个文件分批导入",
                f"more than {max_rows} data rows",
            )
        yield RawRow(number, values)


def _merged_fill(book: Workbook, sheet: str) -> dict[tuple[int, int], Any]:
    """(row, column) → the top-left value of the merged range the cell is in (1-based)."""
    ws = book[sheet]
    fill: dict[tuple[int, int], Any] = {}
    for merged in ws.merged_cells.ranges:
        value = ws.cell(merged.min_row, merged.min_col).value
        for r in range(merged.min_row, merged.max_row + 1):
            for c in range(merged.min_col, merged.max_col + 1):
                fill[(r, c)] = value
    return fill


def _filled_rows(book: Workbook, sheet: str, start: int) -> Iterator[list[Any]]:
    fill = _merged_fill(book, sheet)
    for number, row in enumerate(book[sheet].iter_rows(min_row=start, values_only=True), start=start):
        yield [fill.get((number, c), v) for c, v in enumerate(row, start=1)]


def read_ledger(data: bytes, *, max_rows: int) -> SheetData:
    """The ledger rows of an .xlsx: one sheet (the first with a ledger header), blank rows skipped."""
    if not data:
        raise EmptyFile("文件是空的", "empty file")
    _check_container(data)
    book = _load(data, read_only=True)
    try:
        if not book.worksheets:
            raise EmptyFile("工作簿中没有工作表", "no worksheets")
        sheet, header_row, match = _choose_sheet(book)
        rows = book[sheet].iter_rows(min_row=header_row + 1, values_only=True)
        found = list(_data_rows(rows, header_row, match.columns, max_rows))
    except DomainError:
        raise
    except Exception:
        log.info("openpyxl failed while reading the rows of an uploaded workbook", exc_info=True)
        raise _not_xlsx("无法读取该 Excel 文件的内容：文件已损坏", "rows unreadable") from None
    finally:
        book.close()
    merged = _merged_sheet_bytes(data) if found else 0
    if merged > MAX_MERGED_SHEET_BYTES:
        raise TooManyRows(
            "表格含合并单元格且内容过多，无法按合并区域读取：请取消合并单元格（或拆分文件）后再导入",
            "merged cells in a sheet too large to load in full",
        )
    if merged:
        full = _load(data, read_only=False)
        try:
            filled = _filled_rows(full, sheet, header_row + 1)
            found = list(_data_rows(filled, header_row, match.columns, max_rows))
        finally:
            full.close()
    if not found:
        raise EmptyFile(f"工作表“{sheet}”的表头下没有数据行", "no data rows")
    return SheetData(sheet, header_row, dict(match.headings), list(match.extra), found)
