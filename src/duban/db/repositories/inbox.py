"""The in-app inbox (消息): outbox messages addressed to a user, newest first, with read marks.

The inbox reads the outbox directly, so a message is there the moment the
workflow change that wrote it commits; the worker only carries copies to
webhooks and e-mail. Who is addressed:

- a unit user: messages to their unit (without a named user), and to them;
- a supervisor: messages to no unit and no user (the 督查室: 待验收, 延期申请,
  领导批示), and to them;
- anyone else (leaders): messages to them by name.

Read state is a per-user mark (`inbox_cursors.read_through_id`: 全部已读
moves it) plus one row per message read above it (`inbox_reads`), so
"all read" is one row however long the history is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, case, delete, exists, false, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from duban import clock
from duban.db.models import InboxCursor, InboxRead, OutboxMessage, UserRole
from duban.db.repositories.paging import Page
from duban.errors import NotFound
from duban.workflow.principal import Principal

__all__ = [
    "UNREAD_CAP",
    "InboxItem",
    "addressed_to",
    "inbox_page",
    "mark_all_read",
    "mark_read",
    "unread_count",
]

MAX_PER_PAGE = 100
# The badge says "99+" beyond this: counting a unit's whole unread history on every page is wasted work.
UNREAD_CAP = 100


@dataclass(frozen=True)
class InboxItem:
    id: int
    kind: str
    title: str
    body: str
    task_id: int | None
    created_at: dt.datetime
    read: bool


def addressed_to(principal: Principal) -> ColumnElement[bool]:
    """The outbox rows this user's inbox shows."""
    personal = OutboxMessage.user_id == principal.user_id if principal.user_id is not None else false()
    if principal.role is UserRole.SUPERVISOR:
        office = and_(OutboxMessage.unit_id.is_(None), OutboxMessage.user_id.is_(None))
        return or_(office, personal)
    if principal.role is UserRole.UNIT and principal.unit_id is not None:
        unit = and_(OutboxMessage.unit_id == principal.unit_id, OutboxMessage.user_id.is_(None))
        return or_(unit, personal)
    return personal


def _cursor(session: Session, user_id: int) -> int:
    value = session.scalar(select(InboxCursor.read_through_id).where(InboxCursor.user_id == user_id))
    return value or 0


def _unread(user_id: int, cursor: int) -> ColumnElement[bool]:
    marked = exists().where(InboxRead.user_id == user_id, InboxRead.message_id == OutboxMessage.id)
    return and_(OutboxMessage.id > cursor, ~marked)


def _user_id(principal: Principal) -> int:
    if principal.user_id is None:
        raise NotFound("只有登录用户有消息", "the inbox belongs to a signed-in user")
    return principal.user_id


def inbox_page(
    session: Session, principal: Principal, *, unread_only: bool = False, page: int = 1, per_page: int = 20
) -> Page[InboxItem]:
    user_id = _user_id(principal)
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    page = max(1, page)
    unread = _unread(user_id, _cursor(session, user_id))
    where = [addressed_to(principal)]
    if unread_only:
        where.append(unread)
    total = session.scalar(select(func.count()).select_from(OutboxMessage).where(*where)) or 0
    rows = session.execute(
        select(
            OutboxMessage.id,
            OutboxMessage.kind,
            OutboxMessage.title,
            OutboxMessage.body,
            OutboxMessage.task_id,
            OutboxMessage.created_at,
            case((unread, False), else_=True).label("read"),
        )
        .where(*where)
        .order_by(OutboxMessage.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    items = [
        InboxItem(
            id=r.id,
            kind=r.kind,
            title=r.title,
            body=r.body,
            task_id=r.task_id,
            created_at=r.created_at,
            read=bool(r.read),
        )
        for r in rows
    ]
    return Page(rows=items, total=total, page=page, per_page=per_page)


def unread_count(session: Session, principal: Principal, cap: int = UNREAD_CAP) -> int:
    """Unread messages, counted up to `cap` (one indexed query)."""
    if principal.user_id is None:
        return 0
    unread = _unread(principal.user_id, _cursor(session, principal.user_id))
    capped = select(OutboxMessage.id).where(addressed_to(principal), unread).limit(cap).subquery()
    return session.scalar(select(func.count()).select_from(capped)) or 0


def _dialect_insert(
    session: Session, model: type[InboxRead] | type[InboxCursor]
) -> postgresql.Insert | sqlite.Insert:
    """INSERT with ON CONFLICT, which both databases have (as `insert ... on conflict`)."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)


def mark_read(session: Session, principal: Principal, message_id: int) -> InboxItem:
    """Mark one message read (again is fine); NotFound if it is not in this user's inbox."""
    user_id = _user_id(principal)
    found = session.scalar(
        select(OutboxMessage).where(OutboxMessage.id == message_id, addressed_to(principal))
    )
    if found is None:
        raise NotFound(f"消息 {message_id} 不存在", f"message {message_id} not in this inbox")
    if found.id > _cursor(session, user_id):
        session.execute(
            _dialect_insert(session, InboxRead)
            .values(user_id=user_id, message_id=found.id, read_at=clock.now())
            .on_conflict_do_nothing(index_elements=["user_id", "message_id"])
        )
    return InboxItem(
        id=found.id,
        kind=found.kind,
        title=found.title,
        body=found.body,
        task_id=found.task_id,
        created_at=found.created_at,
        read=True,
    )


def mark_all_read(session: Session, principal: Principal) -> int:
    """全部已读: move the read-through mark to the newest message; returns how many were unread."""
    user_id = _user_id(principal)
    cursor = _cursor(session, user_id)
    addressed = addressed_to(principal)
    newest = session.scalar(select(func.max(OutboxMessage.id)).where(addressed))
    if newest is None or newest <= cursor:
        return 0
    unread = (
        session.scalar(
            select(func.count()).select_from(OutboxMessage).where(addressed, _unread(user_id, cursor))
        )
        or 0
    )
    statement = _dialect_insert(session, InboxCursor).values(
        user_id=user_id, read_through_id=newest, updated_at=clock.now()
    )
    # Two "all read" clicks racing: the mark only ever moves forward.
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["user_id"],
            set_={
                "read_through_id": case(
                    (
                        statement.excluded.read_through_id > InboxCursor.read_through_id,
                        statement.excluded.read_through_id,
                    ),
                    else_=InboxCursor.read_through_id,
                ),
                "updated_at": statement.excluded.updated_at,
            },
        )
    )
    session.execute(delete(InboxRead).where(InboxRead.user_id == user_id, InboxRead.message_id <= newest))
    return unread
