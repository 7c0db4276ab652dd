"""Uploaded files in: size and type checked, original kept, document row stored, processing scheduled.

Shared by the web upload page and the API. The bytes are kept before any
parsing, so a file that later fails to parse is never lost. Processing runs
on the job queue; with `queue_immediate` (tests, one-off scripts) it runs
inline against this app's database right after the upload commits.
Everything here is synchronous: call it from a plain `def` route (FastAPI runs
those in a worker thread, off the event loop).
"""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath

from fastapi import UploadFile
from sqlalchemy import select
from sqlalchemy.orm import Session

from duban import jobs
from duban.config import Settings
from duban.db.models import Document
from duban.db.session import write_session
from duban.errors import DomainError, EmptyFile, FileTooLarge, Rejected, UnsupportedFileType
from duban.ingest.read import supported_suffixes
from duban.ingest.store import process_document, store_upload
from duban.ingest.types import Source
from duban.server.state import AppState
from duban.workflow import service
from duban.workflow.audit import Actor
from duban.workflow.feedback import AttachmentIn
from duban.workflow.principal import Principal

__all__ = [
    "ATTACHMENT_SUFFIXES",
    "MAX_FILES_PER_REQUEST",
    "UploadResult",
    "check_count",
    "read_attachments",
    "read_upload",
    "record_feedback",
    "schedule_processing",
    "store_each",
    "store_uploads",
]

# Progress-report attachments: office documents, PDFs, images, archives of them.
ATTACHMENT_SUFFIXES = frozenset(
    {
        ".pdf",
        ".doc",
        ".docx",
        ".xls",
        ".xlsx",
        ".ppt",
        ".pptx",
        ".wps",
        ".et",
        ".ofd",
        ".txt",
        ".csv",
        ".jpg",
        ".jpeg",
        ".png",
        ".gif",
        ".bmp",
        ".tif",
        ".tiff",
        ".zip",
        ".rar",
        ".7z",
    }
)
MAX_FILES_PER_REQUEST = 20


def _name(upload: UploadFile) -> str:
    name = PurePath((upload.filename or "").replace("\\", "/")).name.strip()
    if not name:
        raise Rejected("上传的文件没有文件名", "uploaded file has no name")
    return name[:255]


def read_upload(
    upload: UploadFile, max_bytes: int, allowed_suffixes: frozenset[str] | None = None
) -> tuple[str, bytes]:
    """The file's name and bytes, refusing an empty, oversized or wrong-type file with a clear message."""
    name = _name(upload)
    suffix = PurePath(name).suffix.lower()
    allowed = allowed_suffixes if allowed_suffixes is not None else frozenset(supported_suffixes())
    if suffix not in allowed:
        listed = "、".join(sorted(allowed))
        raise UnsupportedFileType(
            f"不支持文件“{name}”的格式。支持的格式：{listed}。", f"unsupported type: {name}"
        )
    data = upload.file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise FileTooLarge(
            f"文件“{name}”超过{max_bytes // (1024 * 1024)}MB上限", f"{name} is larger than {max_bytes} bytes"
        )
    if not data:
        raise EmptyFile(f"文件“{name}”是空的", f"{name} is empty")
    return name, data


def check_count(uploads: Sequence[UploadFile]) -> None:
    if not uploads:
        raise Rejected("请选择要上传的文件", "no files")
    if len(uploads) > MAX_FILES_PER_REQUEST:
        raise Rejected(f"一次最多上传{MAX_FILES_PER_REQUEST}个文件，请分批上传", "too many files")


@dataclass(frozen=True)
class UploadResult:
    """One file of an upload: its document (new, or stored before: `existed`) or why it was refused."""

    filename: str
    document: Document | None = None
    existed: bool = False
    error: DomainError | None = None


def store_each(
    session: Session, uploads: Sequence[UploadFile], actor: Actor, settings: Settings
) -> list[UploadResult]:
    """Each file on its own: a refused file is reported by name and the others are still kept."""
    results = []
    for upload in uploads:
        try:
            name, data = read_upload(upload, settings.max_upload_bytes)
            sha = hashlib.sha256(data).hexdigest()
            existing = session.scalar(select(Document).where(Document.sha256 == sha))
            if existing is not None:
                results.append(UploadResult(name, existing, existed=True))
                continue
            results.append(UploadResult(name, store_upload(session, Source(name, data), actor, settings)))
        except DomainError as exc:
            results.append(UploadResult(upload.filename or "（无文件名）", error=exc))
    return results


def store_uploads(
    session: Session, uploads: Sequence[UploadFile], actor: Actor, state: AppState
) -> list[Document]:
    """Keep every file and its pending Document row; all-or-nothing: the first refused file is the error."""
    check_count(uploads)
    results = store_each(session, uploads, actor, state.settings)
    if refused := next((r.error for r in results if r.error is not None), None):
        raise refused
    return [r.document for r in results if r.document is not None]


def schedule_processing(state: AppState, documents: Sequence[Document]) -> None:
    """Parse the pending documents in the background (after the upload has committed)."""
    pending = [d.id for d in documents if d.status == "pending"]
    for document_id in pending:
        if state.settings.queue_immediate:
            with write_session(state.engine) as session:
                process_document(session, document_id, state.settings)
        else:
            jobs.enqueue_process_document(document_id)


def read_attachments(uploads: Sequence[UploadFile], max_bytes: int) -> list[AttachmentIn]:
    files = [u for u in uploads if u.filename]
    if len(files) > MAX_FILES_PER_REQUEST:
        raise Rejected(f"一次最多上传{MAX_FILES_PER_REQUEST}个附件", "too many attachments")
    attachments = []
    for upload in files:
        name, data = read_upload(upload, max_bytes, ATTACHMENT_SUFFIXES)
        media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        attachments.append(AttachmentIn(filename=name, data=data, media_type=media_type))
    return attachments


def record_feedback(
    session: Session,
    principal: Principal,
    task_id: int,
    text: str,
    files: Sequence[UploadFile],
    settings: Settings,
    *,
    completion: bool,
    expected_version: int | None,
) -> None:
    """反馈 (progress) or 申请办结 (completion): the text with its attached files, kept under the data folder."""
    attachments = read_attachments(files, settings.max_upload_bytes)
    report = service.submit if completion else service.report_progress
    report(
        session,
        principal,
        task_id,
        text,
        attachments,
        attachments_dir=settings.attachments_dir,
        expected_version=expected_version,
    )
