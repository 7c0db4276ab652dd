"""催办 scan: remind the units of every held task that is near its deadline (临期) or past it (逾期).

One scan is a handful of SQL statements, whatever the size of the ledger:

1. select the candidate tasks with date comparisons in the database (state
   assigned or in_progress, deadline before the near-due cutoff), joined to
   their owner units, skipping every (task, rule) that already has a
   reminder for `today` (NOT EXISTS, so a rerun on the same day selects
   nothing, writes nothing and raises nothing);
2. bulk-insert the reminders (ON CONFLICT DO NOTHING on SQLite and
   PostgreSQL, RETURNING what was really inserted, so a scan racing another
   one neither fails nor notifies twice);
3. bulk-insert one outbox message per owner unit of each reminded task;
4. append ONE audit event for the whole run.

The rule follows `duban.workflow.warnings.classify`: a deadline before
today is overdue (red); a deadline from today up to the near-due cutoff
(`near_due_cutoff`, counted in working days) is near-due (yellow).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import Insert, exists, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from duban import clock
from duban.config import get_settings
from duban.db.models import OutboxMessage, Reminder, Task, TaskOwner
from duban.workflow import audit
from duban.workflow.notify import MessageKind, message_row
from duban.workflow.states import State
from duban.workflow.warnings import near_due_cutoff

__all__ = ["HELD_STATES", "ReminderRule", "ScanResult", "reminder_text", "scan"]

# The states in which a unit holds the task; the transition table allows 催办 only in these.
HELD_STATES = (State.ASSIGNED.value, State.IN_PROGRESS.value)

SYSTEM_ACTOR = audit.Actor.system("催办扫描")

# Longest task text quoted in a title (the outbox title column holds 300 characters).
_TITLE_TEXT_CHARS = 40


class ReminderRule(StrEnum):
    NEAR_DUE = "near_due"
    OVERDUE = "overdue"

    @property
    def label(self) -> str:
        return {"near_due": "临期", "overdue": "逾期"}[self.value]


@dataclass(frozen=True)
class ScanResult:
    """What one scan wrote: the task ids reminded under each rule and the messages queued."""

    day: dt.date
    near_due: list[int] = field(default_factory=list)
    overdue: list[int] = field(default_factory=list)
    messages: int = 0

    @property
    def reminded(self) -> int:
        return len(self.near_due) + len(self.overdue)

    def summary(self) -> dict[str, Any]:
        """Counts only: what a job returns and a log line shows."""
        return {
            "day": self.day.isoformat(),
            "near_due": len(self.near_due),
            "overdue": len(self.overdue),
            "messages": self.messages,
        }


@dataclass
class _Candidate:
    task_id: int
    text: str
    deadline: dt.date
    rule: ReminderRule
    unit_ids: list[int] = field(default_factory=list)


def _short(text: str, limit: int = _TITLE_TEXT_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _month_day(day: dt.date, today: dt.date) -> str:
    prefix = "" if day.year == today.year else f"{day.year}年"
    return f"{prefix}{day.month}月{day.day}日"


def reminder_text(rule: ReminderRule, task_text: str, deadline: dt.date, today: dt.date) -> tuple[str, str]:
    """The (title, body) of the 催办 message for one task on `today`."""
    short = _short(task_text)
    when = _month_day(deadline, today)
    if rule is ReminderRule.OVERDUE:
        days = (today - deadline).days
        title = f"【催办】“{short}”已逾期{days}天"
        body = f"【催办】“{short}”任务已逾期{days}天（截止日期{when}），请尽快办结并反馈办理情况。"
    else:
        due = "今天" if deadline == today else when
        title = f"【催办】“{short}”将于{due}到期"
        body = f"【催办】“{short}”任务将于{due}到期，请抓紧办理，按时反馈办理情况。"
    return title, body


def _candidates(session: Session, today: dt.date, cutoff: dt.date) -> list[_Candidate]:
    """Held tasks due before `cutoff` with no reminder under their rule today, with their owner units.

    One query: the rule is decided in SQL (deadline before today → overdue),
    so the NOT EXISTS checks exactly the (task, rule, day) the unique
    constraint guards.
    """
    overdue = Task.deadline < today
    already = exists().where(
        Reminder.task_id == Task.id,
        Reminder.day == today,
        # The rule this task falls under today: overdue when past, near_due otherwise.
        ((Reminder.rule == ReminderRule.OVERDUE.value) & overdue)
        | ((Reminder.rule == ReminderRule.NEAR_DUE.value) & (Task.deadline >= today)),
    )
    rows = session.execute(
        select(Task.id, Task.text, Task.deadline, TaskOwner.unit_id)
        .outerjoin(TaskOwner, TaskOwner.task_id == Task.id)
        .where(
            Task.status.in_(HELD_STATES),
            Task.deadline.is_not(None),
            Task.deadline < cutoff,
            ~already,
        )
        .order_by(Task.deadline, Task.id, TaskOwner.position, TaskOwner.id)
    ).all()
    found: dict[int, _Candidate] = {}
    for task_id, text, deadline, unit_id in rows:
        candidate = found.get(task_id)
        if candidate is None:
            assert deadline is not None  # filtered in SQL
            rule = ReminderRule.OVERDUE if deadline < today else ReminderRule.NEAR_DUE
            candidate = found[task_id] = _Candidate(task_id, text, deadline, rule)
        if unit_id is not None and unit_id not in candidate.unit_ids:
            candidate.unit_ids.append(unit_id)
    return list(found.values())


def _insert_ignoring_duplicates(session: Session) -> Insert:
    """INSERT INTO reminders … ON CONFLICT DO NOTHING where the database has it."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(Reminder).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite.insert(Reminder).on_conflict_do_nothing()
    return insert(Reminder)


