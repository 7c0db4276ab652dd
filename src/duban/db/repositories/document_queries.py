"""Documents for the API: a paged list with task counts, one document with its sections, its tasks.

Documents are not unit-scoped data: who may read them is decided at the edge
(supervisors and leaders), so nothing here takes a principal.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from duban.db.models import Document, DocumentStatus, Task, TaskOwner
from duban.errors import NotFound

__all__ = ["DocumentPage", "DocumentRow", "document_tasks", "get_document", "list_documents"]

MAX_PER_PAGE = 200


@dataclass(frozen=True)
class DocumentRow:
    document: Document
    tasks: int


@dataclass(frozen=True)
class DocumentPage:
    rows: list[DocumentRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def list_documents(
    session: Session,
    *,
    status: DocumentStatus | None = None,
    latest_only: bool = True,
    page: int = 1,
    per_page: int = 50,
) -> DocumentPage:
    """Newest uploads first, each with how many tasks were drafted from it."""
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    page = max(1, page)
    where = []
    if status is not None:
        where.append(Document.status == status.value)
    if latest_only:
        where.append(Document.is_latest.is_(True))
    total = session.scalar(select(func.count()).select_from(Document).where(*where)) or 0
    task_count = (
        select(func.count()).where(Task.document_id == Document.id).correlate(Document).scalar_subquery()
    )
    stmt = (
        select(Document, task_count)
        .where(*where)
        .order_by(Document.created_at.desc(), Document.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    rows = [DocumentRow(document, n) for document, n in session.execute(stmt)]
    return DocumentPage(rows, total, page, per_page)


def get_document(session: Session, document_id: int) -> Document:
    document = session.scalars(
        select(Document).where(Document.id == document_id).options(selectinload(Document.sections))
    ).one_or_none()
    if document is None:
        raise NotFound(f"文件 {document_id} 不存在", f"document {document_id} not found")
    return document


def document_tasks(session: Session, document_id: int) -> Sequence[Task]:
    """The tasks drafted from this document, in the order they appear in its text."""
    stmt = (
        select(Task)
        .where(Task.document_id == document_id)
        .order_by(Task.span_start.is_(None), Task.span_start, Task.id)
        .options(selectinload(Task.owners).selectinload(TaskOwner.unit), selectinload(Task.milestones))
    )
    return session.scalars(stmt).all()
