"""The ledger (台账): filter, sort, search and page the tasks; bulk 交办; CSV export.

The filter form is a GET form, so every view of the ledger is a URL one can
share. With htmx the form swaps only the results block (and pushes the URL);
without JavaScript it loads the whole page. Unit users only ever get their
own units' tasks (`list_tasks` sees to it).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from duban import clock
from duban.db.repositories.ledger_choices import ledger_choices
from duban.db.repositories.tasks import list_tasks
from duban.errors import Rejected
from duban.server.auth import Supervisor, Viewer
from duban.server.db import AppSettings, ReadDb, WriteDb
from duban.server.templating import flash, render
from duban.web.task_export import ledger_csv
from duban.web.task_filters import SORT_LABELS, parse_ledger
from duban.workflow.bulk import assign_many
from duban.workflow.states import State
from duban.workflow.warnings import Light

router = APIRouter()

RESULTS_TARGET = "ledger-results"
# Failures listed one by one in the flash message; the rest are counted.
MAX_LISTED_FAILURES = 10


@router.get("/tasks")
def ledger_page(request: Request, user: Viewer, db: ReadDb, settings: AppSettings) -> Response:
    query, form = parse_ledger(request.query_params)
    page = list_tasks(db, user.principal, query, clock.today(), settings.near_due_workdays)
    context = {
        "page": page,
        "form": form,
        "choices": ledger_choices(db, user.principal),
        "states": list(State),
        "lights": [Light.RED, Light.YELLOW, Light.GREEN, Light.NONE],
        "sorts": SORT_LABELS,
        "back": request.url.query,
    }
    partial = request.headers.get("HX-Request") and request.headers.get("HX-Target") == RESULTS_TARGET
    return render(request, "ledger.html", context, block="results" if partial else None)


@router.get("/tasks/export.csv")
def ledger_export(request: Request, user: Viewer, db: ReadDb, settings: AppSettings) -> Response:
    query, _ = parse_ledger(request.query_params)
    body = ledger_csv(db, user.principal, query, clock.today(), settings.near_due_workdays)
    name = f"督办台账-{clock.today():%Y%m%d}.csv"
    disposition = f"attachment; filename=\"ledger.csv\"; filename*=UTF-8''{quote(name)}"
    return Response(
        body.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
    )


def _date(value: str) -> dt.date | None:
    if not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise Rejected(f"日期格式不正确：{value}", f"bad date {value!r}") from None


def _back(query: str) -> str:
    """The ledger view the bulk form was posted from (a query string only: never another site)."""
    return "/tasks" + ("?" + query.lstrip("?") if query.strip() else "")


@router.post("/tasks/bulk-assign")
def bulk_assign(
    request: Request,
    user: Supervisor,
    db: WriteDb,
    task_id: Annotated[list[int] | None, Form()] = None,
    deadline: Annotated[str, Form(max_length=20)] = "",
    back: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    if not task_id:
        raise Rejected("请先勾选要交办的任务", "no tasks selected")
    result = assign_many(db, user.principal, task_id, deadline=_date(deadline))
    if result.assigned:
        flash(request, f"已交办 {len(result.assigned)} 项任务", "ok")
    if result.failed:
        listed = "；".join(f"任务 {i}：{why}" for i, why in result.failed[:MAX_LISTED_FAILURES])
        more = len(result.failed) - MAX_LISTED_FAILURES
        tail = f"；另有 {more} 项" if more > 0 else ""
        flash(request, f"{len(result.failed)} 项未能交办——{listed}{tail}", "error")
    return RedirectResponse(_back(back), status_code=303)