def _insert_reminders(
    session: Session, candidates: Sequence[_Candidate], today: dt.date, now: dt.datetime
) -> set[tuple[int, str]]:
    """Bulk-insert one reminder per candidate; the (task_id, rule) pairs really inserted."""
    if not candidates:
        return set()
    rows = [
        {
            "task_id": c.task_id,
            "rule": c.rule.value,
            "day": today,
            "message": reminder_text(c.rule, c.text, c.deadline, today)[1],
            "created_by_id": None,
            "created_at": now,
        }
        for c in candidates
    ]
    statement = _insert_ignoring_duplicates(session).returning(Reminder.task_id, Reminder.rule)
    inserted = session.execute(statement, rows).all()
    return {(task_id, rule) for task_id, rule in inserted}


def _outbox_rows(candidates: Iterable[_Candidate], today: dt.date, now: dt.datetime) -> list[dict[str, Any]]:
    """One pending REMINDER message per owner unit, the rows `notify.enqueue_for_units` would add.

    `enqueue_for_units` builds one ORM object per message; a scan of 100,000
    overdue tasks queues a few hundred thousand messages, which the ORM unit
    of work takes many seconds to flush, so the scan inserts the same rows in
    bulk instead.
    """
    rows: list[dict[str, Any]] = []
    for c in candidates:
        title, body = reminder_text(c.rule, c.text, c.deadline, today)
        payload = {"rule": c.rule.value, "deadline": c.deadline.isoformat(), "day": today.isoformat()}
        rows.extend(
            message_row(
                MessageKind.REMINDER, title, body, now, task_id=c.task_id, unit_id=unit_id, payload=payload
            )
            for unit_id in dict.fromkeys(c.unit_ids)
        )
    return rows


def scan(session: Session, today: dt.date, near_days: int | None = None) -> ScanResult:
    """Write today's reminders and their messages; flush, never commit (the job or CLI commits).

    `near_days` defaults to the `near_due_workdays` setting. A task gets at
    most one reminder per rule per day, so running the scan every hour
    reminds each task once a day.
    """
    if near_days is None:
        near_days = get_settings().near_due_workdays
    cutoff = near_due_cutoff(today, near_days)
    now = clock.now()

    candidates = _candidates(session, today, cutoff)
    inserted = _insert_reminders(session, candidates, today, now)
    # A concurrent scan may have reminded some of these between our SELECT and INSERT: skip those.
    reminded = [c for c in candidates if (c.task_id, c.rule.value) in inserted]
    messages = _outbox_rows(reminded, today, now)
    if messages:
        session.execute(insert(OutboxMessage), messages)

    result = ScanResult(
        day=today,
        near_due=sorted(c.task_id for c in reminded if c.rule is ReminderRule.NEAR_DUE),
        overdue=sorted(c.task_id for c in reminded if c.rule is ReminderRule.OVERDUE),
        messages=len(messages),
    )
    if result.reminded:
        # One audit event per scan run, not one per reminder: a scan can remind 100,000 tasks,
        # and the audit chain appends under a lock, hashing each event, one row at a time.
        # The reminders table keeps the per-task record; this event keeps who/when/what in the chain.
        # A scan that reminded nothing (every hourly rerun) leaves no event, so the log is not flooded.
        audit.record(
            session,
            SYSTEM_ACTOR,
            "reminder_scan",
            "reminder",
            None,
            after={
                "day": today,
                "near_due_workdays": near_days,
                "near_due_count": len(result.near_due),
                "overdue_count": len(result.overdue),
                "messages": result.messages,
                "near_due": result.near_due,
                "overdue": result.overdue,
            },
            at=now,
        )
    session.flush()
    return result
