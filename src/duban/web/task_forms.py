"""The edit and assign forms → `TaskChanges`, holding only what the user actually changed.

The forms come pre-filled with the task as it is, so a field left alone must
not count as a change: re-sending the same date would turn a "5 working
days" deadline into a plain date and put a no-op into the audit log.
Owners and milestones are rows of parallel fields (`owner_unit[i]` with
`owner_role[i]`, `milestone_due[i]` with `milestone_text[i]`); blank rows
are skipped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from duban.db.models import OwnerRole, Task
from duban.errors import Rejected
from duban.workflow.service import OwnerIn, TaskChanges

__all__ = ["TaskForm", "form_date", "has_changes", "task_changes"]

_ROLES = frozenset(r.value for r in OwnerRole)


@dataclass(frozen=True)
class TaskForm:
    """What the edit or assign form posted; None for a field the form did not carry."""

    text: str | None = None
    owner_unit: Sequence[str] = ()
    owner_role: Sequence[str] = ()
    owners_given: bool = False
    deadline: str | None = None
    deadline_workdays: str | None = None
    start_date: str | None = None
    leader_name: str | None = None
    milestone_due: Sequence[str] = field(default_factory=tuple)
    milestone_text: Sequence[str] = field(default_factory=tuple)
    milestones_given: bool = False


def form_date(value: str | None, label: str) -> dt.date | None:
    """A date from an `<input type=date>`: blank is None, anything unreadable is Rejected."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise Rejected(f"{label}格式不正确：{text}", f"bad date for {label}: {text!r}") from None


def _owners(units: Sequence[str], roles: Sequence[str]) -> list[OwnerIn]:
    owners = []
    for index, raw in enumerate(units):
        if not raw.strip():
            continue
        try:
            unit_id = int(raw)
        except ValueError:
            raise Rejected(f"单位选择不正确：{raw}", f"bad unit id {raw!r}") from None
        role = roles[index] if index < len(roles) else OwnerRole.RESPONSIBLE.value
        if role not in _ROLES:
            raise Rejected(f"单位角色不正确：{role}", f"bad owner role {role!r}")
        owners.append(OwnerIn(unit_id, OwnerRole(role)))
    return owners


def _milestones(dues: Sequence[str], texts: Sequence[str]) -> list[tuple[dt.date, str]]:
    rows = []
    for index, raw in enumerate(dues):
        text = texts[index].strip() if index < len(texts) else ""
        due = form_date(raw, "时间节点日期")
        if due is None and not text:
            continue
        if due is None or not text:
            raise Rejected("时间节点须同时填写日期和内容", "a milestone needs a date and a text")
        rows.append((due, text))
    return sorted(rows)


def _workdays(value: str | None) -> int | None:
    text = (value or "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise Rejected(f"工作日天数须为正整数：{text}", f"bad working-day count {text!r}") from None


def task_changes(task: Task, form: TaskForm) -> TaskChanges:
    """The changes `form` makes to `task` (see the module note); unchanged fields stay None."""
    text = form.text.strip() if form.text is not None else None
    leader = form.leader_name.strip() if form.leader_name is not None else None
    start = form_date(form.start_date, "开始日期")
    workdays = _workdays(form.deadline_workdays)
    deadline = form_date(form.deadline, "完成时限")
    clear = form.deadline is not None and deadline is None and workdays is None and task.deadline is not None
    owners = _owners(form.owner_unit, form.owner_role) if form.owners_given else None
    current_owners = [(o.unit_id, o.role) for o in sorted(task.owners, key=lambda o: o.position)]
    milestones = _milestones(form.milestone_due, form.milestone_text) if form.milestones_given else None
    current_milestones = sorted((m.due, m.text) for m in task.milestones)
    return TaskChanges(
        text=text if text is not None and text != task.text else None,
        owners=owners
        if owners is not None and [(o.unit_id, o.role.value) for o in owners] != current_owners
        else None,
        deadline=deadline if workdays is None and deadline != task.deadline else None,
        deadline_workdays=workdays,
        start_date=start if start != task.start_date else None,
        leader_name=leader if leader is not None and leader != (task.leader_name or "") else None,
        milestones=milestones if milestones is not None and milestones != current_milestones else None,
        clear_deadline=clear,
    )


def has_changes(changes: TaskChanges) -> bool:
    return (
        any(
            value is not None
            for value in (
                changes.text,
                changes.owners,
                changes.deadline,
                changes.deadline_workdays,
                changes.start_date,
                changes.leader_name,
                changes.milestones,
            )
        )
        or changes.clear_deadline
    )
