from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, selectinload

from duban import clock
from duban.db.models import AuditEvent, OutboxMessage, OwnerRole, Task, TaskOwner, Unit
from duban.db.session import read_session, write_session
from duban.workflow.audit import verify
from duban.workflow.recurrence import (
    Recurrence,
    instance_deadline,
    period_containing,
    period_label,
    spawn_due,
)

D = dt.date

# --- period arithmetic ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "recurrence", "period"),
    [
        # Weekly: ISO weeks, Monday to Sunday, across the year boundary.
        (D(2026, 12, 28), "weekly", (D(2026, 12, 28), D(2027, 1, 3))),
        (D(2026, 12, 31), "weekly", (D(2026, 12, 28), D(2027, 1, 3))),
        (D(2027, 1, 3), "weekly", (D(2026, 12, 28), D(2027, 1, 3))),
        (D(2027, 1, 4), "weekly", (D(2027, 1, 4), D(2027, 1, 10))),
        # Monthly: December → January, February in a leap year and not.
        (D(2026, 12, 31), "monthly", (D(2026, 12, 1), D(2026, 12, 31))),
        (D(2027, 1, 1), "monthly", (D(2027, 1, 1), D(2027, 1, 31))),
        (D(2028, 2, 10), "monthly", (D(2028, 2, 1), D(2028, 2, 29))),
        (D(2027, 2, 28), "monthly", (D(2027, 2, 1), D(2027, 2, 28))),
        # Quarterly: Q4 → Q1, and each quarter's edges.
        (D(2026, 12, 31), "quarterly", (D(2026, 10, 1), D(2026, 12, 31))),
        (D(2027, 1, 1), "quarterly", (D(2027, 1, 1), D(2027, 3, 31))),
        (D(2026, 4, 1), "quarterly", (D(2026, 4, 1), D(2026, 6, 30))),
        (D(2026, 9, 30), "quarterly", (D(2026, 7, 1), D(2026, 9, 30))),
        # Semiannual: H2 → H1.
        (D(2026, 12, 31), "semiannual", (D(2026, 7, 1), D(2026, 12, 31))),
        (D(2027, 1, 1), "semiannual", (D(2027, 1, 1), D(2027, 6, 30))),
        (D(2026, 6, 30), "semiannual", (D(2026, 1, 1), D(2026, 6, 30))),
        (D(2026, 7, 1), "semiannual", (D(2026, 7, 1), D(2026, 12, 31))),
        # Annual.
        (D(2026, 12, 31), "annual", (D(2026, 1, 1), D(2026, 12, 31))),
        (D(2027, 1, 1), "annual", (D(2027, 1, 1), D(2027, 12, 31))),
    ],
)
def test_period_containing_a_day(day: dt.date, recurrence: str, period: tuple[dt.date, dt.date]) -> None:
    assert period_containing(day, recurrence) == period


@pytest.mark.parametrize("recurrence", list(Recurrence))
def test_consecutive_periods_tile_the_calendar_without_gaps(recurrence: Recurrence) -> None:
    day = D(2025, 12, 1)
    start, end = period_containing(day, recurrence)
    while start < D(2028, 2, 1):
        assert start <= end
        assert period_containing(start, recurrence) == (start, end)
        assert period_containing(end, recurrence) == (start, end)
        next_start, next_end = period_containing(end + dt.timedelta(days=1), recurrence)
        assert next_start == end + dt.timedelta(days=1)
        start, end = next_start, next_end


def test_unknown_recurrence_is_refused() -> None:
    with pytest.raises(ValueError):
        period_containing(D(2026, 1, 1), "daily")


@pytest.mark.parametrize(
    ("start", "recurrence", "label"),
    [
        (D(2026, 10, 1), "quarterly", "2026年第四季度"),
        (D(2027, 1, 1), "quarterly", "2027年第一季度"),
        (D(2027, 1, 1), "monthly", "2027年1月"),
        (D(2026, 7, 1), "semiannual", "2026年下半年"),
        (D(2027, 1, 1), "semiannual", "2027年上半年"),
        (D(2027, 1, 1), "annual", "2027年度"),
        # The ISO week containing 2027-01-01 is week 53 of 2026.
        (D(2026, 12, 28), "weekly", "2026年第53周（12月28日至1月3日）"),
    ],
)
def test_period_labels(start: dt.date, recurrence: str, label: str) -> None:
    assert period_label(start, recurrence) == label


