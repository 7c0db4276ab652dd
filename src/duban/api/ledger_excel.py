"""The ledger as Excel: export with the ledger's filters; import as upload → preview → commit.

Export follows GET /tasks exactly (same filters, same visibility: a unit
user's workbook holds only their units' tasks). Import is for the
supervision office: POST a workbook and get its preview (every row, its
parsed values, its errors and warnings, with row numbers as in the sheet);
GET the preview again later (rechecked against the units as they are
then); POST .../commit to write it: refused (422) while any row has an
error unless `valid_only`, and refused (409) for a file already imported.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile, status
from fastapi.responses import Response
from pydantic import BaseModel, Field

from duban import clock
from duban.api.schemas import PROBLEMS, UPLOAD_PROBLEMS
from duban.api.tasks import LedgerFilters
from duban.db.models import OwnerRole
from duban.db.repositories.tasks import MAX_PER_PAGE
from duban.reports.excel_export import XLSX_MEDIA_TYPE, export_ledger, ledger_filename
from duban.reports.ledger_import import CheckedRow, LedgerCheck, Problem
from duban.server.auth import Supervisor, Viewer
from duban.server.db import AppSettings, ReadDb, WriteDb
from duban.server.downloads import download
from duban.server.uploads import read_upload
from duban.workflow.imports import commit_preview, open_preview, preview_upload
from duban.workflow.states import State

router = APIRouter(tags=["台账导入导出"], responses=PROBLEMS)

SUFFIXES = frozenset({".xlsx"})


@router.get(
    "/tasks/export.xlsx",
    summary="导出台账（Excel，筛选条件同任务台账）",
    response_class=Response,
    responses={200: {"content": {XLSX_MEDIA_TYPE: {}}, "description": "台账工作簿（.xlsx）"}},
)
def export_xlsx(
    user: Viewer,
    db: ReadDb,
    settings: AppSettings,
    filters: LedgerFilters,
    per_unit: Annotated[bool, Query(description="每个牵头单位另加一个工作表")] = False,
) -> Response:
    query = replace(filters, per_page=MAX_PER_PAGE)
    today = clock.today()
    body = export_ledger(
        db, user.principal, query, today=today, near_days=settings.near_due_workdays, per_unit=per_unit
    )
    name = ledger_filename(today, "（按单位分表）" if per_unit else "")
    return download(body, XLSX_MEDIA_TYPE, name, "ledger.xlsx")


class ProblemOut(BaseModel):
    column: str | None = Field(description="出问题的列（表头原文）；null 表示整行")
    message: str


class OwnerPickOut(BaseModel):
    unit_id: int
    unit_name: str
    written: str = Field(description="表中写法")
    role: OwnerRole


class MilestoneIn(BaseModel):
    due: dt.date
    text: str


class ParsedOut(BaseModel):
    text: str
    source: str
    owners: list[OwnerPickOut]
    leader_name: str | None
    deadline: dt.date | None
    deadline_workdays: int | None
    milestones: list[MilestoneIn]
    progress: str
    progress_date: dt.date | None
    status: State
    note: str


class RowOut(BaseModel):
    row: int = Field(description="在工作表中的行号")
    ok: bool
    values: dict[str, str] = Field(description="各列原文，键为表头原文")
    errors: list[ProblemOut]
    warnings: list[ProblemOut]
    parsed: ParsedOut | None = Field(description="导入后的值；有错误的行为 null")


class PriorOut(BaseModel):
    document_id: int
    filename: str
    created_at: dt.datetime


class PreviewOut(BaseModel):
    id: str
    filename: str
    sha256: str
    sheet: str
    header_row: int
    columns: dict[str, str] = Field(description="识别出的列：字段 → 表头原文")
    extra_columns: list[str] = Field(description="未使用的列")
    total: int
    valid: int
    invalid: int
    can_import_all: bool
    can_import_valid: bool
    imported: PriorOut | None = Field(description="此文件已导入时的记录（不能再次导入）")
    rows: list[RowOut]


class CommitIn(BaseModel):
    valid_only: bool = Field(default=False, description="只导入无误的行；否则有任何错误行即拒绝")


class CommitOut(BaseModel):
    document_id: int
    task_ids: list[int]
    imported: int
    skipped_rows: list[int]


def _problem(check: LedgerCheck, problem: Problem) -> ProblemOut:
    column = check.sheet.headings.get(problem.field) if problem.field is not None else None
    return ProblemOut(column=column, message=problem.message)


def _row(check: LedgerCheck, row: CheckedRow) -> RowOut:
    p = row.parsed
    parsed = (
        ParsedOut(
            text=p.text,
            source=p.source,
            owners=[
                OwnerPickOut(unit_id=o.unit_id, unit_name=o.name, written=o.written, role=o.role)
                for o in p.owners
            ],
            leader_name=p.leader,
            deadline=p.deadline,
            deadline_workdays=p.workdays,
            milestones=[MilestoneIn(due=due, text=text) for due, text in p.milestones],
            progress=p.progress,
            progress_date=p.progress_date,
            status=p.state,
            note=p.note,
        )
        if p is not None
        else None
    )
    return RowOut(
        row=row.row,
        ok=row.ok,
        values={check.sheet.headings[f]: v for f, v in row.values.items()},
        errors=[_problem(check, e) for e in row.errors],
        warnings=[_problem(check, w) for w in row.warnings],
        parsed=parsed,
    )


def _preview(preview_id: str, check: LedgerCheck) -> PreviewOut:
    prior = check.prior
    return PreviewOut(
        id=preview_id,
        filename=check.filename,
        sha256=check.sha256,
        sheet=check.sheet.sheet,
        header_row=check.sheet.header_row,
        columns={f.value: h for f, h in check.sheet.headings.items()},
        extra_columns=check.sheet.extra,
        total=len(check.rows),
        valid=len(check.valid_rows),
        invalid=len(check.invalid_rows),
        can_import_all=check.can_import_all,
        can_import_valid=check.can_import_valid,
        imported=PriorOut(document_id=prior.document_id, filename=prior.filename, created_at=prior.created_at)
        if prior
        else None,
        rows=[_row(check, r) for r in check.rows],
    )


@router.post(
    "/tasks/imports",
    response_model=PreviewOut,
    status_code=status.HTTP_201_CREATED,
    summary="上传台账（.xlsx）并预览：逐行检查，不写入",
    responses=UPLOAD_PROBLEMS,
)
def create_import(
    user: Supervisor, db: ReadDb, settings: AppSettings, file: Annotated[UploadFile, File()]
) -> PreviewOut:
    name, data = read_upload(file, settings.max_upload_bytes, SUFFIXES)
    preview_id, check = preview_upload(db, user.principal, data, name, settings)
    return _preview(preview_id, check)


@router.get(
    "/tasks/imports/{preview_id}", response_model=PreviewOut, summary="查看导入预览（按当前单位名录重新检查）"
)
def get_import(preview_id: str, user: Supervisor, db: ReadDb, settings: AppSettings) -> PreviewOut:
    _, check = open_preview(db, settings, preview_id)
    return _preview(preview_id, check)


@router.post(
    "/tasks/imports/{preview_id}/commit", response_model=CommitOut, summary="确认导入：写入台账并逐项审计"
)
def commit_import(
    preview_id: str, body: CommitIn, user: Supervisor, db: WriteDb, settings: AppSettings
) -> CommitOut:
    result = commit_preview(db, user.principal, settings, preview_id, valid_only=body.valid_only)
    return CommitOut(
        document_id=result.document_id,
        task_ids=result.task_ids,
        imported=len(result.task_ids),
        skipped_rows=result.skipped_rows,
    )
