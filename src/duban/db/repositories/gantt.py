"""挂图作战: the handed-out tasks as bars from start to deadline, with their milestones, grouped by unit or document.

A bar starts at the task's `start_date`, else the day it was assigned, else
the day it was drafted (Asia/Shanghai), and ends at its deadline. Tasks
without a deadline have no bar; they are listed apart. Drafts (not handed
out) and cancelled tasks are left out. A task with several owner units is
drawn in each of their charts; a unit user sees only their own unit's chart
and only tasks visible to them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from duban import clock
from duban.db.models import Document, Task, TaskOwner, UserRole
from duban.db.repositories.tasks import visible_to
from duban.workflow.principal import Principal
from duban.workflow.states import State
from duban.workflow.warnings import Light, classify

__all__ = ["MAX_TASKS", "GanttChart", "GanttTask", "Grouping", "gantt_charts"]

MAX_TASKS = 1000
SHOWN = (State.ASSIGNED.value, State.IN_PROGRESS.value, State.SUBMITTED.value, State.DONE.value)


class Grouping(StrEnum):
    UNIT = "unit"
    DOCUMENT = "document"


@dataclass(frozen=True)
class GanttTask:
    id: int
    text: str
    status: State
    light: Light
    start: dt.date
    deadline: dt.date | None
    progress: int  # percent: done 100, else the share of milestones done
    units: list[str]
    milestones: list[tuple[int, dt.date, str, bool]]  # id, due, text, done

    def bars(self) -> list[dict[str, Any]]:
        """frappe-gantt task objects: the task, then one short bar per milestone."""
        if self.deadline is None:
            return []
        task_bar = {
            "id": f"t{self.id}",
            "task_id": self.id,
            "name": self.text,
            "start": self.start.isoformat(),
            "end": self.deadline.isoformat(),
            "progress": self.progress,
            "custom_class": f"bar-{self.light.value}",
            "state": self.status.label,
            "light": self.light.label,
            "units": "、".join(self.units),
        }
        rows = [task_bar]
        for milestone_id, due, text, done in self.milestones:
            rows.append(
                {
                    "id": f"m{milestone_id}",
                    "task_id": self.id,
                    "name": f"◆ {text}",
                    "start": due.isoformat(),
                    "end": due.isoformat(),
                    "progress": 100 if done else 0,
                    "custom_class": "bar-milestone-done" if done else "bar-milestone",
                    "state": "已完成" if done else "时间节点",
                    "light": "",
                    "units": "",
                }
            )
        return rows


@dataclass
class GanttChart:
    key: int | None  # unit or document id
    title: str
    tasks: list[GanttTask] = field(default_factory=list)

    @property
    def scheduled(self) -> list[GanttTask]:
        return [t for t in self.tasks if t.deadline is not None]

    @property
    def unscheduled(self) -> list[GanttTask]:
        return [t for t in self.tasks if t.deadline is None]

    def bars(self) -> list[dict[str, Any]]:
        return [bar for task in self.scheduled for bar in task.bars()]


def _start(task: Task) -> dt.date:
    if task.start_date is not None:
        start = task.start_date
    elif task.assigned_at is not None:
        start = clock.to_local(task.assigned_at).date()
    else:
        start = clock.to_local(task.created_at).date()
    # A bar cannot end before it starts: a start after the deadline is drawn as a one-day bar.
    return min(start, task.deadline) if task.deadline else start


def _gantt_task(task: Task, today: dt.date) -> GanttTask:
    state = State(task.status)
    milestones = [(m.id, m.due, m.text, m.done_at is not None) for m in task.milestones]
    if state is State.DONE:
        progress = 100
    elif milestones:
        progress = round(100 * sum(1 for m in milestones if m[3]) / len(milestones))
    else:
        progress = 0
    return GanttTask(
        id=task.id,
        text=task.text,
        status=state,
        light=classify(task.deadline, state, today),
        start=_start(task),
        deadline=task.deadline,
        progress=progress,
        units=[o.unit.name for o in sorted(task.owners, key=lambda o: o.position)],
        milestones=milestones,
    )


def gantt_charts(
    session: Session,
    principal: Principal,
    today: dt.date,
    *,
    grouping: Grouping = Grouping.UNIT,
    unit_id: int | None = None,
    document_id: int | None = None,
) -> tuple[list[GanttChart], bool]:
    """The charts (by unit name or by document), and whether MAX_TASKS cut the list short."""
    stmt = (
        select(Task)
        .where(visible_to(principal), Task.status.in_(SHOWN))
        .order_by(Task.deadline.is_(None), Task.deadline, Task.id)
        .limit(MAX_TASKS + 1)
        .options(
            selectinload(Task.owners).selectinload(TaskOwner.unit),
            selectinload(Task.milestones),
        )
    )
    if unit_id is not None:
        stmt = stmt.where(Task.id.in_(select(TaskOwner.task_id).where(TaskOwner.unit_id == unit_id)))
    if document_id is not None:
        stmt = stmt.where(Task.document_id == document_id)
    tasks = list(session.scalars(stmt))
    truncated = len(tasks) > MAX_TASKS
    tasks = tasks[:MAX_TASKS]
    charts: dict[int | None, GanttChart] = {}
    if grouping is Grouping.DOCUMENT:
        titles = _document_titles(session, {t.document_id for t in tasks if t.document_id})
        for task in tasks:
            chart = charts.setdefault(
                task.document_id, GanttChart(task.document_id, titles.get(task.document_id, "未关联文件"))
            )
            chart.tasks.append(_gantt_task(task, today))
    else:
        own_unit = principal.unit_id if principal.role is UserRole.UNIT else None
        for task in tasks:
            item = _gantt_task(task, today)
            for owner in task.owners:
                if own_unit is not None and owner.unit_id != own_unit:
                    continue
                if unit_id is not None and owner.unit_id != unit_id:
                    continue
                charts.setdefault(owner.unit_id, GanttChart(owner.unit_id, owner.unit.name)).tasks.append(
                    item
                )
    ordered = sorted(charts.values(), key=lambda c: (c.key is None, c.title))
    return ordered, truncated


def _document_titles(session: Session, ids: set[int]) -> dict[int | None, str]:
    rows = session.execute(select(Document.id, Document.title, Document.filename).where(Document.id.in_(ids)))
    return {doc_id: title or filename for doc_id, title, filename in rows}
