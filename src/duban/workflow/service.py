"""The 督办 workflow on stored tasks: every action a user takes, checked, compare-and-swapped, audited.

Each public function is one user action. It loads the task (a unit user who
does not own it gets NotFound, as if it did not exist), resolves the
actor's role for this task, asks `states.check`, then updates the row with
the state and version it read in the WHERE clause. Zero rows updated means
someone else changed the task first: Conflict, and the caller's transaction
rolls back with nothing lost. The audit event, the outbox messages and any
rows the action adds (progress report, extension request, 批示) are written
in the same transaction. Services only flush; the caller commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from duban import clock
from duban.db.models import (
    Instruction,
    Milestone,
    OwnerRole,
    Reminder,
    Task,
    TaskOwner,
    Unit,
)
from duban.errors import Conflict, NotFound, Rejected
from duban.search.index import index_tasks
from duban.workflow import notify
from duban.workflow.deadlines import deadline_columns, resolve_deadline
from duban.workflow.feedback import (
    AttachmentIn,
    decide_extension,
    report_progress,
    request_extension,
    submit,
)
from duban.workflow.machine import (
    available_actions,
    begin,
    check_text,
    clause,
    deadline_phrase,
    finish,
    load_task,
    snapshot,
    summary,
    swap,
    tell_assigned,
    tell_owners,
)
from duban.workflow.notify import MessageKind
from duban.workflow.principal import Principal
from duban.workflow.states import (
    Action,
    State,
)

__all__ = [
    "AttachmentIn",
    "OwnerIn",
    "TaskChanges",
    "accept",
    "acknowledge",
    "assign",
    "available_actions",
    "cancel",
    "confirm",
    "decide_extension",
    "edit",
    "instruct",
    "load_task",
    "remind",
    "report_progress",
    "request_extension",
    "return_task",
    "submit",
]


@dataclass(frozen=True)
class OwnerIn:
    unit_id: int
    role: OwnerRole = OwnerRole.RESPONSIBLE


@dataclass(frozen=True)
class TaskChanges:
    """What `edit` and `assign` may change; None means leave as it is."""

    text: str | None = None
    owners: Sequence[OwnerIn] | None = None
    deadline: dt.date | None = None
    deadline_workdays: int | None = None
    start_date: dt.date | None = None
    leader_name: str | None = None
    milestones: Sequence[tuple[dt.date, str]] | None = None
    clear_deadline: bool = False


# ------------------------------------------------------------------ editing and assigning


def _apply(session: Session, task: Task, changes: TaskChanges) -> dict[str, Any]:
    """Column values for the swap; owners and milestones are replaced in place."""
    values: dict[str, Any] = {}
    if changes.text is not None:
        values["text"] = check_text(changes.text)
    if changes.leader_name is not None:
        values["leader_name"] = changes.leader_name.strip() or None
    if changes.start_date is not None:
        values["start_date"] = changes.start_date
    if changes.clear_deadline:
        values.update(deadline=None, deadline_workdays=None, deadline_from=None, deadline_confirmed=True)
    elif changes.deadline is not None or changes.deadline_workdays is not None:
        values.update(
            deadline_columns(resolve_deadline(changes.deadline, workdays=changes.deadline_workdays))
        )
    if changes.owners is not None:
        _replace_owners(session, task, changes.owners)
    if changes.milestones is not None:
        task.milestones.clear()
        session.flush()
        for due, text in changes.milestones:
            task.milestones.append(Milestone(due=due, text=check_text(text)))
    return values


def _replace_owners(session: Session, task: Task, owners: Sequence[OwnerIn]) -> None:
    unique = list({o.unit_id: o for o in owners}.values())
    if sum(o.role == OwnerRole.LEAD for o in unique) > 1:
        raise Rejected("牵头单位只能有一个", "a task has at most one lead unit")
    known = set(session.scalars(select(Unit.id).where(Unit.id.in_([o.unit_id for o in unique]))))
    missing = [o.unit_id for o in unique if o.unit_id not in known]
    if missing:
        raise NotFound(f"单位不存在：{missing}", f"no such unit: {missing}")
    task.owners.clear()
    session.flush()
    for position, owner in enumerate(unique):
        task.owners.append(TaskOwner(unit_id=owner.unit_id, role=owner.role.value, position=position))
    session.flush()


def confirm(
    session: Session, principal: Principal, task_id: int, *, expected_version: int | None = None
) -> Task:
    """The supervisor checked a drafted task against its source sentence."""
    task, _, _ = begin(session, principal, task_id, Action.CONFIRM, expected_version)
    before = snapshot(task)
    swap(session, task, None, confirmed=True)
    return finish(session, principal, task, Action.CONFIRM, before, None)


def edit(
    session: Session,
    principal: Principal,
    task_id: int,
    changes: TaskChanges,
    *,
    expected_version: int | None = None,
    reason: str | None = None,
) -> Task:
    task, _, _ = begin(session, principal, task_id, Action.EDIT, expected_version)
    before = snapshot(task)
    values = _apply(session, task, changes)
    swap(session, task, None, **values)
    index_tasks(session, [task.id])
    return finish(session, principal, task, Action.EDIT, before, (reason or "").strip() or None)


def assign(
    session: Session,
    principal: Principal,
    task_id: int,
    changes: TaskChanges | None = None,
    *,
    expected_version: int | None = None,
) -> Task:
    """交办: owners (and optionally deadline, leader) are fixed and the units are told."""
    task, transition, _ = begin(session, principal, task_id, Action.ASSIGN, expected_version)
    before = snapshot(task)
    values = _apply(session, task, changes or TaskChanges())
    if not any(o.role != OwnerRole.SUPPORTING for o in task.owners):
        raise Rejected("交办前须指定牵头单位或责任单位", "assign needs a lead or responsible unit")
    swap(session, task, transition.to_state, confirmed=True, assigned_at=clock.now(), **values)
    index_tasks(session, [task.id])
    tell_assigned(session, task)
    return finish(session, principal, task, Action.ASSIGN, before, None)


# ------------------------------------------------------------------ the unit's side


def acknowledge(
    session: Session, principal: Principal, task_id: int, *, expected_version: int | None = None
) -> Task:
    task, transition, _ = begin(session, principal, task_id, Action.ACKNOWLEDGE, expected_version)
    before = snapshot(task)
    swap(session, task, transition.to_state, acknowledged_at=clock.now())
    return finish(session, principal, task, Action.ACKNOWLEDGE, before, None)


# ------------------------------------------------------------------ the supervisor closes, leaders comment


def accept(
    session: Session, principal: Principal, task_id: int, *, expected_version: int | None = None
) -> Task:
    """验收 / 销号."""
    task, transition, _ = begin(session, principal, task_id, Action.ACCEPT, expected_version)
    before = snapshot(task)
    swap(session, task, transition.to_state, done_at=clock.now())
    tell_owners(
        session, task, MessageKind.ACCEPTED, "已办结", f"任务已验收办结（销号）：{summary(task, 200)}"
    )
    return finish(session, principal, task, Action.ACCEPT, before, None)


def return_task(
    session: Session,
    principal: Principal,
    task_id: int,
    reason: str | None,
    *,
    expected_version: int | None = None,
) -> Task:
    """退回: back to the unit, with what is missing."""
    task, transition, text = begin(session, principal, task_id, Action.RETURN, expected_version, reason)
    before = snapshot(task)
    swap(session, task, transition.to_state, submitted_at=None)
    tell_owners(session, task, MessageKind.RETURNED, "退回", f"办结申请被退回，原因：{text}")
    return finish(session, principal, task, Action.RETURN, before, text)


def cancel(
    session: Session,
    principal: Principal,
    task_id: int,
    reason: str | None,
    *,
    expected_version: int | None = None,
) -> Task:
    task, transition, text = begin(session, principal, task_id, Action.CANCEL, expected_version, reason)
    before = snapshot(task)
    was_assigned = task.status != State.DRAFT.value
    swap(session, task, transition.to_state, cancelled_at=clock.now())
    if was_assigned:
        tell_owners(session, task, MessageKind.CANCELLED, "撤销", f"任务已撤销，原因：{text}")
    return finish(session, principal, task, Action.CANCEL, before, text)


def remind(
    session: Session,
    principal: Principal,
    task_id: int,
    message: str | None = None,
    *,
    expected_version: int | None = None,
) -> Reminder:
    """催办 by hand: at most once per task per day, like the scan's reminders."""
    task, _, _ = begin(session, principal, task_id, Action.REMIND, expected_version)
    today = clock.today()
    exists = session.scalar(
        select(Reminder.id).where(
            Reminder.task_id == task.id, Reminder.rule == "manual", Reminder.day == today
        )
    )
    if exists is not None:
        raise Conflict("今天已催办过该任务", f"task {task_id} was already reminded today")
    text = (message or "").strip() or f"请抓紧办理：{clause(task)}{deadline_phrase(task)}。"
    before = snapshot(task)
    swap(session, task, None)
    reminder = Reminder(
        task_id=task.id,
        rule="manual",
        day=today,
        message=text,
        created_by_id=principal.user_id,
        created_at=clock.now(),
    )
    session.add(reminder)
    tell_owners(session, task, MessageKind.REMINDER, "催办", text)
    finish(session, principal, task, Action.REMIND, before, None, note={"message": text})
    return reminder


def instruct(
    session: Session, principal: Principal, task_id: int, text: str, *, expected_version: int | None = None
) -> Instruction:
    """批示: a leader's instruction, shown on the task and sent to its units."""
    task, _, _ = begin(session, principal, task_id, Action.INSTRUCT, expected_version)
    body = check_text(text)
    before = snapshot(task)
    swap(session, task, None)
    instruction = Instruction(task_id=task.id, user_id=principal.user_id, text=body, created_at=clock.now())
    session.add(instruction)
    tell_owners(session, task, MessageKind.INSTRUCTION, "领导批示", f"{principal.name}批示：{body}")
    # The 督查室 follows every 批示 through (no unit: the supervisors' inbox and channels).
    notify.enqueue(
        session,
        MessageKind.INSTRUCTION,
        f"【领导批示】{summary(task, 30)}",
        f"{principal.name}批示：{body}",
        task_id=task.id,
    )
    session.flush()
    finish(
        session,
        principal,
        task,
        Action.INSTRUCT,
        before,
        None,
        note={"instruction": instruction.id, "text": body},
    )
    return instruction