def test_instance_deadline_is_the_period_end_unless_the_template_ends_sooner() -> None:
    assert instance_deadline(None, D(2026, 12, 31)) == D(2026, 12, 31)
    assert instance_deadline(D(2027, 6, 30), D(2026, 12, 31)) == D(2026, 12, 31)
    assert instance_deadline(D(2026, 11, 15), D(2026, 12, 31)) == D(2026, 11, 15)


# --- spawning -----------------------------------------------------------------------------------------


def _units(session: Session, *names: str) -> list[int]:
    units = [Unit(name=name, created_at=clock.now()) for name in names]
    session.add_all(units)
    session.flush()
    return [u.id for u in units]


def _template(
    session: Session,
    recurrence: str | None,
    *,
    status: str = "assigned",
    owners: Sequence[tuple[int, OwnerRole]] = (),
    deadline: dt.date | None = None,
    start_date: dt.date | None = None,
    parent_id: int | None = None,
    period_start: dt.date | None = None,
    text: str = "市爱卫办每季度组织开展一次检查评比。",
) -> int:
    now = clock.now()
    task = Task(
        text=text,
        status=status,
        recurrence=recurrence,
        deadline=deadline,
        start_date=start_date,
        parent_id=parent_id,
        period_start=period_start,
        leader_name="王强",
        span_start=10,
        span_end=30,
        confirmed=status != "draft",
        created_at=now,
        updated_at=now,
    )
    for position, (unit_id, role) in enumerate(owners):
        task.owners.append(TaskOwner(unit_id=unit_id, role=role.value, position=position))
    session.add(task)
    session.flush()
    return task.id


def _spawn(engine: Engine, today: dt.date) -> list[int]:
    with write_session(engine) as s:
        return [t.id for t in spawn_due(s, today)]


def _instances(engine: Engine, template_id: int) -> list[Task]:
    with read_session(engine) as s:
        rows = list(
            s.scalars(
                select(Task)
                .where(Task.parent_id == template_id)
                .options(selectinload(Task.owners))
                .order_by(Task.period_start)
            )
        )
        s.expunge_all()
        return rows


def _count(engine: Engine, model: Any, *where: Any) -> int:
    with read_session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_a_live_quarterly_template_spawns_the_new_quarter_on_new_years_day(engine: Engine) -> None:
    with write_session(engine) as s:
        a, b = _units(s, "市爱卫办", "区卫健委")
        template = _template(s, "quarterly", owners=[(a, OwnerRole.LEAD), (b, OwnerRole.SUPPORTING)])

    spawned = _spawn(engine, D(2027, 1, 1))

    (instance,) = _instances(engine, template)
    assert spawned == [instance.id]
    assert (instance.period_start, instance.period_end, instance.deadline) == (
        D(2027, 1, 1),
        D(2027, 3, 31),
        D(2027, 3, 31),
    )
    assert instance.status == "assigned"
    assert instance.assigned_at is not None
    assert instance.recurrence is None
    assert (instance.text, instance.leader_name, instance.span_start, instance.span_end) == (
        "市爱卫办每季度组织开展一次检查评比。",
        "王强",
        10,
        30,
    )
    assert [(o.unit_id, o.role, o.position) for o in instance.owners] == [
        (a, "lead", 0),
        (b, "supporting", 1),
    ]


def test_each_owner_unit_is_told_and_the_spawn_is_audited(engine: Engine) -> None:
    with write_session(engine) as s:
        a, b = _units(s, "市爱卫办", "区卫健委")
        template = _template(s, "monthly", owners=[(a, OwnerRole.LEAD), (b, OwnerRole.RESPONSIBLE)])

    (instance_id,) = _spawn(engine, D(2027, 1, 4))

    with read_session(engine) as s:
        messages = s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert [(m.kind, m.unit_id, m.task_id) for m in messages] == [
            ("assigned", a, instance_id),
            ("assigned", b, instance_id),
        ]
        assert "2027年1月" in messages[0].title
        assert "请于2027年1月31日前办结" in messages[0].body
        (event,) = s.scalars(select(AuditEvent)).all()
        assert (event.action, event.entity, event.entity_id) == ("spawn", "task", instance_id)
        assert event.after is not None
        assert event.after["parent_id"] == template
        assert event.after["period_start"] == "2027-01-01"
        assert verify(s).ok


def test_spawning_twice_in_one_period_makes_one_instance(engine: Engine) -> None:
    with write_session(engine) as s:
        (a,) = _units(s, "市爱卫办")
        template = _template(s, "quarterly", owners=[(a, OwnerRole.LEAD)])

    first = _spawn(engine, D(2026, 10, 1))
    again = _spawn(engine, D(2026, 10, 1))
    later_in_quarter = _spawn(engine, D(2026, 12, 31))
    next_quarter = _spawn(engine, D(2027, 1, 1))

    assert (len(first), again, later_in_quarter, len(next_quarter)) == (1, [], [], 1)
    assert [i.period_start for i in _instances(engine, template)] == [D(2026, 10, 1), D(2027, 1, 1)]
    assert _count(engine, OutboxMessage) == 2
    assert _count(engine, AuditEvent) == 2


