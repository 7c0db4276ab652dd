from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from duban import clock
from duban.db.models import OwnerRole, Task, TaskOwner, Unit
from duban.errors import Rejected
from duban.workflow.scoring import Period, UnitScore, rank_scores, score_units
from duban.workflow.states import State

TODAY = dt.date(2026, 4, 15)
Q1 = Period.parse("2026Q1")
H1 = Period.parse("2026H1")


def _utc(y: int, m: int, d: int, hh: int = 2, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=dt.UTC)


class Ledger:
    """Builds units and tasks directly with the models, flushed into the test's session."""

    def __init__(self, db: Session) -> None:
        self.db = db
        self.units: dict[str, Unit] = {}

    def unit(self, name: str) -> Unit:
        if name not in self.units:
            unit = Unit(name=name, created_at=clock.now())
            self.db.add(unit)
            self.db.flush()
            self.units[name] = unit
        return self.units[name]

    def task(
        self,
        deadline: dt.date | None,
        *owners: tuple[str, OwnerRole],
        status: State = State.IN_PROGRESS,
        done_at: dt.datetime | None = None,
    ) -> Task:
        now = clock.now()
        task = Task(
            text="按期完成有关工作",
            status=status.value,
            deadline=deadline,
            done_at=done_at,
            created_at=now,
            updated_at=now,
        )
        task.owners = [
            TaskOwner(unit_id=self.unit(name).id, role=role.value, position=i)
            for i, (name, role) in enumerate(owners)
        ]
        self.db.add(task)
        self.db.flush()
        return task

    def done(self, name: str, deadline: dt.date, done_at: dt.datetime | None) -> Task:
        return self.task(deadline, (name, OwnerRole.LEAD), status=State.DONE, done_at=done_at)

    def open(self, name: str, deadline: dt.date | None, status: State = State.IN_PROGRESS) -> Task:
        return self.task(deadline, (name, OwnerRole.LEAD), status=status)


@pytest.fixture
def ledger(db: Session) -> Ledger:
    return Ledger(db)


def _by_name(scores: list[UnitScore]) -> dict[str, UnitScore]:
    return {s.unit_name: s for s in scores}


