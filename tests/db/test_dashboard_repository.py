"""Dashboard figures: overdue by unit, completions per ISO week (Shanghai dates), most overdue, activity."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from duban.db.models import OwnerRole
from duban.db.repositories.dashboard import (
    overdue_by_unit,
    recent_activity,
    top_overdue,
    weekly_completions,
)
from duban.db.session import read_session, write_session
from duban.workflow import service
from tests.personas import World, add_task

# A Wednesday; its ISO week starts on Monday 2026-06-08.
TODAY = dt.date(2026, 6, 10)


def _shanghai(y: int, m: int, d: int, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=dt.timezone(dt.timedelta(hours=8))).astimezone(dt.UTC)


def _done(s: Session, owners: list[tuple[int, OwnerRole]], done_at: dt.datetime) -> None:
    task = add_task(s, status="done", owners=owners, deadline=dt.date(2026, 6, 30))
    task.done_at = done_at
    s.flush()


def test_overdue_by_unit_counts_handed_out_lead_and_responsible_tasks_past_deadline(
    engine: Engine, world: World
) -> None:
    late = dt.date(2026, 6, 1)
    with write_session(engine) as s:
        add_task(s, status="in_progress", owners=[(world.unit_a, OwnerRole.LEAD)], deadline=late)
        add_task(s, status="submitted", owners=[(world.unit_a, OwnerRole.RESPONSIBLE)], deadline=late)
        add_task(
            s,
            status="assigned",
            owners=[(world.unit_b, OwnerRole.LEAD), (world.unit_c, OwnerRole.SUPPORTING)],
            deadline=late,
        )
        add_task(s, status="draft", owners=[(world.unit_b, OwnerRole.LEAD)], deadline=late)
        add_task(s, status="done", owners=[(world.unit_b, OwnerRole.LEAD)], deadline=late)
        add_task(s, status="in_progress", owners=[(world.unit_b, OwnerRole.LEAD)], deadline=TODAY)
    with read_session(engine) as s:
        rows = overdue_by_unit(s, world.supervisor, TODAY)
    assert [(r.unit_id, r.overdue) for r in rows] == [(world.unit_a, 2), (world.unit_b, 1)]


def test_unit_user_sees_only_their_own_units_overdue_bar(engine: Engine, world: World) -> None:
    late = dt.date(2026, 6, 1)
    with write_session(engine) as s:
        add_task(
            s,
            status="in_progress",
            owners=[(world.unit_a, OwnerRole.LEAD), (world.unit_b, OwnerRole.RESPONSIBLE)],
            deadline=late,
        )
        add_task(s, status="in_progress", owners=[(world.unit_a, OwnerRole.LEAD)], deadline=late)
    with read_session(engine) as s:
        rows = overdue_by_unit(s, world.unit_b_user, TODAY)
        nothing = overdue_by_unit(s, world.unit_c_user, TODAY)
    assert [(r.unit_id, r.overdue) for r in rows] == [(world.unit_b, 1)]
    assert nothing == []


def test_weekly_completions_has_twelve_iso_weeks_including_empty_ones(engine: Engine, world: World) -> None:
    owners = [(world.unit_a, OwnerRole.LEAD)]
    with write_session(engine) as s:
        _done(s, owners, _shanghai(2026, 6, 9, 10))  # this week
        _done(s, owners, _shanghai(2026, 6, 10, 9))  # this week, today
        _done(s, owners, _shanghai(2026, 5, 20, 15))  # three weeks back
        _done(s, owners, _shanghai(2026, 3, 1, 12))  # before the first week shown
    with read_session(engine) as s:
        weeks = weekly_completions(s, world.supervisor, TODAY)
    assert len(weeks) == 12
    assert weeks[0].start == dt.date(2026, 3, 23) and weeks[-1].start == dt.date(2026, 6, 8)
    assert all(w.start.weekday() == 0 for w in weeks)
    assert [w.done for w in weeks] == [0] * 8 + [1, 0, 0, 2]
    assert weeks[-1].label == "2026年第24周"


def test_a_task_done_late_sunday_evening_in_beijing_counts_in_that_week(engine: Engine, world: World) -> None:
    owners = [(world.unit_a, OwnerRole.LEAD)]
    with write_session(engine) as s:
        # 23:30 Sunday in Shanghai is 15:30 UTC the same Sunday; 00:30 Monday is Sunday 16:30 UTC.
        _done(s, owners, _shanghai(2026, 6, 7, 23, 30))
        _done(s, owners, _shanghai(2026, 6, 8, 0, 30))
    with read_session(engine) as s:
        weeks = weekly_completions(s, world.supervisor, TODAY)
    assert [w.done for w in weeks[-2:]] == [1, 1]


def test_weekly_completions_for_a_unit_user_count_only_their_tasks(engine: Engine, world: World) -> None:
    with write_session(engine) as s:
        _done(s, [(world.unit_a, OwnerRole.LEAD)], _shanghai(2026, 6, 9, 10))
        _done(s, [(world.unit_b, OwnerRole.LEAD)], _shanghai(2026, 6, 9, 11))
        _done(s, [(world.unit_b, OwnerRole.LEAD)], _shanghai(2026, 6, 9, 12))
    with read_session(engine) as s:
        a = weekly_completions(s, world.unit_a_user, TODAY)
        everyone = weekly_completions(s, world.leader, TODAY)
    assert a[-1].done == 1 and everyone[-1].done == 3


def test_top_overdue_lists_the_most_days_late_first(engine: Engine, world: World) -> None:
    owners = [(world.unit_a, OwnerRole.LEAD)]
    with write_session(engine) as s:
        a = add_task(s, status="in_progress", owners=owners, deadline=dt.date(2026, 6, 5), text="五天").id
        b = add_task(s, status="assigned", owners=owners, deadline=dt.date(2026, 5, 1), text="四十天").id
        add_task(s, status="in_progress", owners=owners, deadline=dt.date(2026, 7, 1), text="未到期")
        c = add_task(
            s, status="submitted", owners=[(world.unit_b, OwnerRole.LEAD)], deadline=dt.date(2026, 6, 9)
        ).id
    with read_session(engine) as s:
        rows = top_overdue(s, world.supervisor, TODAY)
        mine = top_overdue(s, world.unit_b_user, TODAY)
    assert [(r.task_id, r.days_late) for r in rows] == [(b, 40), (a, 5), (c, 1)]
    assert rows[0].units == ["区财政局"]
    assert [r.task_id for r in mine] == [c]


def test_recent_activity_shows_only_events_on_visible_tasks(engine: Engine, world: World) -> None:
    with write_session(engine) as s:
        a = add_task(s, owners=[(world.unit_a, OwnerRole.LEAD)], text="甲单位的任务").id
        b = add_task(s, owners=[(world.unit_b, OwnerRole.LEAD)], text="乙单位的任务").id
        service.assign(s, world.supervisor, a)
        service.assign(s, world.supervisor, b)
        service.acknowledge(s, world.unit_b_user, b)
    with read_session(engine) as s:
        everything = recent_activity(s, world.supervisor)
        mine = recent_activity(s, world.unit_a_user)
    assert [(e.task_id, e.label) for e in everything] == [(b, "签收"), (b, "交办"), (a, "交办")]
    assert [(e.task_id, e.actor, e.task_text) for e in mine] == [(a, "dc", "甲单位的任务")]
