"""The filtered ledger as a download: Excel in the 台账 layout (the main export), or CSV.

Both honour exactly the filters on screen (`task_filters.parse_ledger`) and
every page of them; a unit user gets only their units' tasks. The CSV is
UTF-8 with a BOM so Excel on Windows reads the Chinese correctly.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import replace

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from duban import clock
from duban.db.repositories.ledger_choices import document_labels
from duban.db.repositories.tasks import MAX_PER_PAGE, TaskQuery, list_tasks
from duban.reports.excel_export import XLSX_MEDIA_TYPE, export_ledger, ledger_filename
from duban.reports.ledger_rows import owner_cells
from duban.server.auth import Viewer
from duban.server.db import AppSettings, ReadDb
from duban.server.downloads import download
from duban.web.task_filters import parse_ledger
from duban.workflow.principal import Principal
from duban.workflow.states import State

__all__ = ["CSV_HEADER", "ledger_csv", "router"]

router = APIRouter()
_YES = frozenset({"1", "true", "on", "yes"})

CSV_HEADER = ["序号", "任务来源", "任务内容", "牵头单位", "责任单位", "责任领导", "完成时限", "状态", "预警"]
BOM = "\ufeff"
# A cell starting with one of these is run as a formula by spreadsheet programs; task text is untrusted.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _rows(
    session: Session, principal: Principal, query: TaskQuery, today: dt.date, near_days: int
) -> Iterator[list[str]]:
    """Every row the filter matches, page by page, in the ledger's order."""
    page_query = replace(query, page=1, per_page=MAX_PER_PAGE)
    while True:
        page = list_tasks(session, principal, page_query, today, near_days)
        sources = document_labels(session, (r.task.document_id for r in page.rows))
        for row in page.rows:
            task = row.task
            lead, others = owner_cells(row)
            yield [
                str(task.id),
                sources.get(task.document_id, "") if task.document_id else "",
                " ".join(task.text.split()),
                lead,
                others,
                task.leader_name or "",
                task.deadline.isoformat() if task.deadline else "待定",
                State(task.status).label,
                row.light.label,
            ]
        if page.page >= page.pages:
            return
        page_query = replace(page_query, page=page.page + 1)


def ledger_csv(
    session: Session, principal: Principal, query: TaskQuery, today: dt.date, near_days: int
) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for values in _rows(session, principal, query, today, near_days):
        writer.writerow([_cell(v) for v in values])
    return BOM + out.getvalue()


@router.get("/tasks/export.xlsx")
def ledger_xlsx(request: Request, user: Viewer, db: ReadDb, settings: AppSettings) -> Response:
    """The ledger as on screen, as an .xlsx; `per_unit=1` adds one sheet per lead unit (按单位分表)."""
    query, _ = parse_ledger(request.query_params)
    per_unit = request.query_params.get("per_unit", "").lower() in _YES
    today = clock.today()
    body = export_ledger(
        db, user.principal, query, today=today, near_days=settings.near_due_workdays, per_unit=per_unit
    )
    name = ledger_filename(today, "（按单位分表）" if per_unit else "")
    return download(body, XLSX_MEDIA_TYPE, name, "ledger.xlsx")
