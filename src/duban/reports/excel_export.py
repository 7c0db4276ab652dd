"""The ledger as an .xlsx in the usual 台账 layout, ready to print and hand to a leader.

Each sheet: a title row, a line with the export time, the filter and the
colour legend, the ten-column header (frozen, auto-filtered, repeated on
every printed page), then one row per task, its background the warning
light's colour (muted, so the text stays readable in print; the light is
also written out in 备注, so the colour is never the only sign). Printing:
landscape A4, fitted to the page width.

The workbook is streamed (openpyxl write-only mode, named styles), so
10,000 rows take about two seconds and little memory. Cells are text from
documents and users: a value that a spreadsheet would run as a formula
(`=`, `+`, `-`, `@`) is stored as text with Excel's quote prefix.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from sqlalchemy.orm import Session

from duban import clock
from duban.db.repositories.tasks import TaskQuery, list_tasks
from duban.reports.ledger_columns import COLUMNS, Field
from duban.reports.ledger_rows import LedgerLine, describe_query, ledger_lines
from duban.workflow.principal import Principal
from duban.workflow.warnings import Light

__all__ = [
    "BODY_FONT",
    "HEADER_FONT",
    "HEADER_ROW",
    "LIGHT_FILLS",
    "MAIN_SHEET",
    "TITLE",
    "XLSX_MEDIA_TYPE",
    "build_workbook",
    "export_ledger",
    "ledger_filename",
    "sheet_name",
]

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TITLE = "督办事项台账"
MAIN_SHEET = "督办台账"
HEADER_ROW = 3
TITLE_FONT = "宋体"
HEADER_FONT = "宋体"
BODY_FONT = "仿宋"
HEADER_FILL = "D9D9D9"
# Muted tints of red, amber and green (and grey for closed tasks): readable in black-and-white print too.
LIGHT_FILLS: Mapping[Light, str] = MappingProxyType(
    {Light.RED: "F4CCCC", Light.YELLOW: "FFF2CC", Light.GREEN: "E2EFDA", Light.NONE: "EDEDED"}
)
_LEGEND = (Light.RED, Light.YELLOW, Light.GREEN, Light.NONE)
_CENTERED = frozenset({Field.SEQ, Field.LEADER, Field.STATUS})
_FORMULA_START = ("=", "+", "-", "@")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
MAX_SHEET_NAME = 31
PAPER_A4 = 9
LINE_POINTS = 14.5  # one line of 11 pt text
MAX_ROW_POINTS = 409  # the tallest row Excel allows  # the paperSize code of A4 in SpreadsheetML


def ledger_filename(day: dt.date, suffix: str = "") -> str:
    return f"督办台账{suffix}-{day:%Y%m%d}.xlsx"


def sheet_name(name: str, taken: set[str]) -> str:
    """A valid, unused sheet name (Excel: ≤31 characters, none of []:*?/\\, not quoted, unique ignoring case)."""
    base = " ".join(_SHEET_FORBIDDEN.sub("", name).split()).strip("'") or "未命名"
    candidate, n = base[:MAX_SHEET_NAME], 1
    while candidate.casefold() in taken:
        n += 1
        tail = f"（{n}）"
        candidate = base[: MAX_SHEET_NAME - len(tail)] + tail
    taken.add(candidate.casefold())
    return candidate


def _side() -> Border:
    thin = Side(style="thin", color="808080")
    return Border(left=thin, right=thin, top=thin, bottom=thin)


def _styles(book: Workbook) -> None:
    """Named styles: one per light and alignment, so each streamed cell gets its look by name."""
    wrap_left = Alignment(wrap_text=True, vertical="center", horizontal="left")
    wrap_center = Alignment(wrap_text=True, vertical="center", horizontal="center")
    book.add_named_style(
        NamedStyle(
            "台账标题",
            font=Font(name=TITLE_FONT, size=18, bold=True),
            alignment=Alignment(horizontal="center"),
        )
    )
    book.add_named_style(
        NamedStyle("台账说明", font=Font(name=BODY_FONT, size=11), alignment=Alignment(vertical="center"))
    )
    book.add_named_style(
        NamedStyle(
            "台账表头",
            font=Font(name=HEADER_FONT, size=11, bold=True),
            fill=PatternFill("solid", fgColor=HEADER_FILL),
            border=_side(),
            alignment=wrap_center,
        )
    )
    for light in Light:
        fill = PatternFill("solid", fgColor=LIGHT_FILLS[light])
        for suffix, alignment in (("", wrap_left), ("-居中", wrap_center)):
            book.add_named_style(
                NamedStyle(
                    f"台账-{light.label}{suffix}",
                    font=Font(name=BODY_FONT, size=11),
                    fill=fill,
                    border=_side(),
                    alignment=alignment,
                )
            )


def _clean(value: str) -> str:
    # Control characters (from PDFs and OCR) are not allowed in the file format.
    cleaned: str = ILLEGAL_CHARACTERS_RE.sub("", value)
    return cleaned


def _cell(ws: Any, value: str | int | None, style: str) -> WriteOnlyCell:
    text = _clean(value) if isinstance(value, str) else value
    cell = WriteOnlyCell(ws, text if text != "" else None)
    cell.style = style
    if isinstance(text, str) and text.startswith(_FORMULA_START):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def _display_lines(text: str, width: float) -> int:
    """How many lines `text` wraps to in a column `width` characters wide (a CJK character is two)."""
    per_line = max(width - 1, 1)
    total = 0
    for part in text.split("\n"):
        # UTF-8 takes 3 bytes for a CJK character and 1 for ASCII: (bytes + characters) / 2 counts 2 and 1.
        used = (len(part.encode()) + len(part)) / 2
        total += max(1, math.ceil(used / per_line))
    return total


def _row_height(values: Mapping[Field, str | int]) -> float:
    """The row's height for its wrapped text: set, because not every spreadsheet program fits rows on opening."""
    lines = max(_display_lines(str(values[c.field]), c.width) for c in COLUMNS)
    return min(MAX_ROW_POINTS, lines * LINE_POINTS + 6)


