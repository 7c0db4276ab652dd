"""What has been added to one task: progress reports with their files, extension requests, 批示, its source.

Read-only queries behind the task detail of the API. Visibility is the
caller's job (`workflow.machine.load_task` first): these take a task id
that the principal may already see.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, null, select
from sqlalchemy.orm import Session, selectinload

from duban.db.models import Attachment, Document, ExtensionRequest, Instruction, ProgressReport, Task, Unit

__all__ = [
    "Source",
    "attachment_of",
    "extension_requests",
    "instructions",
    "progress_reports",
    "source_of",
    "unit_names",
]


@dataclass(frozen=True)
class Source:
    """Where a task came from: its document and the sentence its span covers."""

    document_id: int
    document_title: str | None
    filename: str
    span_start: int | None
    span_end: int | None
    sentence: str | None


def progress_reports(session: Session, task_id: int) -> Sequence[ProgressReport]:
    """The task's reports, oldest first, with their attachments and authors."""
    stmt = (
        select(ProgressReport)
        .where(ProgressReport.task_id == task_id)
        .order_by(ProgressReport.created_at, ProgressReport.id)
        .options(selectinload(ProgressReport.attachments), selectinload(ProgressReport.user))
    )
    return session.scalars(stmt).all()


def extension_requests(session: Session, task_id: int) -> Sequence[ExtensionRequest]:
    stmt = (
        select(ExtensionRequest)
        .where(ExtensionRequest.task_id == task_id)
        .order_by(ExtensionRequest.created_at, ExtensionRequest.id)
    )
    return session.scalars(stmt).all()


def instructions(session: Session, task_id: int) -> Sequence[Instruction]:
    stmt = (
        select(Instruction)
        .where(Instruction.task_id == task_id)
        .order_by(Instruction.created_at, Instruction.id)
        .options(selectinload(Instruction.user))
    )
    return session.scalars(stmt).all()


def unit_names(session: Session, unit_ids: Sequence[int | None]) -> dict[int, str]:
    wanted = {i for i in unit_ids if i is not None}
    if not wanted:
        return {}
    return {i: n for i, n in session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(wanted)))}


def source_of(session: Session, task: Task) -> Source | None:
    """The task's document and source sentence; only the span's characters leave the database."""
    if task.document_id is None:
        return None
    start, end = task.span_start, task.span_end
    # SQL substr is 1-based on both databases; spans are 0-based, end-exclusive.
    sentence = (
        func.substr(Document.text, start + 1, end - start)
        if start is not None and end is not None and end > start
        else null()
    )
    stmt = select(Document.id, Document.title, Document.filename, sentence).where(
        Document.id == task.document_id
    )
    row = session.execute(stmt).first()
    if row is None:
        return None
    return Source(
        document_id=row[0],
        document_title=row[1],
        filename=row[2],
        span_start=task.span_start,
        span_end=task.span_end,
        sentence=row[3],
    )


def attachment_of(session: Session, task_id: int, attachment_id: int) -> Attachment | None:
    """The attachment if it belongs to a report on this task."""
    stmt = (
        select(Attachment)
        .join(ProgressReport, ProgressReport.id == Attachment.report_id)
        .where(Attachment.id == attachment_id, ProgressReport.task_id == task_id)
    )
    return session.scalars(stmt).one_or_none()
