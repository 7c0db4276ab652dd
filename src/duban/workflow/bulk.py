"""批量交办: assign many drafted tasks in one transaction, each on its own savepoint.

One task that cannot be assigned (no owner unit, already assigned, changed
meanwhile) must not undo the others, and the supervisor must learn why it
failed: each assign runs in a savepoint that alone rolls back on a domain
error, and the error's message is kept for the report. The caller commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from duban.errors import DomainError
from duban.workflow.principal import Principal
from duban.workflow.service import TaskChanges, assign

__all__ = ["BulkResult", "assign_many"]


@dataclass
class BulkResult:
    assigned: list[int] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)


def assign_many(
    session: Session, principal: Principal, task_ids: Iterable[int], *, deadline: dt.date | None = None
) -> BulkResult:
    """交办 each task (with `deadline` if given); failures are reported, not raised."""
    changes = TaskChanges(deadline=deadline) if deadline is not None else None
    result = BulkResult()
    for task_id in dict.fromkeys(task_ids):
        try:
            with session.begin_nested():
                assign(session, principal, task_id, changes)
        except DomainError as exc:
            result.failed.append((task_id, exc.message_zh))
        else:
            result.assigned.append(task_id)
    return result
