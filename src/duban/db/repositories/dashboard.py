"""The dashboard's figures: overdue tasks by unit, completions per week, the most overdue tasks, recent activity.

Everything is seen through `visible_to(principal)`, so a unit user's
dashboard counts only tasks one of whose owners is their unit, and the
by-unit chart shows only their own unit. "Overdue" here means handed out
(已交办 to 待验收) and past its deadline: a draft has no responsible unit
yet, so it is nobody's lateness (the stat cards, which count every light,
still show drafts). Units are charged as 牵头/责任 owners, like the ranking
(`workflow.scoring`): a 配合 unit cannot finish the task.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Date, and_, func, literal, select
from sqlalchemy.orm import Session, aliased, selectinload

from duban.db.models import AuditEvent, Task, TaskOwner, Unit, UserRole
from duban.db.repositories.tasks import visible_to
from duban.workflow.principal import Principal
from duban.workflow.scoring import SCORED_ROLES, shanghai_date
from duban.workflow.states import Action, State

__all__ = [
    "HANDED_OUT",
    "Activity",
    "OverdueTask",
    "UnitOverdue",
    "WeekCount",
    "overdue_by_unit",
    "recent_activity",
    "top_overdue",
    "weekly_completions",
]

HANDED_OUT = (State.ASSIGNED.value, State.IN_PROGRESS.value, State.SUBMITTED.value)
TREND_WEEKS = 12


@dataclass(frozen=True)
class UnitOverdue:
    unit_id: int
    unit_name: str
    overdue: int


@dataclass(frozen=True)
class WeekCount:
    """One ISO week (Monday to Sunday, Asia/Shanghai dates) and the tasks accepted in it."""

    start: dt.date
    done: int

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=6)

    @property
    def label(self) -> str:
        year, week, _ = self.start.isocalendar()
        return f"{year}年第{week}周"

    @property
    def short_label(self) -> str:
        return f"{self.start.month}/{self.start.day}"


@dataclass(frozen=True)
class OverdueTask:
    task_id: int
    text: str
    status: State
    deadline: dt.date
    days_late: int
    units: list[str]


# Task events written outside the user actions of `workflow.states.Action`.
_OTHER_EVENTS = {"draft": "生成草稿", "spawn": "生成周期任务"}


@dataclass(frozen=True)
class Activity:
    at: dt.datetime
    actor: str
    action: str
    task_id: int
    task_text: str
    reason: str | None

    @property
    def label(self) -> str:
        if self.action in Action.__members__.values():
            return Action(self.action).label
        return _OTHER_EVENTS.get(self.action, self.action)


def _overdue(today: dt.date) -> ColumnElement[bool]:
    return and_(Task.status.in_(HANDED_OUT), Task.deadline < literal(today, Date()))


def overdue_by_unit(session: Session, principal: Principal, today: dt.date) -> list[UnitOverdue]:
    """Units with overdue tasks as lead or responsible owner, most overdue first."""
    # The owner rows are aliased so visible_to's own EXISTS over task_owners correlates only to tasks.
    owner = aliased(TaskOwner)
    stmt = (
        select(Unit.id, Unit.name, func.count(func.distinct(Task.id)))
        .select_from(owner)
        .join(Task, Task.id == owner.task_id)
        .join(Unit, Unit.id == owner.unit_id)
        .where(owner.role.in_(SCORED_ROLES), visible_to(principal), _overdue(today))
        .group_by(Unit.id, Unit.name)
    )
    if principal.role is UserRole.UNIT:
        stmt = stmt.where(Unit.id == principal.unit_id)
    rows = [UnitOverdue(unit_id, name, int(n)) for unit_id, name, n in session.execute(stmt)]
    return sorted(rows, key=lambda r: (-r.overdue, r.unit_name))


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def weekly_completions(
    session: Session, principal: Principal, today: dt.date, weeks: int = TREND_WEEKS
) -> list[WeekCount]:
    """Tasks accepted (done) per ISO week for the last `weeks` weeks up to today's, empty weeks included.

    The day a task was done is the Shanghai date of `done_at`; the database
    groups by day (at most 7 × weeks rows) and the weeks are summed here.
    """
    first = _monday(today) - dt.timedelta(weeks=weeks - 1)
    done_on = shanghai_date(Task.done_at)
    stmt = (
        select(done_on, func.count())
        .where(
            visible_to(principal),
            Task.status == State.DONE.value,
            Task.done_at.is_not(None),
            done_on >= literal(first, Date()),
            done_on <= literal(today, Date()),
        )
        .group_by(done_on)
    )
    per_week: Counter[dt.date] = Counter()
    for day, n in session.execute(stmt):
        if isinstance(day, str):  # a driver that hands dates back as text
            day = dt.date.fromisoformat(day)
        per_week[_monday(day)] += int(n)
    starts = [first + dt.timedelta(weeks=i) for i in range(weeks)]
    return [WeekCount(start, per_week[start]) for start in starts]


def top_overdue(session: Session, principal: Principal, today: dt.date, limit: int = 10) -> list[OverdueTask]:
    """The handed-out tasks most days past their deadline (oldest deadline first)."""
    stmt = (
        select(Task)
        .where(visible_to(principal), _overdue(today))
        .order_by(Task.deadline, Task.id)
        .limit(limit)
        .options(selectinload(Task.owners).selectinload(TaskOwner.unit))
    )
    result = []
    for task in session.scalars(stmt):
        assert task.deadline is not None
        result.append(
            OverdueTask(
                task_id=task.id,
                text=task.text,
                status=State(task.status),
                deadline=task.deadline,
                days_late=(today - task.deadline).days,
                units=[o.unit.name for o in sorted(task.owners, key=lambda o: o.position)],
            )
        )
    return result


def recent_activity(session: Session, principal: Principal, limit: int = 10) -> list[Activity]:
    """The newest audit events on tasks this principal can see."""
    stmt = (
        select(AuditEvent, Task.id, Task.text)
        .join(Task, Task.id == AuditEvent.entity_id)
        .where(AuditEvent.entity == "task", visible_to(principal))
        .order_by(AuditEvent.seq.desc())
        .limit(limit)
    )
    return [
        Activity(at=e.at, actor=e.actor, action=e.action, task_id=task_id, task_text=text, reason=e.reason)
        for e, task_id, text in session.execute(stmt)
    ]
