"""Warning lights: 逾期 / 临期 / 正常 from deadline, state and today, counted in working days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from duban.clock import workdays_between
from duban.workflow.states import State
from duban.workflow.warnings import DEFAULT_NEAR_DUE_WORKDAYS, Light, classify, near_due_cutoff

OPEN_STATES = [s for s in State if not s.terminal]
MONDAY = date(2026, 3, 9)  # an ordinary week: no holiday near it


@pytest.mark.parametrize("state", [State.DONE, State.CANCELLED])
def test_closed_tasks_have_no_light_even_when_long_past_their_deadline(state: State) -> None:
    assert classify(date(2025, 1, 1), state, MONDAY) is Light.NONE


@pytest.mark.parametrize("state", OPEN_STATES)
def test_an_open_task_without_a_deadline_is_green(state: State) -> None:
    assert classify(None, state, MONDAY) is Light.GREEN


@pytest.mark.parametrize("state", OPEN_STATES)
def test_an_open_task_past_its_deadline_is_red(state: State) -> None:
    assert classify(MONDAY - timedelta(days=1), state, MONDAY) is Light.RED


def test_a_task_due_today_is_yellow_not_red() -> None:
    assert classify(MONDAY, State.IN_PROGRESS, MONDAY) is Light.YELLOW


def test_three_working_days_left_is_yellow_and_four_is_green_by_default() -> None:
    assert DEFAULT_NEAR_DUE_WORKDAYS == 3
    assert classify(date(2026, 3, 12), State.IN_PROGRESS, MONDAY) is Light.YELLOW  # Tue, Wed, Thu left
    assert classify(date(2026, 3, 13), State.IN_PROGRESS, MONDAY) is Light.GREEN  # …and Fri


def test_a_weekend_does_not_count_as_time_left() -> None:
    friday = date(2026, 3, 13)
    assert classify(date(2026, 3, 18), State.ASSIGNED, friday) is Light.YELLOW  # Mon, Tue, Wed
    assert classify(date(2026, 3, 19), State.ASSIGNED, friday) is Light.GREEN


def test_the_near_due_window_is_configurable() -> None:
    thursday = date(2026, 3, 12)
    assert classify(thursday, State.IN_PROGRESS, MONDAY, near_days=1) is Light.GREEN
    assert classify(thursday, State.IN_PROGRESS, MONDAY, near_days=2) is Light.GREEN
    assert classify(thursday, State.IN_PROGRESS, MONDAY, near_days=3) is Light.YELLOW
    assert classify(date(2026, 3, 16), State.IN_PROGRESS, MONDAY, near_days=5) is Light.YELLOW


def test_with_a_zero_window_only_a_task_due_today_is_yellow() -> None:
    assert classify(MONDAY, State.IN_PROGRESS, MONDAY, near_days=0) is Light.YELLOW
    assert classify(MONDAY + timedelta(days=1), State.IN_PROGRESS, MONDAY, near_days=0) is Light.GREEN


def test_a_negative_window_is_refused() -> None:
    with pytest.raises(ValueError, match="near_days"):
        classify(MONDAY, State.IN_PROGRESS, MONDAY, near_days=-1)


def test_a_deadline_after_national_day_turns_yellow_before_the_holiday() -> None:
    # 国庆 2026: 1–7 Oct off. Due Friday 9 Oct: from 30 Sep only 8 and 9 Oct are left.
    deadline = date(2026, 10, 9)
    assert classify(deadline, State.IN_PROGRESS, date(2026, 9, 28)) is Light.GREEN  # 29, 30 Sep, 8, 9 Oct
    assert classify(deadline, State.IN_PROGRESS, date(2026, 9, 29)) is Light.YELLOW  # 30 Sep, 8, 9 Oct
    assert classify(deadline, State.IN_PROGRESS, date(2026, 9, 30)) is Light.YELLOW
    assert classify(deadline, State.IN_PROGRESS, date(2026, 10, 10)) is Light.RED


def test_a_deadline_inside_the_holiday_is_yellow_with_no_working_day_left() -> None:
    assert classify(date(2026, 10, 5), State.ASSIGNED, date(2026, 9, 30), near_days=0) is Light.YELLOW


def test_a_make_up_saturday_counts_as_time_left_across_spring_festival() -> None:
    # 春节 2026: 15–23 Feb off; Saturday 14 Feb worked. From Friday 13 Feb: 14, 24, 25, 26 Feb.
    friday = date(2026, 2, 13)
    assert classify(date(2026, 2, 25), State.IN_PROGRESS, friday) is Light.YELLOW
    assert classify(date(2026, 2, 26), State.IN_PROGRESS, friday) is Light.GREEN


def test_a_deadline_in_2027_is_judged_on_monday_to_friday() -> None:
    # 1 Jan 2027 counts as working until the 2027 calendar is published: Dec 31, Jan 1, Jan 4 → yellow.
    assert classify(date(2027, 1, 4), State.IN_PROGRESS, date(2026, 12, 30)) is Light.YELLOW
    assert classify(date(2027, 1, 5), State.IN_PROGRESS, date(2026, 12, 30)) is Light.GREEN


def test_the_light_depends_on_the_today_given_not_on_the_clock() -> None:
    with time_machine.travel(datetime(2030, 6, 1, tzinfo=UTC), tick=False):
        assert classify(date(2026, 3, 12), State.IN_PROGRESS, MONDAY) is Light.YELLOW


def test_the_cutoff_is_the_first_deadline_that_is_not_near_due() -> None:
    assert near_due_cutoff(date(2026, 9, 30)) == date(2026, 10, 12)  # 8, 9, 10(Sat 调休) Oct, then Mon 12


def test_lights_have_chinese_labels() -> None:
    assert [light.label for light in (Light.RED, Light.YELLOW, Light.GREEN)] == ["逾期", "临期", "正常"]
    assert Light.RED.value == "red"


@given(
    today=st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31)),
    offset=st.integers(min_value=-10, max_value=40),
    near_days=st.integers(min_value=0, max_value=10),
)
def test_yellow_means_at_most_the_window_in_working_days_left(
    today: date, offset: int, near_days: int
) -> None:
    deadline = today + timedelta(days=offset)
    left = workdays_between(today, deadline)
    expected = Light.RED if offset < 0 else Light.YELLOW if left <= near_days else Light.GREEN
    assert classify(deadline, State.IN_PROGRESS, today, near_days) is expected
