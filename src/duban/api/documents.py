"""Documents: upload (one or more files), list, one document, its extraction and drafts, its original.

Documents are the supervision office's working material, not a unit's
record: supervisors upload; supervisors and leaders read; unit users get 403
on every document endpoint (they see the tasks handed to them, with the
source sentence, through /tasks).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Request, UploadFile, status
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from sqlalchemy import select

from duban import clock
from duban.api.schemas import PROBLEMS, UPLOAD_PROBLEMS, TaskSummaryOut
from duban.api.task_view import summary_out
from duban.db.models import Document, DocumentStatus
from duban.db.repositories.documents import (
    MAX_PER_PAGE,
    document_tasks,
    drafted_count,
    get_document,
    list_documents,
)
from duban.db.repositories.task_detail import unit_names
from duban.db.repositories.tasks import task_row
from duban.db.session import read_session, write_session
from duban.errors import NotFound
from duban.ingest.store import original_path
from duban.server.auth import LeaderOrSupervisor, Supervisor
from duban.server.db import AppSettings, ReadDb
from duban.server.state import app_state
from duban.server.uploads import schedule_processing, store_uploads

router = APIRouter(tags=["文件"], responses=PROBLEMS)


class DocumentOut(BaseModel):
    id: int
    filename: str
    title: str | None
    doc_type: str | None
    doc_number: str | None = Field(description="发文字号")
    doc_date: dt.date | None = Field(description="成文日期")
    status: DocumentStatus = Field(description="pending 处理中 / parsed 已解析 / failed 解析失败")
    status_label: str
    error: str | None
    version: int
    is_latest: bool
    previous_id: int | None
    size_bytes: int
    media_type: str
    pages: int
    ocr_pages: int
    created_at: dt.datetime
    parsed_at: dt.datetime | None
    tasks: int | None = Field(default=None, description="由此文件生成的任务数")


class DocumentPageOut(BaseModel):
    items: list[DocumentOut]
    total: int
    page: int
    per_page: int
    pages: int


class SectionOut(BaseModel):
    index: int
    span_start: int
    span_end: int
    doc_type: str
    title: str | None
    doc_number: str | None
    issuer: str | None
    doc_date: dt.date | None
    fields: dict[str, Any]


class DocumentDetailOut(DocumentOut):
    text: str | None = Field(description="解析所得全文；任务的 span 即其中的字符位置")
    sections: list[SectionOut] = Field(description="文件内的各篇文档（如报纸的各篇文章）")


class ExtractionOut(BaseModel):
    document_id: int
    status: DocumentStatus
    extraction: dict[str, Any] | None = Field(description="抽取结果（见 EXTRACTION.md）")
    tasks: list[TaskSummaryOut] = Field(description="由此文件生成的任务（含草稿），按原文顺序")


class UploadOut(BaseModel):
    documents: list[DocumentOut]


def _out(document: Document, tasks: int | None = None) -> DocumentOut:
    state = DocumentStatus(document.status)
    return DocumentOut(
        id=document.id,
        filename=document.filename,
        title=document.title,
        doc_type=document.doc_type,
        doc_number=document.doc_number,
        doc_date=document.doc_date,
        status=state,
        status_label=state.label,
        error=document.error,
        version=document.version,
        is_latest=document.is_latest,
        previous_id=document.previous_id,
        size_bytes=document.size_bytes,
        media_type=document.media_type,
        pages=document.pages,
        ocr_pages=document.ocr_pages,
        created_at=document.created_at,
        parsed_at=document.parsed_at,
        tasks=tasks,
    )


@router.post(
    "/documents",
    response_model=UploadOut,
    status_code=status.HTTP_202_ACCEPTED,
    responses=UPLOAD_PROBLEMS,
    summary="上传文件（可多个），随后在后台解析",
    description="同一内容重复上传返回已有的文件记录，不会重复生成任务。空文件、不支持的格式、超过大小上限的文件会被拒绝。",
)
def upload(
    request: Request,
    files: Annotated[list[UploadFile], File(description="要上传的文件")],
    user: Supervisor,
) -> UploadOut:
    state = app_state(request)
    # Its own transaction, committed before processing is scheduled: the parser (a worker, or
    # inline in immediate mode) reads the stored rows from a session of its own.
    with write_session(state.engine) as session:
        stored = store_uploads(session, files, user.principal.actor, state)
    schedule_processing(state, stored)
    ids = list(dict.fromkeys(d.id for d in stored))  # the same bytes twice are one document
    with read_session(state.engine) as session:
        found = {d.id: d for d in session.scalars(select(Document).where(Document.id.in_(ids)))}
        return UploadOut(documents=[_out(found[i]) for i in ids])


@router.get("/documents", response_model=DocumentPageOut, summary="文件列表（最新上传在前）")
def documents(
    user: LeaderOrSupervisor,
    db: ReadDb,
    status: Annotated[DocumentStatus | None, Query(description="按解析状态筛选")] = None,
    all_versions: Annotated[bool, Query(description="true：同名文件的旧版本也列出")] = False,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = 50,
) -> DocumentPageOut:
    result = list_documents(db, status=status, latest_only=not all_versions, page=page, per_page=per_page)
    return DocumentPageOut(
        items=[_out(r.document, r.drafted) for r in result.rows],
        total=result.total,
        page=result.page,
        per_page=result.per_page,
        pages=result.pages,
    )


@router.get("/documents/{document_id}", response_model=DocumentDetailOut, summary="文件详情（含全文）")
def document(document_id: int, user: LeaderOrSupervisor, db: ReadDb) -> DocumentDetailOut:
    doc = get_document(db, document_id)
    return DocumentDetailOut(
        **_out(doc, drafted_count(db, document_id)).model_dump(),
        text=doc.text,
        sections=[
            SectionOut(
                index=s.index,
                span_start=s.span_start,
                span_end=s.span_end,
                doc_type=s.doc_type,
                title=s.title,
                doc_number=s.doc_number,
                issuer=s.issuer,
                doc_date=s.doc_date,
                fields=s.fields or {},
            )
            for s in doc.sections
        ],
    )


@router.get(
    "/documents/{document_id}/extraction", response_model=ExtractionOut, summary="抽取结果及生成的任务"
)
def extraction(
    document_id: int, user: LeaderOrSupervisor, db: ReadDb, settings: AppSettings
) -> ExtractionOut:
    doc = get_document(db, document_id)
    tasks = document_tasks(db, document_id)
    names = unit_names(db, [unit_id for t in tasks for unit_id in t.unit_ids()])
    return ExtractionOut(
        document_id=doc.id,
        status=DocumentStatus(doc.status),
        extraction=doc.extraction,
        tasks=[summary_out(task_row(t, clock.today(), settings.near_due_workdays, names)) for t in tasks],
    )


@router.get(
    "/documents/{document_id}/original",
    response_class=FileResponse,
    summary="下载原件",
    responses={200: {"content": {"application/octet-stream": {}}, "description": "上传时的原文件"}},
)
def original(document_id: int, user: LeaderOrSupervisor, db: ReadDb, settings: AppSettings) -> FileResponse:
    doc = get_document(db, document_id)
    path = original_path(settings, doc)
    if not path.is_file():
        raise NotFound(f"文件“{doc.filename}”的原件已不在存储目录中", f"original of {document_id} missing")
    return FileResponse(path, media_type=doc.media_type, filename=doc.filename)
