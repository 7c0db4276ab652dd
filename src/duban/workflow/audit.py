"""The append-only, hash-chained audit log: `record` adds a link, `verify` walks the chain.

Each event's hash covers its own fields and the previous event's hash, so
editing, deleting or reordering any row breaks the chain from that row on.
The single `audit_head` row holds the newest sequence number and hash: an
appender locks it first (UPDATE), which serializes appenders on SQLite and
PostgreSQL alike, and `verify` compares it with the last row, so deleting
the newest events is caught too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from duban import clock
from duban.db.models import AuditEvent, AuditHead

__all__ = ["GENESIS", "Actor", "ChainReport", "jsonable", "record", "record_many", "verify"]

GENESIS = "0" * 64
_HEAD_ID = 1


@dataclass(frozen=True)
class Actor:
    """Who acts: a user (id and name) or the system itself (a scan, an import)."""

    name: str
    user_id: int | None = None

    @classmethod
    def system(cls, what: str = "system") -> Actor:
        return cls(name=what)


def jsonable(value: Any) -> Any:
    """A JSON-safe copy of `value`: dates as ISO strings, enums as values, Decimals as floats."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [jsonable(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _digest(event: AuditEvent) -> str:
    """SHA-256 over the event's fields and the previous event's hash, in canonical JSON."""
    body = {
        "seq": event.seq,
        # Microseconds are dropped: not every database keeps them the same way.
        "at": event.at.astimezone(dt.UTC).replace(microsecond=0).isoformat(),
        "actor_id": event.actor_id,
        "actor": event.actor,
        "action": event.action,
        "entity": event.entity,
        "entity_id": event.entity_id,
        "before": event.before,
        "after": event.after,
        "reason": event.reason,
        "prev": event.prev_hash,
    }
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _lock_head(session: Session) -> AuditHead:
    """Lock and return the head row, creating it on first use."""
    locked = session.execute(
        update(AuditHead).where(AuditHead.id == _HEAD_ID).values(last_seq=AuditHead.last_seq)
    ).rowcount  # type: ignore[attr-defined]
    if not locked:
        session.add(AuditHead(id=_HEAD_ID, last_seq=0, last_hash=GENESIS))
        session.flush()
    head = session.execute(
        select(AuditHead).where(AuditHead.id == _HEAD_ID).execution_options(populate_existing=True)
    ).scalar_one()
    return head


def record(
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: int | None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
    at: dt.datetime | None = None,
) -> AuditEvent:
    """Append one event in the caller's transaction (the caller commits with the change itself)."""
    head = _lock_head(session)
    at = (at or clock.now()).replace(microsecond=0)
    seq = head.last_seq + 1
    event = AuditEvent(
        seq=seq,
        at=at,
        actor_id=actor.user_id,
        actor=actor.name,
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=jsonable(before),
        after=jsonable(after),
        reason=reason,
        prev_hash=head.last_hash,
    )
    event.hash = digest = _digest(event)
    session.add(event)
    head.last_seq, head.last_hash = seq, digest
    session.flush()
    return event


def record_many(
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    items: Sequence[tuple[int | None, dict[str, Any] | None]],
    *,
    at: dt.datetime | None = None,
) -> list[AuditEvent]:
    """Append one event per (entity_id, after) in the caller's transaction, locking the head once.

    The chain is the same as `record` called for each item in turn; a bulk import of
    thousands of tasks so pays one lock and one flush instead of one per task.
    """
    if not items:
        return []
    head = _lock_head(session)
    at = (at or clock.now()).replace(microsecond=0)
    seq, prev = head.last_seq, head.last_hash
    events = []
    for entity_id, after in items:
        seq += 1
        event = AuditEvent(
            seq=seq,
            at=at,
            actor_id=actor.user_id,
            actor=actor.name,
            action=action,
            entity=entity,
            entity_id=entity_id,
            before=None,
            after=jsonable(after),
            reason=None,
            prev_hash=prev,
        )
        event.hash = prev = _digest(event)
        events.append(event)
    session.add_all(events)
    head.last_seq, head.last_hash = seq, prev
    session.flush()
    return events


@dataclass(frozen=True)
class ChainReport:
    """The result of `verify`: how many events were checked and the first broken link, if any."""

    checked: int
    broken_seq: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_seq is None and self.problem is None


def _events(session: Session, batch: int = 5000) -> Iterator[AuditEvent]:
    last_id = -1
    while True:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id
        session.expunge_all()


def verify(session: Session) -> ChainReport:
    """Walk the chain in insertion order; report the first event that does not link or hash."""
    expected_prev, expected_seq, checked = GENESIS, 1, 0
    for event in _events(session):
        if event.seq != expected_seq:
            return ChainReport(checked, expected_seq, f"expected event #{expected_seq}, found #{event.seq}")
        if event.prev_hash != expected_prev:
            return ChainReport(checked, event.seq, f"event #{event.seq} does not link to the one before it")
        digest = _digest(event)
        if digest != event.hash:
            return ChainReport(checked, event.seq, f"event #{event.seq} was changed after it was written")
        expected_prev, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
    head = session.get(AuditHead, _HEAD_ID)
    if head is not None and (head.last_seq != checked or head.last_hash != expected_prev):
        return ChainReport(
            checked, checked + 1, f"the log ends at #{checked} but {head.last_seq} events were written"
        )
    return ChainReport(checked)
