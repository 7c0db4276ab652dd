"""The notification outbox: services write a message here in the same transaction as the change.

The in-app inbox (`db.repositories.inbox`) reads these rows directly, so a
message is there as soon as the change commits. Webhooks and e-mail go out
later, on the worker (`workflow.delivery`: status `sent` here means handed
to the unit's channels, each with its own delivery record), so a slow or
broken channel never blocks or rolls back the workflow. One message per
addressee unit (or user); no unit and no user means the 督查室.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from duban import clock
from duban.db.models import OutboxMessage

__all__ = ["MessageKind", "enqueue", "enqueue_for_units", "message_row"]


class MessageKind(StrEnum):
    ASSIGNED = "assigned"
    REMINDER = "reminder"
    RETURNED = "returned"
    EXTENSION = "extension"
    INSTRUCTION = "instruction"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    MessageKind.ASSIGNED: "新交办任务",
    MessageKind.REMINDER: "催办提醒",
    MessageKind.RETURNED: "任务被退回",
    MessageKind.EXTENSION: "延期申请",
    MessageKind.INSTRUCTION: "领导批示",
    MessageKind.SUBMITTED: "申请办结待验收",
    MessageKind.ACCEPTED: "任务已验收办结",
    MessageKind.CANCELLED: "任务已撤销",
}


def message_row(
    kind: MessageKind,
    title: str,
    body: str,
    now: dt.datetime,
    *,
    task_id: int | None = None,
    unit_id: int | None = None,
    user_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The column values of one pending message: for `enqueue`, and for bulk inserts of many."""
    return {
        "kind": kind.value,
        "task_id": task_id,
        "unit_id": unit_id,
        "user_id": user_id,
        "title": title,
        "body": body,
        "payload": payload or {},
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "last_error": None,
        "created_at": now,
        "sent_at": None,
    }


def enqueue(
    session: Session,
    kind: MessageKind,
    title: str,
    body: str,
    *,
    task_id: int | None = None,
    unit_id: int | None = None,
    user_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> OutboxMessage:
    row = message_row(
        kind, title, body, clock.now(), task_id=task_id, unit_id=unit_id, user_id=user_id, payload=payload
    )
    message = OutboxMessage(**row)
    session.add(message)
    return message


def enqueue_for_units(
    session: Session,
    kind: MessageKind,
    title: str,
    body: str,
    unit_ids: Iterable[int],
    *,
    task_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> list[OutboxMessage]:
    """One message per distinct unit, in the order given."""
    return [
        enqueue(session, kind, title, body, task_id=task_id, unit_id=unit_id, payload=payload)
        for unit_id in dict.fromkeys(unit_ids)
    ]
