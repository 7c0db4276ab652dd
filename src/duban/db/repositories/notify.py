"""Queries behind the supervisor's notification pages: channels, deliveries and their counts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, selectinload

from duban.db.models import Delivery, NotifyChannel, OutboxMessage, Unit
from duban.db.repositories.paging import Page
from duban.errors import NotFound

__all__ = [
    "OFFICE",
    "DeliveryRow",
    "count_deliveries",
    "get_channel",
    "list_channels",
    "list_deliveries",
    "open_deliveries_by_channel",
]

# What a channel without a unit is called: the supervision office's own group or mailbox.
OFFICE = "督查室"
MAX_PER_PAGE = 200


def get_channel(session: Session, channel_id: int) -> NotifyChannel:
    channel = session.scalar(
        select(NotifyChannel).where(NotifyChannel.id == channel_id).options(selectinload(NotifyChannel.unit))
    )
    if channel is None:
        raise NotFound(f"通知通道 {channel_id} 不存在", f"channel {channel_id} not found")
    return channel


def list_channels(
    session: Session, *, unit_id: int | None = None, office: bool = False
) -> Sequence[NotifyChannel]:
    """Every channel, the 督查室's first, then by unit name; or one unit's (or only the office's)."""
    stmt = (
        select(NotifyChannel)
        .outerjoin(Unit, Unit.id == NotifyChannel.unit_id)
        .options(selectinload(NotifyChannel.unit))
        .order_by(NotifyChannel.unit_id.is_not(None), Unit.name, NotifyChannel.id)
    )
    if office:
        stmt = stmt.where(NotifyChannel.unit_id.is_(None))
    elif unit_id is not None:
        stmt = stmt.where(NotifyChannel.unit_id == unit_id)
    return session.scalars(stmt).all()


@dataclass(frozen=True)
class DeliveryRow:
    id: int
    status: str
    attempts: int
    next_attempt_at: dt.datetime
    last_error: str | None
    created_at: dt.datetime
    sent_at: dt.datetime | None
    channel_id: int
    channel_name: str
    channel_kind: str
    unit_name: str
    message_id: int
    title: str
    task_id: int | None


def list_deliveries(
    session: Session,
    statuses: Sequence[str] = ("failed", "pending"),
    *,
    channel_id: int | None = None,
    delivery_id: int | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page[DeliveryRow]:
    """Deliveries in `statuses`, failed ones first, then by next try (pending) or newest."""
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    page = max(1, page)
    where: list[ColumnElement[bool]] = [Delivery.status.in_(list(statuses))]
    if channel_id is not None:
        where.append(Delivery.channel_id == channel_id)
    if delivery_id is not None:
        where.append(Delivery.id == delivery_id)
    total = session.scalar(select(func.count()).select_from(Delivery).where(*where)) or 0
    rows = session.execute(
        select(
            Delivery.id,
            Delivery.status,
            Delivery.attempts,
            Delivery.next_attempt_at,
            Delivery.last_error,
            Delivery.created_at,
            Delivery.sent_at,
            Delivery.channel_id,
            NotifyChannel.name.label("channel_name"),
            NotifyChannel.kind.label("channel_kind"),
            Unit.name.label("unit_name"),
            Delivery.message_id,
            OutboxMessage.title,
            OutboxMessage.task_id,
        )
        .join(NotifyChannel, NotifyChannel.id == Delivery.channel_id)
        .join(OutboxMessage, OutboxMessage.id == Delivery.message_id)
        .outerjoin(Unit, Unit.id == NotifyChannel.unit_id)
        .where(*where)
        .order_by(Delivery.status != "failed", Delivery.next_attempt_at, Delivery.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    items = [
        DeliveryRow(
            id=r.id,
            status=r.status,
            attempts=r.attempts,
            next_attempt_at=r.next_attempt_at,
            last_error=r.last_error,
            created_at=r.created_at,
            sent_at=r.sent_at,
            channel_id=r.channel_id,
            channel_name=r.channel_name,
            channel_kind=r.channel_kind,
            unit_name=r.unit_name or OFFICE,
            message_id=r.message_id,
            title=r.title,
            task_id=r.task_id,
        )
        for r in rows
    ]
    return Page(rows=items, total=total, page=page, per_page=per_page)


def count_deliveries(session: Session, status: str = "failed") -> int:
    """Deliveries in one status: the supervisor's warning counts failed ones (index on status)."""
    return session.scalar(select(func.count()).select_from(Delivery).where(Delivery.status == status)) or 0


def open_deliveries_by_channel(session: Session) -> dict[int, dict[str, int]]:
    """Per channel: how many deliveries are failed and how many still pending."""
    counts: dict[int, dict[str, int]] = {}
    for channel_id, status, count in session.execute(
        select(Delivery.channel_id, Delivery.status, func.count())
        .where(Delivery.status.in_(["failed", "pending"]))
        .group_by(Delivery.channel_id, Delivery.status)
    ):
        counts.setdefault(channel_id, {"failed": 0, "pending": 0})[status] = count
    return counts