# --- periods ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key", "start", "end", "label"),
    [
        ("2026", "2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31), "2026年"),
        ("2026Q1", "2026Q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31), "2026年第一季度"),
        ("2026q2", "2026Q2", dt.date(2026, 4, 1), dt.date(2026, 6, 30), "2026年第二季度"),
        (" 2026Q4 ", "2026Q4", dt.date(2026, 10, 1), dt.date(2026, 12, 31), "2026年第四季度"),
        ("2026H1", "2026H1", dt.date(2026, 1, 1), dt.date(2026, 6, 30), "2026年上半年"),
        ("2026H2", "2026H2", dt.date(2026, 7, 1), dt.date(2026, 12, 31), "2026年下半年"),
        ("2026-03", "2026-03", dt.date(2026, 3, 1), dt.date(2026, 3, 31), "2026年3月"),
        ("2026-3", "2026-03", dt.date(2026, 3, 1), dt.date(2026, 3, 31), "2026年3月"),
        ("2026-12", "2026-12", dt.date(2026, 12, 1), dt.date(2026, 12, 31), "2026年12月"),
        ("2024-02", "2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29), "2024年2月"),
    ],
)
def test_period_parses_years_halves_quarters_and_months(
    text: str, key: str, start: dt.date, end: dt.date, label: str
) -> None:
    period = Period.parse(text)
    assert (period.key, period.start, period.end, period.label) == (key, start, end, label)
    assert str(period) == key


@pytest.mark.parametrize(
    "text",
    ["", "2026Q5", "2026Q0", "2026H3", "2026-13", "2026-00", "26Q1", "2026年", "2026Q1x", "Q1", "0999"],
)
def test_bad_period_is_rejected_with_a_chinese_message(text: str) -> None:
    with pytest.raises(Rejected) as info:
        Period.parse(text)
    assert "考核" in info.value.message_zh or "月份" in info.value.message_zh


def test_period_is_frozen() -> None:
    with pytest.raises(AttributeError):
        Q1.key = "2027"  # type: ignore[misc]


# --- counting --------------------------------------------------------------------


def test_on_time_late_overdue_and_not_yet_due_are_counted_apart(ledger: Ledger, db: Session) -> None:
    ledger.done("区财政局", dt.date(2026, 3, 10), _utc(2026, 3, 9))  # on time
    ledger.done("区财政局", dt.date(2026, 3, 10), _utc(2026, 3, 12))  # 2 days late
    ledger.open("区财政局", dt.date(2026, 3, 20))  # overdue: 26 days by 4-15
    ledger.open("区财政局", dt.date(2026, 6, 30))  # not yet due
    ledger.open("区财政局", TODAY)  # due today: the unit still has the day

    [score] = score_units(db, H1, TODAY)
    assert (score.due, score.on_time, score.late, score.overdue, score.open) == (5, 1, 1, 1, 2)
    assert score.days_late_total == 2 + 26
    assert score.avg_days_late == 14.0
    assert score.on_time_rate == pytest.approx(1 / 3)
    assert score.rank == 1


def test_overdue_days_count_until_today_not_the_period_end(ledger: Ledger, db: Session) -> None:
    ledger.open("区住建局", dt.date(2026, 3, 31))
    [score] = score_units(db, Q1, TODAY)
    assert (score.overdue, score.days_late_total) == (1, 15)


def test_submitted_but_not_accepted_after_the_deadline_is_overdue(ledger: Ledger, db: Session) -> None:
    ledger.open("区住建局", dt.date(2026, 3, 31), status=State.SUBMITTED)
    [score] = score_units(db, Q1, TODAY)
    assert score.overdue == 1


def test_done_late_at_night_utc_is_the_next_day_in_shanghai(ledger: Ledger, db: Session) -> None:
    deadline = dt.date(2026, 3, 10)
    ledger.done("区财政局", deadline, _utc(2026, 3, 10, 15, 59))  # 23:59 Beijing time on the deadline
    ledger.done("区住建局", deadline, _utc(2026, 3, 10, 16, 30))  # 00:30 on 3-11 in Beijing

    scores = _by_name(score_units(db, Q1, TODAY))
    assert (scores["区财政局"].on_time, scores["区财政局"].late) == (1, 0)
    assert (scores["区住建局"].on_time, scores["区住建局"].late) == (0, 1)
    assert scores["区住建局"].days_late_total == 1


def test_shanghai_midnight_is_the_boundary_to_the_microsecond(ledger: Ledger, db: Session) -> None:
    deadline = dt.date(2026, 3, 10)
    last_moment = dt.datetime(2026, 3, 10, 15, 59, 59, 999999, tzinfo=dt.UTC)
    ledger.done("区财政局", deadline, last_moment)
    ledger.done("区住建局", deadline, _utc(2026, 3, 10, 16, 0))  # 00:00 on 3-11 in Beijing
    scores = _by_name(score_units(db, Q1, TODAY))
    assert (scores["区财政局"].on_time, scores["区住建局"].late) == (1, 1)


def test_done_without_a_completion_time_counts_as_on_time(ledger: Ledger, db: Session) -> None:
    ledger.done("区财政局", dt.date(2026, 3, 10), None)
    [score] = score_units(db, Q1, TODAY)
    assert (score.on_time, score.on_time_rate) == (1, 1.0)


def test_supporting_units_are_not_scored(ledger: Ledger, db: Session) -> None:
    ledger.task(
        dt.date(2026, 3, 1),
        ("区财政局", OwnerRole.LEAD),
        ("区住建局", OwnerRole.RESPONSIBLE),
        ("区招商局", OwnerRole.SUPPORTING),
    )
    scores = _by_name(score_units(db, Q1, TODAY))
    assert sorted(scores) == ["区住建局", "区财政局"]
    assert scores["区财政局"].overdue == scores["区住建局"].overdue == 1


def test_cancelled_draft_undated_and_out_of_period_tasks_are_left_out(ledger: Ledger, db: Session) -> None:
    ledger.open("区财政局", dt.date(2026, 2, 1), status=State.CANCELLED)
    ledger.open("区财政局", dt.date(2026, 2, 1), status=State.DRAFT)
    ledger.open("区财政局", None)
    ledger.open("区财政局", dt.date(2025, 12, 31))
    ledger.open("区财政局", dt.date(2026, 4, 1))
    ledger.open("区住建局", dt.date(2026, 1, 1), status=State.ASSIGNED)
    ledger.open("区住建局", dt.date(2026, 3, 31))

    scores = _by_name(score_units(db, Q1, TODAY))
    assert list(scores) == ["区住建局"]
    assert scores["区住建局"].due == 2


def test_no_tasks_no_scores(ledger: Ledger, db: Session) -> None:
    ledger.unit("区财政局")
    assert score_units(db, Q1, TODAY) == []


# --- ranking ---------------------------------------------------------------------


def test_ranking_order_rate_then_overdue_then_days_late_then_name(ledger: Ledger, db: Session) -> None:
    march = dt.date(2026, 3, 10)
    # A: 2/2 on time.
    ledger.done("A局", march, _utc(2026, 3, 1))
    ledger.done("A局", march, _utc(2026, 3, 2))
    # B and C: 1/2 on time, one done late (B by 1 day, C by 5): B before C.
    for name, late_day in (("C局", 15), ("B局", 11)):
        ledger.done(name, march, _utc(2026, 3, 1))
        ledger.done(name, march, _utc(2026, 3, late_day))
    # D: 1/2 on time but the other is still overdue: after B and C.
    ledger.done("D局", march, _utc(2026, 3, 1))
    ledger.open("D局", march)
    # E: nothing decided yet (only a task not yet due): no rate, last.
    ledger.open("E局", dt.date(2026, 6, 30))
    # F: 0/1.
    ledger.open("F局", march)

    ranked = score_units(db, H1, TODAY)
    assert [(s.rank, s.unit_name) for s in ranked] == [
        (1, "A局"),
        (2, "B局"),
        (3, "C局"),
        (4, "D局"),
        (5, "F局"),
        (6, "E局"),
    ]
    assert ranked[-1].on_time_rate is None


def test_ties_share_a_rank_and_the_next_rank_skips(ledger: Ledger, db: Session) -> None:
    march = dt.date(2026, 3, 10)
    for name in ("区住建局", "区财政局"):
        ledger.done(name, march, _utc(2026, 3, 1))
        ledger.done(name, march, _utc(2026, 3, 12))
    # The same rate, overdue and average from different counts: 2 of 4, each late task 2 days.
    for day in (1, 2):
        ledger.done("区招商局", march, _utc(2026, 3, day))
        ledger.done("区招商局", march, _utc(2026, 3, 12))
    ledger.open("区应急局", march)

    ranked = score_units(db, Q1, TODAY)
    assert [(s.rank, s.unit_name) for s in ranked] == [
        (1, "区住建局"),
        (1, "区招商局"),
        (1, "区财政局"),
        (4, "区应急局"),
    ]


def test_rank_scores_without_a_database() -> None:
    def score(name: str, on_time: int, overdue: int, days: int) -> UnitScore:
        return UnitScore(0, name, on_time + overdue, on_time, 0, overdue, 0, days)

    ranked = rank_scores([score("乙", 1, 1, 3), score("甲", 1, 1, 3), score("丙", 3, 0, 0)])
    assert [(s.rank, s.unit_name) for s in ranked] == [(1, "丙"), (2, "乙"), (2, "甲")]
