"""Reading the audit log: the newest events, optionally for one entity."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from duban.db.models import AuditEvent

__all__ = ["list_events"]


def list_events(
    session: Session, *, entity: str | None = None, entity_id: int | None = None, limit: int = 50
) -> Sequence[AuditEvent]:
    """Up to `limit` events, newest first; filtered by entity kind and, if given, its id."""
    stmt = select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(limit)
    if entity is not None:
        stmt = stmt.where(AuditEvent.entity == entity)
    if entity_id is not None:
        stmt = stmt.where(AuditEvent.entity_id == entity_id)
    return session.scalars(stmt).all()
