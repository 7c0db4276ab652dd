"""Issued Word documents: issue a 督办通知书, 督查通报 or 周报; list them; read one; download its file.

Supervisors issue (201 with the record; the file is at `file_url`).
Leaders read and download everything; unit users see only the 督办通知书
addressed to their unit (another document is 404, as if it did not exist).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from fastapi.responses import Response
from pydantic import BaseModel, Field

from duban import clock
from duban.api.schemas import PROBLEMS
from duban.db.models import IssuedReport
from duban.db.models.reports import ReportKind
from duban.db.repositories.issued_reports import MAX_PER_PAGE, list_reports, load_report
from duban.reports.issue import (
    DOCX_MEDIA_TYPE,
    MAX_NOTICE_TASKS,
    issue_circular,
    issue_notice,
    issue_weekly,
    read_report_file,
)
from duban.server.auth import Supervisor, Viewer
from duban.server.db import AppSettings, ReadDb, WriteDb
from duban.server.downloads import download
from duban.workflow.scoring import Period

router = APIRouter(tags=["报告"], responses=PROBLEMS)


class RecipientOut(BaseModel):
    unit_id: int
    unit_name: str


class ReportOut(BaseModel):
    id: int
    kind: ReportKind = Field(description="notice 督办通知书 / circular 督查通报 / weekly 周报")
    kind_label: str
    doc_number: str | None = Field(description="发文字号，如 督办〔2026〕3号；周报无文号")
    year: int
    number: int | None = Field(description="年度内序号")
    title: str
    params: dict[str, Any] = Field(description="生成依据：期间、周、评比规则、反馈期限等")
    task_ids: list[int] = Field(description="通知书所督办的任务；通报中逾期未办结的任务")
    recipients: list[RecipientOut] = Field(description="主送、抄送单位（通知书）")
    filename: str
    size_bytes: int
    sha256: str
    created_by: str
    created_at: dt.datetime
    file_url: str


class ReportPageOut(BaseModel):
    items: list[ReportOut]
    total: int
    page: int
    per_page: int
    pages: int


class NoticeIn(BaseModel):
    task_ids: list[int] = Field(min_length=1, max_length=MAX_NOTICE_TASKS, description="已交办、未办结的任务")


class CircularIn(BaseModel):
    period: str = Field(min_length=4, max_length=20, description="2026、2026H1、2026Q3 或 2026-10")


class WeeklyIn(BaseModel):
    week_of: dt.date | None = Field(default=None, description="该周任一天；默认本周")


def _out(report: IssuedReport) -> ReportOut:
    kind = ReportKind(report.kind)
    return ReportOut(
        id=report.id,
        kind=kind,
        kind_label=kind.label,
        doc_number=report.doc_number,
        year=report.year,
        number=report.number,
        title=report.title,
        params=report.params,
        task_ids=report.task_ids,
        recipients=[RecipientOut(unit_id=r.unit_id, unit_name=r.unit.name) for r in report.recipients],
        filename=report.filename,
        size_bytes=report.size_bytes,
        sha256=report.sha256,
        created_by=report.created_by,
        created_at=report.created_at,
        file_url=f"/api/v1/reports/{report.id}/file",
    )


@router.post(
    "/reports/notices",
    response_model=ReportOut,
    status_code=status.HTTP_201_CREATED,
    summary="印发督办通知书",
)
def post_notice(body: NoticeIn, user: Supervisor, db: WriteDb, settings: AppSettings) -> ReportOut:
    return _out(issue_notice(db, user.principal, settings, body.task_ids))


@router.post(
    "/reports/circulars",
    response_model=ReportOut,
    status_code=status.HTTP_201_CREATED,
    summary="印发督查通报",
)
def post_circular(body: CircularIn, user: Supervisor, db: WriteDb, settings: AppSettings) -> ReportOut:
    return _out(issue_circular(db, user.principal, settings, Period.parse(body.period)))


@router.post(
    "/reports/weekly", response_model=ReportOut, status_code=status.HTTP_201_CREATED, summary="生成周报"
)
def post_weekly(body: WeeklyIn, user: Supervisor, db: WriteDb, settings: AppSettings) -> ReportOut:
    return _out(issue_weekly(db, user.principal, settings, body.week_of or clock.today()))


@router.get("/reports", response_model=ReportPageOut, summary="已印发文件（最新在前）")
def reports(
    user: Viewer,
    db: ReadDb,
    kind: Annotated[ReportKind | None, Query(description="notice / circular / weekly")] = None,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = 50,
) -> ReportPageOut:
    listing = list_reports(db, user.principal, kind=kind, page=page, per_page=per_page)
    return ReportPageOut(
        items=[_out(r) for r in listing.rows],
        total=listing.total,
        page=listing.page,
        per_page=listing.per_page,
        pages=listing.pages,
    )


@router.get("/reports/{report_id}", response_model=ReportOut, summary="一份已印发文件")
def report(report_id: int, user: Viewer, db: ReadDb) -> ReportOut:
    return _out(load_report(db, user.principal, report_id))


@router.get(
    "/reports/{report_id}/file",
    response_class=Response,
    summary="下载文件（.docx，与印发时完全一致）",
    responses={200: {"content": {DOCX_MEDIA_TYPE: {}}, "description": "Word 文件"}},
)
def report_file(report_id: int, user: Viewer, db: ReadDb, settings: AppSettings) -> Response:
    found = load_report(db, user.principal, report_id)
    return download(
        read_report_file(settings, found), DOCX_MEDIA_TYPE, found.filename, f"report-{found.id}.docx"
    )
