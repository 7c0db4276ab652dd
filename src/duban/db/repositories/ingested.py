"""Documents as ingested, for the pages that review them: the list with task counts, a document's
tasks in reading order, and the owner units its ingest created (the noisy names worth a look).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, selectinload

from duban.db.models import Document, Task, TaskOwner, Unit
from duban.workflow.states import State

__all__ = ["DocumentPage", "DocumentRow", "document_tasks", "list_documents", "new_units", "task_counts"]

MAX_PER_PAGE = 200


@dataclass(frozen=True)
class DocumentRow:
    document: Document
    drafts: int
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


def _counts(session: Session, document_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """(drafts, all tasks but cancelled ones) per document."""
    if not document_ids:
        return {}
    drafts = func.sum(case((Task.status == State.DRAFT.value, 1), else_=0))
    rows = session.execute(
        select(Task.document_id, drafts, func.count())
        .where(Task.document_id.in_(document_ids), Task.status != State.CANCELLED.value)
        .group_by(Task.document_id)
    ).all()
    return {doc_id: (int(d or 0), int(n)) for doc_id, d, n in rows if doc_id is not None}


def list_documents(session: Session, *, page: int = 1, per_page: int = 20) -> DocumentPage:
    """Every stored file version, newest upload first, with its draft and task counts."""
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    total = session.scalar(select(func.count()).select_from(Document)) or 0
    page = max(1, min(page, max(1, math.ceil(total / per_page))))
    documents = session.scalars(
        select(Document)
        .order_by(Document.created_at.desc(), Document.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    counts = _counts(session, [d.id for d in documents])
    rows = [DocumentRow(d, *counts.get(d.id, (0, 0))) for d in documents]
    return DocumentPage(rows, total, page, per_page)


def task_counts(session: Session, document_id: int) -> tuple[int, int]:
    """(drafts, tasks) of one document, cancelled ones not counted."""
    return _counts(session, [document_id]).get(document_id, (0, 0))


def document_tasks(session: Session, document_id: int, statuses: Sequence[State] = ()) -> list[Task]:
    """The document's tasks in reading order, owners and their units loaded."""
    stmt = (
        select(Task)
        .where(Task.document_id == document_id)
        .options(selectinload(Task.owners).selectinload(TaskOwner.unit), selectinload(Task.milestones))
        .order_by(Task.span_start, Task.id)
    )
    if statuses:
        stmt = stmt.where(Task.status.in_([s.value for s in statuses]))
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
