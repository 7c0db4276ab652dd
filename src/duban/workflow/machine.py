"""The compare-and-swap machinery every workflow action shares.

`begin` loads the task the principal may see, checks the transition and the
expected version; `swap` updates the row only if it still has the state and
version that were read (zero rows → Conflict); `finish` writes the audit
event of what changed. Callers flush; the edge commits.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from duban import clock
from duban.db.models import OutboxMessage, OwnerRole, Task
from duban.errors import Conflict, NotFound, Rejected
from duban.workflow import audit, notify
from duban.workflow.notify import MessageKind
from duban.workflow.principal import Principal
from duban.workflow.states import (
    TRANSITIONS,
    Action,
    State,
    Transition,
    allowed_actions,
    check,
    require_reason,
)

__all__ = [
    "MAX_TEXT",
    "available_actions",
    "begin",
    "check_text",
    "clause",
    "deadline_phrase",
    "finish",
    "load_task",
    "owner_units",
    "snapshot",
    "summary",
    "swap",
    "tell_assigned",
    "tell_owners",
]

MAX_TEXT = 20_000


def load_task(session: Session, principal: Principal, task_id: int, *, refresh: bool = False) -> Task:
    """The task if `principal` may see it; NotFound otherwise (unit users never learn other units' ids).

    `refresh` re-reads a task the session already holds, so an action compares-and-swaps
    against the state and version in the database, not a stale copy.
    """
    stmt = (
        select(Task)
        .where(Task.id == task_id)
        .options(selectinload(Task.owners), selectinload(Task.milestones))
    )
    task = session.scalars(stmt.execution_options(populate_existing=refresh)).one_or_none()
    if task is None or not principal.can_see(task.unit_ids()):
        raise NotFound(f"任务 {task_id} 不存在", f"task {task_id} not found")
    return task


def available_actions(task: Task, principal: Principal) -> list[Action]:
    """The buttons to show this user on this task."""
    return allowed_actions(State(task.status), principal.role_for(task.unit_ids()))


def snapshot(task: Task) -> dict[str, Any]:
    return {
        "status": task.status,
        "version": task.version,
        "text": task.text,
        "deadline": task.deadline,
        "deadline_workdays": task.deadline_workdays,
        "start_date": task.start_date,
        "leader_name": task.leader_name,
        "owners": [[o.unit_id, o.role] for o in task.owners],
        "milestones": [[m.due, m.text] for m in task.milestones],
        "confirmed": task.confirmed,
    }


def changed(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def begin(
    session: Session,
    principal: Principal,
    task_id: int,
    action: Action,
    expected_version: int | None,
    reason: str | None = None,
) -> tuple[Task, Transition, str | None]:
    task = load_task(session, principal, task_id, refresh=True)
    role = principal.role_for(task.unit_ids())
    # A stale page is reported as such before its state is judged: "reload", not "cannot accept".
    if (
        expected_version is not None
        and task.version != expected_version
        and role in TRANSITIONS[action].roles
    ):
        raise stale(task_id)
    transition = check(action, State(task.status), role)
    return task, transition, require_reason(transition, reason)


def stale(task_id: int) -> Conflict:
    return Conflict(
        f"任务 {task_id} 已被他人修改，请刷新后重试",
        f"task {task_id} was changed by someone else; reload and retry",
    )


def swap(session: Session, task: Task, to_state: State | None, **values: Any) -> None:
    """Compare-and-swap: the row must still have the state and version we read."""
    now = clock.now()
    new_state = to_state.value if to_state else task.status
    result = session.execute(
        update(Task)
        .where(Task.id == task.id, Task.status == task.status, Task.version == task.version)
        .values(status=new_state, version=Task.version + 1, updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise stale(task.id)
    session.refresh(task)


def owner_units(task: Task) -> list[int]:
    """Who hears about a task: lead and responsible units first, then supporting ones."""
    ordered = sorted(task.owners, key=lambda o: (o.role == OwnerRole.SUPPORTING, o.position))
    return [o.unit_id for o in ordered]


def tell_owners(
    session: Session,
    task: Task,
    kind: MessageKind,
    tag: str,
    body: str,
    *,
    payload: dict[str, Any] | None = None,
) -> list[OutboxMessage]:
    """One outbox message per owner unit, titled `【tag】` and the task's opening words."""
    return notify.enqueue_for_units(
        session,
        kind,
        f"【{tag}】{summary(task, 30)}",
        body,
        owner_units(task),
        task_id=task.id,
        payload=payload,
    )


def summary(task: Task, limit: int = 60) -> str:
    text = " ".join(task.text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def deadline_phrase(task: Task) -> str:
    return f"，完成时限{task.deadline:%Y年%-m月%-d日}" if task.deadline else ""


def clause(task: Task) -> str:
    """The task's words inside a sentence of ours: without its own closing 。 (no "工作。，完成时限…。")."""
    return summary(task, 200).rstrip("。；;")


def tell_assigned(session: Session, task: Task) -> list[OutboxMessage]:
    """What 交办 tells the owner units (by the workflow and by a ledger import alike)."""
    return tell_owners(
        session, task, MessageKind.ASSIGNED, "交办", f"请签收并办理：{clause(task)}{deadline_phrase(task)}。"
    )


def finish(
    session: Session,
    principal: Principal,
    task: Task,
    action: Action,
    before: dict[str, Any],
    reason: str | None,
    *,
    note: dict[str, Any] | None = None,
) -> Task:
    old, new = changed(before, snapshot(task))
    if note:
        new.update(note)
    audit.record(
        session, principal.actor, action.value, "task", task.id, before=old, after=new, reason=reason
    )
    session.flush()
    return task


def check_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise Rejected("任务内容不能为空", "task text is empty")
    if len(text) > MAX_TEXT:
        raise Rejected(f"任务内容超过{MAX_TEXT}字", f"task text longer than {MAX_TEXT} characters")
    return text
