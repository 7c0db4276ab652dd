"""Task queries for the ledger: filter, sort, page, with the warning light computed per row.

The light (red/yellow/green) is derived, never stored, so filtering by it is
a date comparison in SQL against today and the near-due cutoff; the same
rules as `workflow.warnings.classify`, which labels the rows afterwards.
Unit users only ever get their own units' tasks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import ColumnElement, Select, and_, case, exists, false, func, or_, select, true
from sqlalchemy.orm import Session, selectinload

from duban.db.models import OwnerRole, Task, TaskOwner, UserRole
from duban.db.repositories.paging import Page
from duban.workflow.principal import Principal
from duban.workflow.states import State
from duban.workflow.warnings import DEFAULT_NEAR_DUE_WORKDAYS, Light, classify, near_due_cutoff

__all__ = [
    "SortKey",
    "TaskCounts",
    "TaskPage",
    "TaskQuery",
    "TaskRow",
    "count_tasks",
    "list_tasks",
    "task_row",
]

MAX_PER_PAGE = 500
_CLOSED = (State.DONE.value, State.CANCELLED.value)


class SortKey(StrEnum):
    DEADLINE = "deadline"
    DEADLINE_DESC = "-deadline"
    UPDATED = "-updated"
    CREATED = "created"
    ID = "id"


@dataclass(frozen=True)
class TaskQuery:
    statuses: Sequence[State] = ()
    unit_id: int | None = None
    leader: str | None = None
    document_id: int | None = None
    due_from: dt.date | None = None
    due_to: dt.date | None = None
    lights: Sequence[Light] = ()
    text: str | None = None
    sort: SortKey = SortKey.DEADLINE
    page: int = 1
    per_page: int = 50


@dataclass(frozen=True)
class TaskRow:
    task: Task
    light: Light
    lead: str | None
    units: list[str]


TaskPage = Page[TaskRow]


def visible_to(principal: Principal) -> ColumnElement[bool]:
    """Unit users see the tasks one of whose owners is their unit; others see all."""
    if principal.role is not UserRole.UNIT:
        return true()
    if principal.unit_id is None:
        return false()
    return exists().where(TaskOwner.task_id == Task.id, TaskOwner.unit_id == principal.unit_id)


def light_condition(light: Light, today: dt.date, near_days: int) -> ColumnElement[bool]:
    """SQL for "this task has `light` today", matching `classify`."""
    open_ = Task.status.not_in(_CLOSED)
    cutoff = near_due_cutoff(today, near_days)
    if light is Light.NONE:
        return Task.status.in_(_CLOSED)
    if light is Light.RED:
        return and_(open_, Task.deadline < today)
    if light is Light.YELLOW:
        return and_(open_, Task.deadline >= today, Task.deadline < cutoff)
    return and_(open_, or_(Task.deadline.is_(None), Task.deadline >= cutoff))


def _filtered(principal: Principal, query: TaskQuery, today: dt.date, near_days: int) -> Select[int]:
    stmt = select(Task.id).where(visible_to(principal))
    if query.statuses:
        stmt = stmt.where(Task.status.in_([s.value for s in query.statuses]))
    if query.unit_id is not None:
        stmt = stmt.where(exists().where(TaskOwner.task_id == Task.id, TaskOwner.unit_id == query.unit_id))
    if query.leader:
        stmt = stmt.where(Task.leader_name == query.leader)
    if query.document_id is not None:
        stmt = stmt.where(Task.document_id == query.document_id)
    if query.due_from is not None:
        stmt = stmt.where(Task.deadline >= query.due_from)
    if query.due_to is not None:
        stmt = stmt.where(Task.deadline <= query.due_to)
    if query.lights:
        stmt = stmt.where(or_(*(light_condition(light, today, near_days) for light in query.lights)))
    if query.text and query.text.strip():
        # Plain substring match; escaped so % and _ in what users type are literal.
        needle = query.text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(Task.text.like(f"%{needle}%", escape="\\"))
    return stmt


_ORDER = {
    SortKey.DEADLINE: (Task.deadline.is_(None), Task.deadline, Task.id),
    SortKey.DEADLINE_DESC: (Task.deadline.is_(None), Task.deadline.desc(), Task.id.desc()),
    SortKey.UPDATED: (Task.updated_at.desc(), Task.id.desc()),
    SortKey.CREATED: (Task.created_at, Task.id),
    SortKey.ID: (Task.id,),
}


def list_tasks(
    session: Session,
    principal: Principal,
    query: TaskQuery,
    today: dt.date,
    near_days: int = DEFAULT_NEAR_DUE_WORKDAYS,
) -> TaskPage:
    """One page of the ledger, its total and its rows labelled with their light."""
    per_page = max(1, min(query.per_page, MAX_PER_PAGE))
    page = max(1, query.page)
    ids = _filtered(principal, query, today, near_days).subquery()
    total = session.scalar(select(func.count()).select_from(ids)) or 0
    stmt = (
        select(Task)
        .where(Task.id.in_(select(ids.c.id)))
        .order_by(*_ORDER[query.sort])
        .limit(per_page)
        .offset((page - 1) * per_page)
        .options(selectinload(Task.owners).selectinload(TaskOwner.unit))
    )
    rows = [task_row(task, today, near_days) for task in session.scalars(stmt)]
    return TaskPage(rows, total, page, per_page)


def task_row(
    task: Task,
    today: dt.date,
    near_days: int = DEFAULT_NEAR_DUE_WORKDAYS,
    names: Mapping[int, str] | None = None,
) -> TaskRow:
    """One ledger row: the light as of `today`, the lead unit and all owner units in order.

    `names` (unit id → name) labels the owners without loading their Unit rows,
    for callers that fetched the names of many tasks' units in one query.
    """
    owners = sorted(task.owners, key=lambda o: o.position)

    def name(owner: TaskOwner) -> str:
        return names.get(owner.unit_id, "") if names is not None else owner.unit.name

    return TaskRow(
        task=task,
        light=classify(task.deadline, State(task.status), today, near_days),
        lead=next((name(o) for o in owners if o.role == OwnerRole.LEAD), None),
        units=[name(o) for o in owners],
    )


@dataclass(frozen=True)
class TaskCounts:
    by_status: dict[State, int]
    by_light: dict[Light, int]

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


def count_tasks(
    session: Session,
    principal: Principal,
    today: dt.date,
    near_days: int = DEFAULT_NEAR_DUE_WORKDAYS,
    *,
    unit_id: int | None = None,
) -> TaskCounts:
    """Visible tasks counted by state and by today's light: one GROUP BY, the lights as CASE branches.

    With `unit_id`, only the tasks that unit owns in any role; a unit user asking about
    another unit so counts just the tasks the two share (the ones it can see anyway).
    """
    light = case(
        *((light_condition(li, today, near_days), li.value) for li in (Light.NONE, Light.RED, Light.YELLOW)),
        else_=Light.GREEN.value,
    )
    where = [visible_to(principal)]
    if unit_id is not None:
        where.append(exists().where(TaskOwner.task_id == Task.id, TaskOwner.unit_id == unit_id))
    stmt = select(Task.status, light, func.count()).where(*where).group_by(Task.status, light)
    by_status = dict.fromkeys(State, 0)
    by_light = dict.fromkeys(Light, 0)
    for status, value, n in session.execute(stmt):
        by_status[State(status)] += n
        by_light[Light(value)] += n
    return TaskCounts(by_status, by_light)
