"""导入台账 (supervisors only): upload a ledger .xlsx, look at every row with its problems, then import.

The upload is read and checked at once; a file that is no ledger (not an
.xlsx, no header, missing columns, too many rows) is refused on the upload
page with the reason. A readable file becomes a preview kept on disk (see
`reports.import_store`) at /tasks/import/<id>: counts, every row with the
cells that have problems marked, and two buttons: 全部导入 (only when no row
has an error) and 仅导入有效行. Importing redirects back to the preview,
which then says what was imported and links to it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from duban import clock
from duban.config import Settings
from duban.db.models import Task
from duban.db.repositories.paging import Page
from duban.errors import DomainError
from duban.reports.excel_export import XLSX_MEDIA_TYPE, build_workbook
from duban.reports.import_store import KEEP_DAYS
from duban.reports.ledger_columns import COLUMNS, SYNONYMS, Field
from duban.reports.ledger_import import CheckedRow, LedgerCheck
from duban.server.auth import Supervisor
from duban.server.db import AppSettings, ReadDb, WriteDb
from duban.server.downloads import download
from duban.server.templating import flash, render
from duban.server.uploads import read_upload
from duban.workflow.imports import commit_preview, open_preview, preview_upload

router = APIRouter()

ROWS_PER_PAGE = 200
SUFFIXES = frozenset({".xlsx"})


def _upload_context(settings: Settings, error: str | None = None) -> dict[str, Any]:
    return {
        "error": error,
        "max_mb": settings.max_upload_mb,
        "max_rows": settings.import_max_rows,
        "synonyms": [
            (field.label, names) for field, names in SYNONYMS.items() if field is not Field.SCHEDULE
        ],
        "columns": [c.title for c in COLUMNS],
        "keep_days": KEEP_DAYS,
    }


@router.get("/tasks/import")
def import_page(request: Request, user: Supervisor, settings: AppSettings) -> Response:
    return render(request, "ledger_import/upload.html", _upload_context(settings))


@router.get("/tasks/import/template.xlsx")
def import_template(user: Supervisor) -> Response:
    """An empty ledger in the export's layout: the columns an import reads best."""
    body = build_workbook([], total=0, described="空白模板，请从第4行起填写", exported_at=clock.now())
    return download(body, XLSX_MEDIA_TYPE, "督办台账导入模板.xlsx", "ledger-template.xlsx")


@router.post("/tasks/import")
def import_upload(
    request: Request,
    user: Supervisor,
    db: ReadDb,
    settings: AppSettings,
    file: Annotated[UploadFile | str | None, File()] = None,
) -> Response:
    # A browser sends an empty part (no file name) when nothing was chosen; it may arrive as a string.
    if file is None or isinstance(file, str) or not file.filename:
        context = _upload_context(settings, "请选择要导入的台账文件（.xlsx）")
        return render(request, "ledger_import/upload.html", context, status_code=422)
    try:
        name, data = read_upload(file, settings.max_upload_bytes, SUFFIXES)
        preview_id, _ = preview_upload(db, user.principal, data, name, settings)
    except DomainError as exc:
        context = _upload_context(settings, exc.message_zh)
        return render(request, "ledger_import/upload.html", context, status_code=exc.status)
    return RedirectResponse(f"/tasks/import/{preview_id}", status_code=303)


def _shown_fields(check: LedgerCheck) -> list[Field]:
    """The file's columns that mean something, in the file's order (序号 is not checked, so not shown)."""
    return [f for f in check.sheet.headings if f is not Field.SEQ]


def _imported_count(db: Session, document_id: int) -> int:
    return db.scalar(select(func.count()).select_from(Task).where(Task.document_id == document_id)) or 0


@router.get("/tasks/import/{preview_id}")
def preview_page(
    request: Request,
    preview_id: str,
    user: Supervisor,
    db: ReadDb,
    settings: AppSettings,
    show: Annotated[str, Query(max_length=10)] = "all",
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    stored, check = open_preview(db, settings, preview_id)
    problems = show == "problems"
    rows: list[CheckedRow] = [r for r in check.rows if r.errors or r.warnings] if problems else check.rows
    start = (page - 1) * ROWS_PER_PAGE
    context = {
        "stored": stored,
        "check": check,
        "fields": _shown_fields(check),
        "page": Page(rows[start : start + ROWS_PER_PAGE], len(rows), page, ROWS_PER_PAGE),
        "show": "problems" if problems else "all",
        "imported": _imported_count(db, check.prior.document_id) if check.prior else 0,
    }
    return render(request, "ledger_import/preview.html", context)


@router.post("/tasks/import/{preview_id}/commit")
def preview_commit(
    request: Request,
    preview_id: str,
    user: Supervisor,
    db: WriteDb,
    settings: AppSettings,
    valid_only: Annotated[bool, Form()] = False,
) -> Response:
    try:
        # A savepoint: a refusal leaves nothing half-written for the request's commit.
        with db.begin_nested():
            result = commit_preview(db, user.principal, settings, preview_id, valid_only=valid_only)
    except DomainError as exc:
        flash(request, exc.message_zh, "error")
        return RedirectResponse(f"/tasks/import/{preview_id}", status_code=303)
    skipped = f"，跳过有错误的{len(result.skipped_rows)}行" if result.skipped_rows else ""
    flash(request, f"已导入{len(result.task_ids)}项任务{skipped}", "ok")
    return RedirectResponse(f"/tasks/import/{preview_id}", status_code=303)