def _values(n: int, line: LedgerLine) -> dict[Field, str | int]:
    return {
        Field.SEQ: n,
        Field.SOURCE: line.source,
        Field.TEXT: line.text,
        Field.LEAD: line.lead,
        Field.UNITS: line.units,
        Field.LEADER: line.leader,
        Field.SCHEDULE: line.schedule,
        Field.PROGRESS: line.progress,
        Field.STATUS: line.status,
        Field.NOTE: line.note,
    }


class _Sheet:
    """One streamed sheet: head rows written on creation, then rows, then the finishing settings."""

    def __init__(self, book: Workbook, name: str, title: str, note: str) -> None:
        self.ws = book.create_sheet(name)
        self.rows = 0
        ws, last = self.ws, get_column_letter(len(COLUMNS))
        for index, column in enumerate(COLUMNS, start=1):
            ws.column_dimensions[get_column_letter(index)].width = column.width
        # Written with the sheet's head, so set before the first row (page setup is written at the end).
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.freeze_panes = f"A{HEADER_ROW + 1}"
        ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
        ws.row_dimensions[1].height = 36
        ws.row_dimensions[2].height = 22
        ws.merged_cells.add(f"A1:{last}1")
        ws.append([_cell(ws, title, "台账标题")])
        legend_at = len(COLUMNS) - len(_LEGEND)
        ws.merged_cells.add(f"A2:{get_column_letter(legend_at)}2")
        legend = [_cell(ws, light.label, f"台账-{light.label}-居中") for light in _LEGEND]
        ws.append([_cell(ws, note, "台账说明"), *([None] * (legend_at - 1)), *legend])
        ws.append([_cell(ws, c.title, "台账表头") for c in COLUMNS])

    def add(self, line: LedgerLine) -> None:
        self.rows += 1
        values = _values(self.rows, line)
        look = f"台账-{line.light.label}"
        self.ws.row_dimensions[HEADER_ROW + self.rows].height = _row_height(values)
        self.ws.append(
            [
                _cell(self.ws, values[c.field], look + ("-居中" if c.field in _CENTERED else ""))
                for c in COLUMNS
            ]
        )

    def finish(self) -> None:
        ws = self.ws
        ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(COLUMNS))}{HEADER_ROW + self.rows}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = PAPER_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.4
        ws.page_margins.top = ws.page_margins.bottom = 0.6
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def _note(exported_at: dt.datetime, described: str, count: int) -> str:
    local = clock.to_local(exported_at)
    return f"导出时间：{local:%Y年%m月%d日 %H:%M}　筛选条件：{described}　共{count}项　底色表示预警："


def build_workbook(
    lines: Iterable[LedgerLine],
    *,
    total: int,
    described: str,
    exported_at: dt.datetime,
    per_unit: bool = False,
) -> bytes:
    """The .xlsx bytes: the main sheet with every line, and with `per_unit` one sheet per lead unit."""
    book = Workbook(write_only=True)
    _styles(book)
    taken: set[str] = set()
    main = _Sheet(book, sheet_name(MAIN_SHEET, taken), TITLE, _note(exported_at, described, total))
    by_unit: dict[str, list[LedgerLine]] = {}
    for line in lines:
        main.add(line)
        if per_unit:
            by_unit.setdefault(line.sheet_unit, []).append(line)
    main.finish()
    for unit in sorted(by_unit):
        unit_lines = by_unit[unit]
        note = _note(exported_at, f"{described}；牵头单位：{unit}", len(unit_lines))
        sheet = _Sheet(book, sheet_name(unit, taken), f"{TITLE}（{unit}）", note)
        for line in unit_lines:
            sheet.add(line)
        sheet.finish()
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_ledger(
    session: Session,
    principal: Principal,
    query: TaskQuery,
    *,
    today: dt.date,
    near_days: int,
    per_unit: bool = False,
) -> bytes:
    """The filtered ledger this principal may see, as .xlsx bytes (every page of the filter, not one)."""
    total = list_tasks(session, principal, replace(query, page=1, per_page=1), today, near_days).total
    return build_workbook(
        ledger_lines(session, principal, query, today, near_days),
        total=total,
        described=describe_query(session, query),
        exported_at=clock.now(),
        per_unit=per_unit,
    )
