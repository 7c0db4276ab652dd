"""Recurring tasks (`每季度组织开展一次检查评比`): each period gets its own instance to supervise.

Design:

- The task drafted from the document, with `recurrence` set and no
  parent, is the standing *template*. The supervisor confirms and assigns
  it like any task; from then on (state assigned or in_progress) it is live
  and spawns. Draft, submitted, done and cancelled templates do not.
- An *instance* is a new task with `parent_id` = the template, `period_start`
  / `period_end` = the period containing the day of the run, and
  `recurrence` None (an instance never spawns). It copies the template's
  text, source document and span, kind, leader and owner units with their
  roles. It does not copy milestones (dates of the standing decision) or
  money (`amount_yuan`: summing instances would count it once per period).
- The instance's deadline is the last day of its period (`每季度一次` is
  done when the quarter is over), or the template's own deadline when that
  comes earlier (the standing duty ends inside this period). A template
  whose deadline is before the period started, or whose start date is after
  the period ends, spawns nothing for it.
- Instances start assigned (交办 by the system: the supervisor already
  assigned the template), with an audit event and an ASSIGNED message to
  each owner unit.
- At most one instance per template per period: `spawn_due` skips
  templates that already have an instance with that `period_start`, and
  locks each template row before checking, so two runs at once do not both
  spawn. Running it late (the worker was down on the 1st) still spawns the
  current period's instance; periods that have fully passed are not
  back-filled.

Periods: weekly = Monday to Sunday (ISO weeks, so 2026-12-28..2027-01-03
is one week), monthly, quarterly, semiannual (January–June, July–December),
annual (calendar year).
"""

from __future__ import annotations

import calendar
import datetime as dt
from enum import StrEnum

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased

from duban import clock
from duban.db.models import Task, TaskOwner
from duban.search.index import index_tasks
from duban.workflow import audit
from duban.workflow.notify import MessageKind, enqueue_for_units
from duban.workflow.states import State

__all__ = [
    "LIVE_TEMPLATE_STATES",
    "Recurrence",
    "instance_deadline",
    "period_containing",
    "period_label",
    "spawn_due",
]

# A template spawns while the units hold it: the supervisor has confirmed and assigned it.
LIVE_TEMPLATE_STATES = (State.ASSIGNED.value, State.IN_PROGRESS.value)

SYSTEM_ACTOR = audit.Actor.system("周期任务")

_CN_QUARTERS = "一二三四"


class Recurrence(StrEnum):
    """The rhythms `duban.ingest.extract.dates.recurrence` recognises; the value is what Task.recurrence stores."""

    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    SEMIANNUAL = "semiannual"
    ANNUAL = "annual"

    @property
    def label(self) -> str:
        return {
            "weekly": "每周",
            "monthly": "每月",
            "quarterly": "每季度",
            "semiannual": "每半年",
            "annual": "每年",
        }[self.value]


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def period_containing(day: dt.date, recurrence: Recurrence | str) -> tuple[dt.date, dt.date]:
    """The first and last day of the `recurrence` period that contains `day` (both inclusive)."""
    rhythm = Recurrence(recurrence)
    if rhythm is Recurrence.WEEKLY:
        start = day - dt.timedelta(days=day.weekday())
        return start, start + dt.timedelta(days=6)
    if rhythm is Recurrence.MONTHLY:
        return day.replace(day=1), _month_end(day.year, day.month)
    if rhythm is Recurrence.QUARTERLY:
        first = 3 * ((day.month - 1) // 3) + 1
        return dt.date(day.year, first, 1), _month_end(day.year, first + 2)
    if rhythm is Recurrence.SEMIANNUAL:
        first = 1 if day.month <= 6 else 7
        return dt.date(day.year, first, 1), _month_end(day.year, first + 5)
    return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)


def period_label(start: dt.date, recurrence: Recurrence | str) -> str:
    """How users name the period that begins on `start`: `2026年第四季度`, `2027年1月`, `2026年下半年`."""
    rhythm = Recurrence(recurrence)
    if rhythm is Recurrence.WEEKLY:
        year, week, _ = start.isocalendar()
        end = start + dt.timedelta(days=6)
        return f"{year}年第{week}周（{start.month}月{start.day}日至{end.month}月{end.day}日）"
    if rhythm is Recurrence.MONTHLY:
        return f"{start.year}年{start.month}月"
    if rhythm is Recurrence.QUARTERLY:
        return f"{start.year}年第{_CN_QUARTERS[(start.month - 1) // 3]}季度"
    if rhythm is Recurrence.SEMIANNUAL:
        return f"{start.year}年{'上' if start.month <= 6 else '下'}半年"
    return f"{start.year}年度"


