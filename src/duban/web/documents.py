"""Documents: upload (several files, one result per file), the list, one document with its
extracted items highlighted, a live status fragment, and the original file.

Supervisors upload; leaders may read; unit users get 403 here: a document
names every unit's tasks, and units see only their own through the ledger.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, File, Query, Request, UploadFile
from fastapi.responses import FileResponse, Response
from sqlalchemy.orm import Session

from duban.config import Settings
from duban.db.models import Document, DocumentStatus
from duban.db.repositories import documents as document_repo
from duban.db.repositories.documents import get_document
from duban.errors import Forbidden, NotFound, Rejected
from duban.ingest.read import supported_suffixes
from duban.ingest.store import original_path
from duban.server.auth import CurrentUser, Supervisor, Viewer
from duban.server.db import AppSettings, ReadDb, WriteDb
from duban.server.state import app_state
from duban.server.templating import render
from duban.server.uploads import (
    MAX_FILES_PER_REQUEST,
    UploadResult,
    check_count,
    schedule_processing,
    store_each,
)
from duban.web.document_marks import LEGEND, document_marks, kind_counts
from duban.web.highlight import highlight

router = APIRouter()

DOC_TYPES = {
    "minutes": "会议纪要",
    "work_report": "政府工作报告",
    "notice": "通知/通报",
    "regulation": "办法/规定",
    "plan": "方案/规划",
    "news": "新闻报道",
    "commentary": "评论",
    "supervision": "督查通报",
    "other": "其他",
}
STATUS_LABELS = {s.value: s.label for s in DocumentStatus}


async def _document_reader(user: Viewer) -> CurrentUser:
    if user.is_unit:
        raise Forbidden(
            "文件页面仅供督查室和领导查看；责任单位请在“台账”中查看本单位的任务",
            "documents are for the supervision office and leaders",
        )
    return user


DocumentReader = Annotated[CurrentUser, Depends(_document_reader)]


def labels() -> dict[str, Any]:
    """What every document template uses to name types and states."""
    return {"doc_types": DOC_TYPES, "status_labels": STATUS_LABELS}


# ---------------------------------------------------------------- upload


def _upload_context(
    session: Session | None, settings: Settings, results: list[UploadResult], error: str | None = None
) -> dict[str, Any]:
    counts = {}
    if session is not None:
        counts = {
            r.document.id: document_repo.task_counts(session, r.document.id) for r in results if r.document
        }
    return {
        **labels(),
        "results": results,
        "counts": counts,
        "error": error,
        "accept": ",".join(sorted(supported_suffixes())),
        "max_files": MAX_FILES_PER_REQUEST,
        "max_mb": settings.max_upload_bytes // (1024 * 1024),
        "max_bytes": settings.max_upload_bytes,
    }


@router.get("/documents/upload")
def upload_page(request: Request, user: Supervisor, settings: AppSettings) -> Response:
    return render(request, "documents/upload.html", _upload_context(None, settings, []))


@router.post("/documents/upload")
def upload_submit(
    request: Request,
    user: Supervisor,
    db: WriteDb,
    settings: AppSettings,
    background: BackgroundTasks,
    files: Annotated[list[UploadFile | str] | None, File()] = None,
    fragment: Annotated[bool, Query()] = False,
) -> Response:
    """Keep every acceptable file; parse the new ones after this request commits.

    `fragment=1` (one XHR per file from upload.js) answers with just the result rows.
    """
    # A browser sends an empty part (no file name) when nothing was chosen.
    chosen = [f for f in files or [] if not isinstance(f, str) and f.filename]
    error = None
    try:
        check_count(chosen)
    except Rejected as exc:
        error = exc.message_zh
    results = [] if error else store_each(db, chosen, user.principal.actor, settings)
    new = [r.document for r in results if r.document is not None and not r.existed]
    # Runs after the response, so after WriteDb has committed the documents it reads.
    background.add_task(schedule_processing, app_state(request), new)
    context = _upload_context(db, settings, results, error)
    status = 422 if error or all(r.error for r in results) else 200
    if fragment:
        return render(request, "documents/results.html", context, status_code=status)
    return render(request, "documents/upload.html", context, status_code=status)


# ---------------------------------------------------------------- list, view, status, original


@router.get("/documents")
def document_list(
    request: Request, user: DocumentReader, db: ReadDb, page: Annotated[int, Query(ge=1)] = 1
) -> Response:
    documents = document_repo.list_documents(db, page=page, clamp_page=True)
    return render(request, "documents.html", {**labels(), "page": documents})


@router.get("/documents/{document_id}/status")
def document_status(request: Request, document_id: int, user: DocumentReader, db: ReadDb) -> Response:
    """The live status of one upload; it stops polling once the document is parsed or failed."""
    document = get_document(db, document_id)
    context = {
        **labels(),
        "document": document,
        "counts": {document.id: document_repo.task_counts(db, document.id)},
    }
    return render(request, "documents/status.html", context)


@router.get("/documents/{document_id}")
def document_page(request: Request, document_id: int, user: DocumentReader, db: ReadDb) -> Response:
    document = get_document(db, document_id)
    tasks = document_repo.document_tasks(db, document.id)
    marks = document_marks(document, tasks)
    drafts, total = document_repo.task_counts(db, document.id)
    context = {
        **labels(),
        "document": document,
        "sections": document.sections,
        "text": highlight(document.text, marks) if document.text else None,
        "legend": LEGEND,
        "mark_counts": kind_counts(marks),
        "drafts": drafts,
        "total": total,
        "counts": {document.id: (drafts, total)},
        "previous": db.get(Document, document.previous_id) if document.previous_id else None,
    }
    return render(request, "document.html", context)


@router.get("/documents/{document_id}/original")
def document_original(
    document_id: int, user: DocumentReader, db: ReadDb, settings: AppSettings
) -> FileResponse:
    """The uploaded bytes as they came, also (especially) when parsing failed."""
    document = get_document(db, document_id)
    path = original_path(settings, document)
    if not path.is_file():
        raise NotFound(
            f"文件“{document.filename}”的原件不存在", f"original of document {document_id} missing"
        )
    return FileResponse(path, media_type=document.media_type, filename=document.filename)
