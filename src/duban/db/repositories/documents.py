"""Documents as ingested: the paged list with task counts, one document with its sections, its tasks
in reading order, and the owner units its ingest created (the noisy names worth a look).

Documents are not unit-scoped data: who may read them is decided at the edge
(supervisors and leaders), so nothing here takes a principal.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, selectinload

from duban.db.models import Document, DocumentStatus, Task, TaskOwner, Unit
from duban.db.repositories.paging import Page
from duban.errors import NotFound
from duban.workflow.states import State

__all__ = [
    "MAX_PER_PAGE",
    "DocumentPage",
    "DocumentRow",
    "document_tasks",
    "drafted_count",
    "get_document",
    "list_documents",
    "new_units",
    "task_counts",
]

MAX_PER_PAGE = 200


@dataclass(frozen=True)
class DocumentRow:
    document: Document
    drafts: int  # tasks still in draft
    tasks: int  # every task but cancelled ones
    drafted: int  # every task drafted from it, cancelled ones too


DocumentPage = Page[DocumentRow]


def _counts(session: Session, document_ids: Sequence[int]) -> dict[int, tuple[int, int, int]]:
    """(drafts, tasks but cancelled ones, all tasks) per document."""
    if not document_ids:
        return {}
    drafts = func.sum(case((Task.status == State.DRAFT.value, 1), else_=0))
    live = func.sum(case((Task.status != State.CANCELLED.value, 1), else_=0))
    rows = session.execute(
        select(Task.document_id, drafts, live, func.count())
        .where(Task.document_id.in_(document_ids))
        .group_by(Task.document_id)
    ).all()
    return {doc_id: (int(d or 0), int(n or 0), int(a)) for doc_id, d, n, a in rows if doc_id is not None}


def list_documents(
    session: Session,
    *,
    status: DocumentStatus | None = None,
    latest_only: bool = False,
    page: int = 1,
    per_page: int = 20,
    clamp_page: bool = False,
) -> DocumentPage:
    """Newest upload first, each with its draft and task counts.

    `clamp_page` turns a page past the end into the last one (the web pager);
    without it such a page is simply empty (the API answers what was asked).
    """
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    where = []
    if status is not None:
        where.append(Document.status == status.value)
    if latest_only:
        where.append(Document.is_latest.is_(True))
    total = session.scalar(select(func.count()).select_from(Document).where(*where)) or 0
    page = max(1, min(page, max(1, math.ceil(total / per_page))) if clamp_page else page)
    documents = session.scalars(
        select(Document)
        .where(*where)
        .order_by(Document.created_at.desc(), Document.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    counts = _counts(session, [d.id for d in documents])
    rows = [DocumentRow(d, *counts.get(d.id, (0, 0, 0))) for d in documents]
    return DocumentPage(rows, total, page, per_page)


def task_counts(session: Session, document_id: int) -> tuple[int, int]:
    """(drafts, tasks) of one document, cancelled ones not counted."""
    drafts, tasks, _ = _counts(session, [document_id]).get(document_id, (0, 0, 0))
    return drafts, tasks


def drafted_count(session: Session, document_id: int) -> int:
    """Every task ever drafted from one document, cancelled ones included."""
    return _counts(session, [document_id]).get(document_id, (0, 0, 0))[2]


def get_document(session: Session, document_id: int) -> Document:
    document = session.scalars(
        select(Document).where(Document.id == document_id).options(selectinload(Document.sections))
    ).one_or_none()
    if document is None:
        raise NotFound(f"文件 {document_id} 不存在", f"document {document_id} not found")
    return document


def document_tasks(session: Session, document_id: int) -> list[Task]:
    """The document's tasks in reading order (unplaced ones last), owners and their units loaded."""
    stmt = (
        select(Task)
        .where(Task.document_id == document_id)
        .order_by(Task.span_start.is_(None), Task.span_start, Task.id)
        .options(selectinload(Task.owners).selectinload(TaskOwner.unit), selectinload(Task.milestones))
    )
    return list(session.scalars(stmt).all())


def new_units(session: Session, document: Document) -> list[Unit]:
    """Owner units this document's ingest created: made after its upload and owning its tasks first.

    A unit created by a document parsed in between (even one uploaded later)
    owns an earlier task of that document, so it is not counted here.
    """
    first_task = (
        select(TaskOwner.unit_id, func.min(TaskOwner.task_id).label("task_id"))
        .group_by(TaskOwner.unit_id)
        .subquery()
    )
    stmt = (
        select(Unit)
        .join(first_task, first_task.c.unit_id == Unit.id)
        .join(Task, Task.id == first_task.c.task_id)
        .where(Task.document_id == document.id, Unit.created_at >= document.created_at)
        .order_by(Unit.name)
    )
    return list(session.scalars(stmt).all())
