"""A small ledger for the report tests: tasks with deadlines, hand-out and completion days (Shanghai noon)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from duban.db.models import Milestone, OwnerRole, Task
from tests.personas import add_task

TODAY = dt.date(2026, 11, 22)
NOW = dt.datetime(2026, 11, 22, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai, a Sunday


def noon(day: dt.date) -> dt.datetime:
    """Noon in Shanghai on `day`, as UTC."""
    return dt.datetime(day.year, day.month, day.day, 4, 0, tzinfo=dt.UTC)


def task(
    session: Session,
    unit: int,
    deadline: dt.date,
    *,
    status: str = "in_progress",
    done: dt.date | None = None,
    assigned: dt.date | None = None,
    role: OwnerRole = OwnerRole.LEAD,
    others: list[tuple[int, OwnerRole]] | None = None,
    text: str = "推进重点项目建设。",
    leader: str | None = None,
    milestones: list[tuple[dt.date, str]] | None = None,
) -> Task:
    if done is not None:
        status = "done"
    row = add_task(
        session, status=status, owners=[(unit, role), *(others or [])], deadline=deadline, text=text
    )
    row.assigned_at = noon(assigned or deadline - dt.timedelta(days=30)) if status != "draft" else None
    row.done_at = noon(done) if done is not None else None
    row.leader_name = leader
    for due, what in milestones or []:
        row.milestones.append(Milestone(due=due, text=what))
    session.flush()
    return row