def test_a_late_run_still_spawns_the_current_period(engine: Engine) -> None:
    with write_session(engine) as s:
        (a,) = _units(s, "市爱卫办")
        template = _template(s, "semiannual", owners=[(a, OwnerRole.LEAD)])

    _spawn(engine, D(2027, 3, 15))

    assert [(i.period_start, i.period_end) for i in _instances(engine, template)] == [
        (D(2027, 1, 1), D(2027, 6, 30))
    ]


@pytest.mark.parametrize("status", ["draft", "submitted", "done", "cancelled"])
def test_only_live_templates_spawn(engine: Engine, status: str) -> None:
    with write_session(engine) as s:
        (a,) = _units(s, "市爱卫办")
        _template(s, "monthly", status=status, owners=[(a, OwnerRole.LEAD)])
    assert _spawn(engine, D(2027, 1, 1)) == []


def test_in_progress_templates_spawn(engine: Engine) -> None:
    with write_session(engine) as s:
        (a,) = _units(s, "市爱卫办")
        _template(s, "annual", status="in_progress", owners=[(a, OwnerRole.LEAD)])
    assert len(_spawn(engine, D(2027, 1, 1))) == 1


def test_instances_and_plain_tasks_never_spawn(engine: Engine) -> None:
    with write_session(engine) as s:
        (a,) = _units(s, "市爱卫办")
        parent = _template(s, "monthly", status="done", owners=[(a, OwnerRole.LEAD)])
        # An instance that still carries a recurrence by mistake is not a template: it has a parent.
        _template(s, "monthly", parent_id=parent, period_start=D(2026, 12, 1), owners=[(a, OwnerRole.LEAD)])
        _template(s, None, owners=[(a, OwnerRole.LEAD)])
    assert _spawn(engine, D(2027, 1, 1)) == []


def test_each_rhythm_spawns_its_own_period_at_the_year_boundary(engine: Engine) -> None:
    with write_session(engine) as s:
        (a,) = _units(s, "市爱卫办")
        templates = {r: _template(s, r.value, owners=[(a, OwnerRole.LEAD)]) for r in Recurrence}

    _spawn(engine, D(2027, 1, 1))

    periods = {
        r: [(i.period_start, i.period_end) for i in _instances(engine, t)] for r, t in templates.items()
    }
    assert periods == {
        Recurrence.WEEKLY: [(D(2026, 12, 28), D(2027, 1, 3))],
        Recurrence.MONTHLY: [(D(2027, 1, 1), D(2027, 1, 31))],
        Recurrence.QUARTERLY: [(D(2027, 1, 1), D(2027, 3, 31))],
        Recurrence.SEMIANNUAL: [(D(2027, 1, 1), D(2027, 6, 30))],
        Recurrence.ANNUAL: [(D(2027, 1, 1), D(2027, 12, 31))],
    }


def test_the_weekly_instance_spanning_new_year_is_not_spawned_again_in_january(engine: Engine) -> None:
    with write_session(engine) as s:
        (a,) = _units(s, "市爱卫办")
        template = _template(s, "weekly", owners=[(a, OwnerRole.LEAD)])

    _spawn(engine, D(2026, 12, 28))
    assert _spawn(engine, D(2027, 1, 3)) == []
    _spawn(engine, D(2027, 1, 4))

    assert [i.period_start for i in _instances(engine, template)] == [D(2026, 12, 28), D(2027, 1, 4)]


def test_a_template_whose_duty_ended_or_has_not_begun_does_not_spawn(engine: Engine) -> None:
    with write_session(engine) as s:
        (a,) = _units(s, "市爱卫办")
        ended = _template(s, "quarterly", deadline=D(2026, 12, 31), owners=[(a, OwnerRole.LEAD)])
        not_yet = _template(s, "quarterly", start_date=D(2027, 4, 1), owners=[(a, OwnerRole.LEAD)])
        ends_inside = _template(s, "quarterly", deadline=D(2027, 2, 15), owners=[(a, OwnerRole.LEAD)])

    _spawn(engine, D(2027, 1, 1))

    assert _instances(engine, ended) == []
    assert _instances(engine, not_yet) == []
    (instance,) = _instances(engine, ends_inside)
    assert instance.deadline == D(2027, 2, 15)