def instance_deadline(template_deadline: dt.date | None, period_end: dt.date) -> dt.date:
    """The period's last day, or the template's deadline when the standing duty ends sooner."""
    if template_deadline is not None and template_deadline < period_end:
        return template_deadline
    return period_end


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _due_templates(session: Session, rhythm: Recurrence, start: dt.date, end: dt.date) -> list[Task]:
    """Live templates of `rhythm` with no instance for the period beginning on `start`."""
    instance = aliased(Task)
    statement = (
        select(Task)
        .where(
            Task.parent_id.is_(None),
            Task.recurrence == rhythm.value,
            Task.status.in_(LIVE_TEMPLATE_STATES),
            (Task.deadline.is_(None)) | (Task.deadline >= start),
            (Task.start_date.is_(None)) | (Task.start_date <= end),
            ~exists().where(instance.parent_id == Task.id, instance.period_start == start),
        )
        .order_by(Task.id)
        # On PostgreSQL a second run blocks here until the first commits; on SQLite BEGIN IMMEDIATE
        # already serializes writers.
        .with_for_update(of=Task)
    )
    return list(session.scalars(statement).all())


def _has_instance(session: Session, template_id: int, start: dt.date) -> bool:
    return (
        session.scalar(
            select(Task.id).where(Task.parent_id == template_id, Task.period_start == start).limit(1)
        )
        is not None
    )


def _spawn_one(
    session: Session, template: Task, rhythm: Recurrence, start: dt.date, end: dt.date, now: dt.datetime
) -> Task:
    deadline = instance_deadline(template.deadline, end)
    instance = Task(
        document_id=template.document_id,
        section_id=template.section_id,
        span_start=template.span_start,
        span_end=template.span_end,
        text=template.text,
        kind=template.kind,
        status=State.ASSIGNED.value,
        version=1,
        confirmed=True,
        leader_name=template.leader_name,
        leader_person_id=template.leader_person_id,
        start_date=start,
        deadline=deadline,
        deadline_confirmed=True,
        recurrence=None,
        period_start=start,
        period_end=end,
        parent_id=template.id,
        created_at=now,
        updated_at=now,
        assigned_at=now,
        owners=[
            TaskOwner(unit_id=owner.unit_id, role=owner.role, position=owner.position)
            for owner in template.owners
        ],
    )
    session.add(instance)
    session.flush()
    index_tasks(session, [instance.id])

    label = period_label(start, rhythm)
    unit_ids = [owner.unit_id for owner in instance.owners]
    audit.record(
        session,
        SYSTEM_ACTOR,
        "spawn",
        "task",
        instance.id,
        after={
            "parent_id": template.id,
            "recurrence": rhythm.value,
            "period_start": start,
            "period_end": end,
            "deadline": deadline,
            "status": instance.status,
            "owners": [{"unit_id": o.unit_id, "role": o.role} for o in instance.owners],
        },
        reason=f"周期任务（{rhythm.label}）自动生成{label}任务",
        at=now,
    )
    short = _short(template.text)
    enqueue_for_units(
        session,
        MessageKind.ASSIGNED,
        f"【交办】“{short}”{label}",
        f"周期任务“{short}”（{rhythm.label}）已生成{label}任务，"
        f"请于{deadline.year}年{deadline.month}月{deadline.day}日前办结并反馈办理情况。",
        unit_ids,
        task_id=instance.id,
        payload={
            "parent_id": template.id,
            "period_start": start.isoformat(),
            "period_end": end.isoformat(),
            "deadline": deadline.isoformat(),
        },
    )
    return instance


def spawn_due(session: Session, today: dt.date) -> list[Task]:
    """Spawn this period's instance of every live template that lacks one; flush, never commit.

    Returns the new instances (owners loaded), ordered by template and rhythm.
    """
    now = clock.now()
    spawned: list[Task] = []
    for rhythm in Recurrence:
        start, end = period_containing(today, rhythm)
        # Lock the candidates, then re-check each one in a fresh statement: on PostgreSQL (READ
        # COMMITTED) that statement sees an instance a concurrent run committed while we waited.
        for template in _due_templates(session, rhythm, start, end):
            if _has_instance(session, template.id, start):
                continue
            spawned.append(_spawn_one(session, template, rhythm, start, end, now))
    session.flush()
    return spawned
