"""What the ledger's filter menus offer, and source-document names for ledger rows.

Every menu is drawn from the tasks the principal can see, so a unit user's
menus never name another unit's leaders or documents.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, load_only

from duban.db.models import Document, Task, TaskOwner, Unit
from duban.db.repositories.task_detail import document_label
from duban.db.repositories.tasks import visible_to
from duban.workflow.principal import Principal

__all__ = ["LedgerChoices", "all_units", "document_labels", "ledger_choices"]

# A menu longer than this is no longer a menu; the search box covers the rest.
MAX_CHOICES = 500
# Names only: a document row also holds its full text, which a menu does not need.
_LABEL_COLUMNS = load_only(Document.id, Document.title, Document.filename, Document.doc_number)


@dataclass(frozen=True)
class LedgerChoices:
    units: list[tuple[int, str]]
    leaders: list[str]
    documents: list[tuple[int, str]]


def ledger_choices(session: Session, principal: Principal) -> LedgerChoices:
    visible = select(Task.id).where(visible_to(principal))
    units = session.execute(
        select(Unit.id, Unit.name)
        .where(Unit.id.in_(select(TaskOwner.unit_id).where(TaskOwner.task_id.in_(visible))))
        .order_by(Unit.name)
        .limit(MAX_CHOICES)
    ).all()
    leaders = session.scalars(
        select(Task.leader_name)
        .where(visible_to(principal), Task.leader_name.is_not(None))
        .distinct()
        .order_by(Task.leader_name)
        .limit(MAX_CHOICES)
    ).all()
    documents = session.scalars(
        select(Document)
        .where(Document.id.in_(select(Task.document_id).where(visible_to(principal))))
        .order_by(Document.id.desc())
        .limit(MAX_CHOICES)
        .options(_LABEL_COLUMNS)
    ).all()
    return LedgerChoices(
        units=[(unit_id, name) for unit_id, name in units],
        leaders=[name for name in leaders if name],
        documents=[(d.id, document_label(d)) for d in documents],
    )


def all_units(session: Session) -> list[tuple[int, str]]:
    """Active units by name: the choices when the supervisor sets a task's owners."""
    rows = session.execute(select(Unit.id, Unit.name).where(Unit.active.is_(True)).order_by(Unit.name))
    return [(unit_id, name) for unit_id, name in rows]


def document_labels(session: Session, document_ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in document_ids if i is not None}
    if not wanted:
        return {}
    documents = session.scalars(select(Document).where(Document.id.in_(wanted)).options(_LABEL_COLUMNS))
    return {d.id: document_label(d) for d in documents}
