"""Reviewing the drafts a document produced: merge, split, reject, and assign the confirmed ones in one go.

Extraction cuts clauses imperfectly: two drafts are one task, one draft is
three tasks, a draft is no task at all. These are the supervisor's fixes,
each on draft tasks only, each compare-and-swapped on the task it changes
and recorded in the audit log in the caller's transaction. Services only
flush; the caller commits.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from duban import clock
from duban.db.models import Milestone, OwnerRole, Task, TaskOwner
from duban.errors import DomainError, InvalidTransition, Rejected
from duban.search.index import index_tasks
from duban.workflow import audit, service
from duban.workflow.machine import begin, changed, check_text, snapshot, summary, swap
from duban.workflow.principal import Principal
from duban.workflow.states import Action, State, check

__all__ = [
    "AssignFailure",
    "AssignReport",
    "assign_all",
    "merge",
    "reject",
    "split",
    "split_sentences",
]

# Where a clause may be cut: after a full stop, question or exclamation mark, or a semicolon.
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])")
_STRENGTH = {OwnerRole.LEAD: 0, OwnerRole.RESPONSIBLE: 1, OwnerRole.SUPPORTING: 2}


def _begin_draft(session: Session, principal: Principal, task_id: int, expected_version: int | None) -> Task:
    """The task, if this principal may edit it and it is still a draft."""
    task, _, _ = begin(session, principal, task_id, Action.EDIT, expected_version)
    if task.status != State.DRAFT.value:
        raise InvalidTransition(
            f"任务 {task_id} 当前状态为“{State(task.status).label}”，只有待确认的任务可以合并、拆分或剔除",
            f"task {task_id} is {task.status}, not a draft",
        )
    return task


def _document_order(task: Task) -> tuple[bool, int, int]:
    return (task.span_start is None, task.span_start or 0, task.id)


def _join(texts: Sequence[str]) -> str:
    """Clauses one after another, each ended with a stop so they still read as sentences."""
    parts = []
    for text in texts:
        text = text.strip()
        parts.append(text if not text or text[-1] in "。！？!?；;" else text + "。")
    return "".join(parts)


def _union_owners(tasks: Sequence[Task]) -> list[tuple[int, OwnerRole]]:
    """Every owner unit once, with the strongest role it had; the first lead stays the only lead."""
    roles: dict[int, OwnerRole] = {}
    for task in tasks:
        for owner in task.owners:
            role = OwnerRole(owner.role)
            if role is OwnerRole.LEAD and any(r is OwnerRole.LEAD for r in roles.values()):
                role = OwnerRole.RESPONSIBLE
            current = roles.get(owner.unit_id)
            if current is None or _STRENGTH[role] < _STRENGTH[current]:
                roles[owner.unit_id] = role
    return list(roles.items())


def _replace_owners(session: Session, task: Task, owners: Sequence[tuple[int, OwnerRole]]) -> None:
    task.owners.clear()
    session.flush()
    for position, (unit_id, role) in enumerate(owners):
        task.owners.append(TaskOwner(unit_id=unit_id, role=role.value, position=position))
    session.flush()


def _merged_values(tasks: Sequence[Task]) -> dict[str, Any]:
    """Column values of the merged task: joined text, the earliest deadline and start, the whole span."""
    values: dict[str, Any] = {"text": check_text(_join([t.text for t in tasks]))}
    dated = [t for t in tasks if t.deadline is not None]
    if dated:
        first = min(dated, key=lambda t: (t.deadline, t.id))
        values.update(
            deadline=first.deadline,
            deadline_workdays=first.deadline_workdays,
            deadline_from=first.deadline_from,
            deadline_confirmed=first.deadline_confirmed,
        )
    starts = [t.start_date for t in tasks if t.start_date is not None]
    values["start_date"] = min(starts) if starts else None
    if all(t.span_start is not None and t.span_end is not None for t in tasks):
        values["span_start"] = min(t.span_start for t in tasks if t.span_start is not None)
        values["span_end"] = max(t.span_end for t in tasks if t.span_end is not None)
    amounts = [t.amount_yuan for t in tasks if t.amount_yuan is not None]
    values["amount_yuan"] = sum(amounts) if amounts else None
    values["leader_name"] = next((t.leader_name for t in tasks if t.leader_name), None)
    values["confirmed"] = all(t.confirmed for t in tasks)
    return values


def merge(
    session: Session,
    principal: Principal,
    task_ids: Sequence[int],
    *,
    expected_versions: Mapping[int, int] | None = None,
) -> Task:
    """Several drafts of one document become the first of them (in document order); the rest are cancelled.

    The kept draft gets the joined texts, every owner unit, the earliest deadline
    and the span covering all; each other draft is cancelled with the reason
    “合并至任务N”, so its history says where it went.
    """
    ids = list(dict.fromkeys(task_ids))
    if len(ids) < 2:
        raise Rejected("请至少选择两条待确认任务进行合并", "merge needs two or more drafts")
    versions = expected_versions or {}
    tasks = sorted((_begin_draft(session, principal, i, versions.get(i)) for i in ids), key=_document_order)
    if len({t.document_id for t in tasks}) != 1:
        raise Rejected("只能合并同一文件中的任务", "drafts of different documents cannot be merged")
    kept, others = tasks[0], tasks[1:]
    before = snapshot(kept)
    values = _merged_values(tasks)
    _replace_owners(session, kept, _union_owners(tasks))
    seen = {(m.due, m.text) for m in kept.milestones}
    for other in others:
        for milestone in other.milestones:
            if (milestone.due, milestone.text) not in seen:
                seen.add((milestone.due, milestone.text))
                kept.milestones.append(Milestone(due=milestone.due, text=milestone.text))
    swap(session, kept, None, **values)
    index_tasks(session, [kept.id])
    old, new = changed(before, snapshot(kept))
    new["merged"] = [t.id for t in others]
    audit.record(session, principal.actor, "merge", "task", kept.id, before=old, after=new)
    for other in others:
        service.cancel(session, principal, other.id, f"合并至任务{kept.id}")
    session.flush()
    return kept


def split_sentences(text: str) -> list[str]:
    """The sentences of a clause, each keeping its stop."""
    return [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]


def split(
    session: Session,
    principal: Principal,
    task_id: int,
    parts: Sequence[str] | None = None,
    *,
    expected_version: int | None = None,
) -> list[Task]:
    """One draft becomes several: it keeps the first part, new drafts take the others.

    `parts` are the user's lines; without them the text is cut into sentences.
    The new drafts share the source document, section and span, the owners and
    the deadline, so each still points at the sentence it came from.
    """
    task = _begin_draft(session, principal, task_id, expected_version)
    pieces = [p.strip() for p in (parts if parts is not None else split_sentences(task.text)) if p.strip()]
    if len(pieces) < 2:
        raise Rejected(
            "拆分后至少要有两条任务（按句拆分需要两句以上，按行拆分请每行写一条）",
            "a split needs two or more parts",
        )
    pieces = [check_text(p) for p in pieces]
    before = snapshot(task)
    swap(session, task, None, text=pieces[0])
    now = clock.now()
    created = []
    for piece in pieces[1:]:
        new = Task(
            document_id=task.document_id,
            section_id=task.section_id,
            span_start=task.span_start,
            span_end=task.span_end,
            text=piece,
            kind=task.kind,
            status=State.DRAFT.value,
            version=1,
            confirmed=False,
            leader_name=task.leader_name,
            leader_person_id=task.leader_person_id,
            start_date=task.start_date,
            deadline=task.deadline,
            deadline_workdays=task.deadline_workdays,
            deadline_from=task.deadline_from,
            deadline_confirmed=task.deadline_confirmed,
            recurrence=task.recurrence,
            created_at=now,
            updated_at=now,
        )
        new.owners = [TaskOwner(unit_id=o.unit_id, role=o.role, position=o.position) for o in task.owners]
        session.add(new)
        session.flush()
        created.append(new)
        audit.record(
            session,
            principal.actor,
            "draft",
            "task",
            new.id,
            after={
                "split_from": task.id,
                "document_id": new.document_id,
                "span": [new.span_start, new.span_end],
                "text": new.text,
                "owners": [{"unit_id": o.unit_id, "role": o.role} for o in new.owners],
                "deadline": new.deadline,
            },
        )
    old, new_values = changed(before, snapshot(task))
    new_values["split_into"] = [t.id for t in created]
    audit.record(session, principal.actor, "split", "task", task.id, before=old, after=new_values)
    index_tasks(session, [task.id, *(t.id for t in created)])
    session.flush()
    return [task, *created]


def reject(
    session: Session,
    principal: Principal,
    task_id: int,
    reason: str | None,
    *,
    expected_version: int | None = None,
) -> Task:
    """剔除: a draft that is no task (a 会议指出 statement, a misread line) is cancelled with the reason."""
    _begin_draft(session, principal, task_id, expected_version)
    return service.cancel(session, principal, task_id, reason, expected_version=expected_version)


@dataclass(frozen=True)
class AssignFailure:
    task_id: int
    text: str
    message: str


@dataclass(frozen=True)
class AssignReport:
    """What `assign_all` did: the tasks assigned, the ones refused and why, the drafts not yet confirmed."""

    assigned: list[int] = field(default_factory=list)
    failed: list[AssignFailure] = field(default_factory=list)
    unconfirmed: int = 0


def assign_all(session: Session, principal: Principal, document_id: int) -> AssignReport:
    """交办 every confirmed draft of a document; one refused task (no owner unit) does not stop the others.

    Each assignment runs in its own savepoint, so a refusal leaves nothing half-written.
    """
    check(Action.ASSIGN, State.DRAFT, principal.role_for(()))
    drafts = session.scalars(
        select(Task)
        .where(Task.document_id == document_id, Task.status == State.DRAFT.value)
        .order_by(Task.span_start, Task.id)
    ).all()
    report = AssignReport(unconfirmed=sum(not t.confirmed for t in drafts))
    for task_id, text in [(t.id, summary(t, 40)) for t in drafts if t.confirmed]:
        try:
            with session.begin_nested():
                service.assign(session, principal, task_id)
        except DomainError as exc:
            report.failed.append(AssignFailure(task_id, text, exc.message_zh))
        else:
            report.assigned.append(task_id)
    return report
