"""报告: issued Word documents (督办通知书, 督查通报, 周报), the forms that issue them, and their downloads.

Supervisors issue; leaders read and download everything; unit users see
and download only the 督办通知书 addressed to their unit. An issue that
fails (a draft task selected, a bad rules file) is reported as a flash
message on the page it came from; the savepoint makes sure nothing of it
(not even its number) is kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from duban import clock
from duban.db.models import IssuedReport
from duban.db.models.reports import ReportKind
from duban.db.repositories.issued_reports import list_reports, load_report
from duban.errors import DomainError, Rejected
from duban.reports.issue import DOCX_MEDIA_TYPE, issue_circular, issue_notice, issue_weekly, read_report_file
from duban.reports.queries import monday_of
from duban.server.auth import Supervisor, Viewer
from duban.server.db import AppSettings, ReadDb, WriteDb
from duban.server.downloads import download
from duban.server.templating import flash, render
from duban.web.ranking import period_choices
from duban.workflow.scoring import Period

router = APIRouter()

PER_PAGE = 50


def _previous_month(today: dt.date) -> Period:
    last = today.replace(day=1) - dt.timedelta(days=1)
    return Period.parse(f"{last.year}-{last.month:02d}")


@router.get("/reports")
def reports_page(
    request: Request,
    user: Viewer,
    db: ReadDb,
    kind: ReportKind | None = None,
    page: int = 1,
    issued: int | None = None,
) -> Response:
    today = clock.today()
    listing = list_reports(db, user.principal, kind=kind, page=page, per_page=PER_PAGE)
    context = {
        "page": listing,
        "kind": kind,
        "kinds": list(ReportKind),
        "issued": issued,
        "choices": period_choices(today),
        "default_period": _previous_month(today).key,
        "this_monday": monday_of(today),
    }
    return render(request, "reports.html", context)


def _back(target: str) -> str:
    """Where a failed issue returns: a same-site path (a task page), or the ledger view whose query it is."""
    target = target.strip()
    if target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/tasks" + ("?" + target.lstrip("?") if target else "")


def _issue(
    request: Request, db: Session, make: Callable[[], IssuedReport], failed_back: str
) -> RedirectResponse:
    try:
        with db.begin_nested():
            report = make()
    except DomainError as exc:
        if exc.status in (401, 403):
            raise
        flash(request, exc.message_zh, "error")
        return RedirectResponse(_back(failed_back), status_code=303)
    flash(request, f"已印发{report.doc_number or ''}《{report.title}》，可在下方列表下载", "ok")
    return RedirectResponse(f"/reports?issued={report.id}", status_code=303)


@router.post("/reports/notices")
def post_notice(
    request: Request,
    user: Supervisor,
    db: WriteDb,
    settings: AppSettings,
    task_id: Annotated[list[int] | None, Form()] = None,
    back: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    ids = task_id or []
    return _issue(request, db, lambda: issue_notice(db, user.principal, settings, ids), back)


@router.post("/reports/circulars")
def post_circular(
    request: Request,
    user: Supervisor,
    db: WriteDb,
    settings: AppSettings,
    period: Annotated[str, Form(max_length=20)],
) -> Response:
    def make() -> IssuedReport:
        return issue_circular(db, user.principal, settings, Period.parse(period))

    return _issue(request, db, make, "/reports")


@router.post("/reports/weekly")
def post_weekly(
    request: Request,
    user: Supervisor,
    db: WriteDb,
    settings: AppSettings,
    week_of: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    def make() -> IssuedReport:
        try:
            day = dt.date.fromisoformat(week_of.strip()) if week_of.strip() else clock.today()
        except ValueError:
            raise Rejected(f"日期格式不正确：{week_of}", f"bad date {week_of!r}") from None
        return issue_weekly(db, user.principal, settings, day)

    return _issue(request, db, make, "/reports")


@router.get("/reports/{report_id}/file")
def report_file(report_id: int, user: Viewer, db: ReadDb, settings: AppSettings) -> Response:
    report = load_report(db, user.principal, report_id)
    return download(
        read_report_file(settings, report), DOCX_MEDIA_TYPE, report.filename, f"report-{report.id}.docx"
    )
