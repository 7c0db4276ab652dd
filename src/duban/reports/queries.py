"""The figures the Word documents print: a period's summary and overdue list, a week's counts and trend.

Documents are issued by the 督查室 about the whole ledger, so nothing here
filters by principal. Tasks count as in `workflow.scoring`: drafts (never
handed out) and cancelled tasks are no one's record; units are charged as
牵头/责任 owners; dates of `assigned_at`/`done_at` are Asia/Shanghai days.
Every count is a GROUP BY or a SUM(CASE) in the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from sqlalchemy import ColumnElement, Date, and_, case, func, literal, not_, or_, select
from sqlalchemy.orm import Session, aliased, load_only, selectinload

from duban.db.models import Document, OwnerRole, Task, TaskOwner, Unit
from duban.workflow.scoring import EXCLUDED_STATES, SCORED_ROLES, Period, shanghai_date
from duban.workflow.states import State

__all__ = [
    "HANDED_OUT",
    "NoticeTask",
    "OverdueItem",
    "PeriodSummary",
    "UnitStatus",
    "WeekCounts",
    "due_between",
    "monday_of",
    "notice_tasks",
    "overdue_in_period",
    "period_summary",
    "source_label",
    "status_counts",
    "unit_status",
    "week_counts",
    "weekly_trend",
]

HANDED_OUT = (State.ASSIGNED.value, State.IN_PROGRESS.value, State.SUBMITTED.value)
TREND_WEEKS = 8


def _day(value: dt.date) -> ColumnElement[dt.date]:
    return literal(value, Date())


def _sum_if(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.sum(case((condition, 1), else_=0))


def _int(value: Any) -> int:
    return int(value or 0)


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _unit_names(task: Task, roles: Sequence[str] = SCORED_ROLES) -> list[str]:
    owners = sorted(task.owners, key=lambda o: o.position)
    return [o.unit.name for o in owners if o.role in roles]


# --- a period: summary and overdue list --------------------------------------------------


@dataclass(frozen=True)
class PeriodSummary:
    """Tasks due in a period (each counted once, however many units own it), as of a day."""

    due: int
    on_time: int
    late: int
    overdue: int
    open: int
    handed_out: int  # tasks handed out (交办) during the period, whenever they are due

    @property
    def decided(self) -> int:
        return self.on_time + self.late + self.overdue

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.decided if self.decided else None


def period_summary(session: Session, period: Period, today: dt.date) -> PeriodSummary:
    done = Task.status == State.DONE.value
    done_on = shanghai_date(Task.done_at)
    due_stmt = select(
        func.count(),
        _sum_if(and_(done, or_(Task.done_at.is_(None), done_on <= Task.deadline))),
        _sum_if(and_(done, Task.done_at.is_not(None), done_on > Task.deadline)),
        _sum_if(and_(not_(done), Task.deadline < _day(today))),
        _sum_if(and_(not_(done), Task.deadline >= _day(today))),
    ).where(
        Task.status.not_in(EXCLUDED_STATES),
        Task.deadline >= _day(period.start),
        Task.deadline <= _day(period.end),
    )
    due, on_time, late, overdue, still_open = session.execute(due_stmt).one()
    assigned_on = shanghai_date(Task.assigned_at)
    handed_out = session.scalar(
        select(func.count()).where(
            Task.status != State.DRAFT.value,
            Task.assigned_at.is_not(None),
            assigned_on >= _day(period.start),
            assigned_on <= _day(period.end),
        )
    )
    return PeriodSummary(
        _int(due), _int(on_time), _int(late), _int(overdue), _int(still_open), _int(handed_out)
    )


@dataclass(frozen=True)
class OverdueItem:
    task_id: int
    text: str
    units: list[str]
    deadline: dt.date
    days_late: int
    status: State


def _overdue_items(
    session: Session, where: Sequence[ColumnElement[bool]], today: dt.date, limit: int
) -> list[OverdueItem]:
    stmt = (
        select(Task)
        .where(*where)
        .order_by(Task.deadline, Task.id)
        .limit(limit)
        .options(selectinload(Task.owners).selectinload(TaskOwner.unit))
    )
    items = []
    for task in session.scalars(stmt):
        assert task.deadline is not None
        items.append(
            OverdueItem(
                task_id=task.id,
                text=" ".join(task.text.split()),
                units=_unit_names(task),
                deadline=task.deadline,
                days_late=(today - task.deadline).days,
                status=State(task.status),
            )
        )
    return items


def overdue_in_period(
    session: Session, period: Period, today: dt.date, limit: int = 200
) -> tuple[list[OverdueItem], int]:
    """Handed-out tasks due in the period and still not done after their deadline (most late first); total."""
    where = [
        Task.status.in_(HANDED_OUT),
        Task.deadline >= _day(period.start),
        Task.deadline <= _day(period.end),
        Task.deadline < _day(today),
    ]
    total = session.scalar(select(func.count()).select_from(Task).where(*where)) or 0
    return _overdue_items(session, where, today, limit), int(total)


def due_between(
    session: Session, first: dt.date, last: dt.date, today: dt.date, *, overdue_only: bool, limit: int = 100
) -> list[OverdueItem]:
    """Handed-out tasks due from `first` to `last`; with `overdue_only`, only those past due today."""
    where = [Task.status.in_(HANDED_OUT), Task.deadline >= _day(first), Task.deadline <= _day(last)]
    if overdue_only:
        where.append(Task.deadline < _day(today))
    return _overdue_items(session, where, today, limit)


# --- a week: counts and trend --------------------------------------------------------------


@dataclass(frozen=True)
class WeekCounts:
    start: dt.date  # Monday
    new: int  # handed out (交办) during the week
    completed: int  # accepted (办结) during the week
    overdue: int  # handed out, past due and not done at the week's end (or today, for this week)

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=6)

    @property
    def label(self) -> str:
        return f"{self.start.month}/{self.start.day}"


def week_counts(session: Session, monday: dt.date, today: dt.date) -> WeekCounts:
    """The week's new, completed and overdue tasks, rebuilt from the timestamps.

    Overdue at the week's end is reconstructed: handed out by then, deadline
    before then, not done by then and not cancelled by then. It uses today's
    deadline (an extension granted later moves a task out of weeks it was
    late in), which is what the ledger can tell.
    """
    cut = min(monday + dt.timedelta(days=7), today)  # first day *not* in the week (or today)
    first, last = _day(monday), _day(monday + dt.timedelta(days=6))
    assigned_on, done_on = shanghai_date(Task.assigned_at), shanghai_date(Task.done_at)
    cancelled_on = shanghai_date(Task.cancelled_at)
    cut_day = _day(cut)
    overdue_then = and_(
        Task.assigned_at.is_not(None),
        assigned_on < cut_day,
        Task.deadline < cut_day,
        or_(Task.done_at.is_(None), done_on >= cut_day),
        or_(Task.cancelled_at.is_(None), cancelled_on >= cut_day),
        # A done or cancelled task without its timestamp (an imported ledger) was closed in time.
        or_(Task.status != State.DONE.value, Task.done_at.is_not(None)),
        or_(Task.status != State.CANCELLED.value, Task.cancelled_at.is_not(None)),
    )
    stmt = select(
        _sum_if(and_(Task.assigned_at.is_not(None), assigned_on >= first, assigned_on <= last)),
        _sum_if(and_(Task.status == State.DONE.value, done_on >= first, done_on <= last)),
        _sum_if(overdue_then),
    ).where(Task.status != State.DRAFT.value)
    new, completed, overdue = session.execute(stmt).one()
    return WeekCounts(monday, _int(new), _int(completed), _int(overdue))


def weekly_trend(
    session: Session, monday: dt.date, today: dt.date, weeks: int = TREND_WEEKS
) -> list[WeekCounts]:
    """`weeks` weeks ending with the week of `monday`, oldest first."""
    return [
        week_counts(session, monday - dt.timedelta(weeks=back), today) for back in range(weeks - 1, -1, -1)
    ]


# --- the ledger now: by status, by unit ------------------------------------------------------


def status_counts(session: Session) -> dict[State, int]:
    """Every task by state (drafts included: the 督查室 wants to see what is still unconfirmed)."""
    counts = dict.fromkeys(State, 0)
    for status, n in session.execute(select(Task.status, func.count()).group_by(Task.status)):
        counts[State(status)] += int(n)
    return counts


@dataclass(frozen=True)
class UnitStatus:
    unit_id: int
    unit_name: str
    assigned: int  # 待签收
    in_progress: int
    submitted: int  # 待验收
    done: int
    overdue: int  # handed out and past due today

    @property
    def total(self) -> int:
        return self.assigned + self.in_progress + self.submitted + self.done

    @property
    def completion_rate(self) -> float | None:
        return self.done / self.total if self.total else None


def unit_status(session: Session, today: dt.date) -> list[UnitStatus]:
    """Each unit's 牵头/责任 tasks (handed out or done) by state, with today's overdue; most tasks first."""
    owner = aliased(TaskOwner)
    status = Task.status
    stmt = (
        select(
            Unit.id,
            Unit.name,
            _sum_if(status == State.ASSIGNED.value),
            _sum_if(status == State.IN_PROGRESS.value),
            _sum_if(status == State.SUBMITTED.value),
            _sum_if(status == State.DONE.value),
            _sum_if(and_(status.in_(HANDED_OUT), Task.deadline < _day(today))),
        )
        .select_from(owner)
        .join(Task, Task.id == owner.task_id)
        .join(Unit, Unit.id == owner.unit_id)
        .where(owner.role.in_(SCORED_ROLES), status.in_((*HANDED_OUT, State.DONE.value)))
        .group_by(Unit.id, Unit.name)
    )
    rows = [
        UnitStatus(uid, name, _int(a), _int(p), _int(s), _int(d), _int(o))
        for uid, name, a, p, s, d, o in session.execute(stmt)
    ]
    return sorted(rows, key=lambda r: (-r.total, r.unit_name))


# --- the tasks of a 督办通知书 -------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeTask:
    task: Task
    source: str | None  # 《标题》（发文字号）
    lead: list[tuple[int, str]]
    responsible: list[tuple[int, str]]
    supporting: list[tuple[int, str]]


def source_label(document: Document) -> str:
    """How a 公文 cites a document: 《标题》（发文字号）; a file without a title by its name sans suffix."""
    name = (document.title or "").strip() or PurePath(document.filename).stem
    return f"《{name}》" + (f"（{document.doc_number}）" if document.doc_number else "")


def notice_tasks(session: Session, task_ids: Sequence[int]) -> list[NoticeTask]:
    """The tasks in the order asked, with owners by role and their source document's label."""
    tasks = {
        t.id: t
        for t in session.scalars(
            select(Task)
            .where(Task.id.in_(list(task_ids)))
            .options(selectinload(Task.owners).selectinload(TaskOwner.unit), selectinload(Task.milestones))
        )
    }
    doc_ids = {t.document_id for t in tasks.values() if t.document_id is not None}
    labels = load_only(Document.id, Document.title, Document.filename, Document.doc_number)
    documents = session.scalars(select(Document).where(Document.id.in_(doc_ids)).options(labels))
    docs = {d.id: source_label(d) for d in documents}
    result = []
    for task_id in task_ids:
        task = tasks.get(task_id)
        if task is None:
            continue
        owners = sorted(task.owners, key=lambda o: o.position)

        def of(role: OwnerRole, owners: list[TaskOwner] = owners) -> list[tuple[int, str]]:
            return [(o.unit_id, o.unit.name) for o in owners if o.role == role.value]

        source = docs.get(task.document_id) if task.document_id is not None else None
        result.append(
            NoticeTask(task, source, of(OwnerRole.LEAD), of(OwnerRole.RESPONSIBLE), of(OwnerRole.SUPPORTING))
        )
    return result
