"""clock: the current time, Shanghai dates, and the working-day calendar.

Holiday dates asserted here were read from chinese-calendar 1.11 itself
(the State Council notices for 2025 and 2026), not from memory.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from duban import clock
from duban.clock import WorkdayResult, add_workdays, is_workday, workdays_between

# --- now / today / to_local -------------------------------------------------


def test_now_is_aware_utc_and_follows_the_traveller() -> None:
    instant = datetime(2026, 3, 6, 7, 30, tzinfo=UTC)
    with time_machine.travel(instant, tick=False):
        assert clock.now() == instant
        assert clock.now().utcoffset() == timedelta(0)


def test_today_is_the_shanghai_date_not_the_utc_date() -> None:
    # 20:00 UTC on 31 December is already 04:00 on 1 January in Shanghai.
    with time_machine.travel(datetime(2025, 12, 31, 20, 0, tzinfo=UTC), tick=False):
        assert clock.now().date() == date(2025, 12, 31)
        assert clock.today() == date(2026, 1, 1)


def test_today_before_shanghai_midnight_is_still_the_same_day() -> None:
    with time_machine.travel(datetime(2026, 2, 16, 15, 59, tzinfo=UTC), tick=False):
        assert clock.today() == date(2026, 2, 16)


def test_to_local_converts_an_aware_instant_to_shanghai_time() -> None:
    local = clock.to_local(datetime(2026, 1, 1, 16, 0, tzinfo=UTC))
    assert (local.date(), local.hour) == (date(2026, 1, 2), 0)
    assert local.utcoffset() == timedelta(hours=8)


def test_to_local_reads_a_naive_datetime_as_utc_because_that_is_how_it_is_stored() -> None:
    assert clock.to_local(datetime(2026, 1, 1, 16, 0)) == datetime(2026, 1, 2, 0, 0, tzinfo=clock.SHANGHAI)


def test_to_local_keeps_the_instant_of_another_offset() -> None:
    tokyo = datetime(2026, 1, 1, 9, 0, tzinfo=timezone(timedelta(hours=9)))
    assert clock.to_local(tokyo) == tokyo
    assert clock.to_local(tokyo).hour == 8


def test_working_day_functions_refuse_a_datetime_whose_day_depends_on_the_zone() -> None:
    with pytest.raises(TypeError, match="to_local"):
        is_workday(datetime(2026, 1, 5, 20, 0, tzinfo=UTC))


# --- is_workday ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 1, 28), False),  # 春节 2025, a Tuesday
        (date(2025, 2, 4), False),  # last day of 春节 2025
        (date(2025, 1, 26), True),  # Sunday 调休 for 春节 2025
        (date(2025, 2, 8), True),  # Saturday 调休 for 春节 2025
        (date(2025, 10, 8), False),  # 国庆 2025, a Wednesday
        (date(2025, 9, 28), True),  # Sunday 调休 for 国庆 2025
        (date(2025, 10, 11), True),  # Saturday 调休 for 国庆 2025
        (date(2026, 2, 23), False),  # 春节 2026, a Monday
        (date(2026, 2, 14), True),  # Saturday 调休 for 春节 2026
        (date(2026, 2, 28), True),  # Saturday 调休 for 春节 2026
        (date(2026, 9, 25), False),  # 中秋 2026, a Friday
        (date(2026, 10, 7), False),  # 国庆 2026, a Wednesday
        (date(2026, 10, 10), True),  # Saturday 调休 for 国庆 2026
        (date(2026, 3, 9), True),  # an ordinary Monday
        (date(2026, 3, 7), False),  # an ordinary Saturday
    ],
)
def test_is_workday_follows_the_official_calendar(day: date, expected: bool) -> None:
    assert is_workday(day) is expected


def test_is_workday_falls_back_to_monday_to_friday_for_a_year_without_data() -> None:
    assert clock.calendar_known(date(2026, 12, 31))
    assert not clock.calendar_known(date(2027, 1, 1))
    assert is_workday(date(2027, 1, 1))  # a Friday; surely a holiday, but not yet published
    assert not is_workday(date(2027, 1, 2))
    assert not clock.calendar_known(date(2003, 6, 2))
    assert is_workday(date(2003, 6, 2))


# --- add_workdays ----------------------------------------------------------------


def test_a_deadline_across_spring_festival_2025_skips_the_holiday_and_counts_the_make_up_days() -> None:
    # 春节 2025: 28 Jan – 4 Feb off; Sunday 26 Jan and Saturday 8 Feb worked.
    assert add_workdays(date(2025, 1, 24), 1) == WorkdayResult(date(2025, 1, 26), True)
    assert add_workdays(date(2025, 1, 24), 2) == WorkdayResult(date(2025, 1, 27), True)
    assert add_workdays(date(2025, 1, 24), 3) == WorkdayResult(date(2025, 2, 5), True)
    assert add_workdays(date(2025, 1, 27), 5) == WorkdayResult(date(2025, 2, 10), True)


def test_a_deadline_across_spring_festival_2026_skips_the_holiday_and_counts_the_make_up_days() -> None:
    # 春节 2026: 15–23 Feb off; Saturdays 14 and 28 Feb worked.
    assert add_workdays(date(2026, 2, 13), 1) == WorkdayResult(date(2026, 2, 14), True)
    assert add_workdays(date(2026, 2, 13), 2) == WorkdayResult(date(2026, 2, 24), True)
    assert add_workdays(date(2026, 2, 12), 5) == WorkdayResult(date(2026, 2, 26), True)
    assert add_workdays(date(2026, 2, 24), 4) == WorkdayResult(date(2026, 2, 28), True)


def test_a_deadline_across_national_day_2025_counts_the_saturday_make_up_day() -> None:
    # 国庆+中秋 2025: 1–8 Oct off; Sunday 28 Sep and Saturday 11 Oct worked.
    assert add_workdays(date(2025, 9, 26), 1) == WorkdayResult(date(2025, 9, 28), True)
    assert add_workdays(date(2025, 9, 30), 1) == WorkdayResult(date(2025, 10, 9), True)
    assert add_workdays(date(2025, 9, 30), 3) == WorkdayResult(date(2025, 10, 11), True)


def test_a_deadline_across_national_day_2026_counts_the_saturday_make_up_day() -> None:
    # 国庆 2026: 1–7 Oct off; Saturday 10 Oct worked; 中秋 is Friday 25 Sep.
    assert add_workdays(date(2026, 9, 30), 1) == WorkdayResult(date(2026, 10, 8), True)
    assert add_workdays(date(2026, 9, 30), 3) == WorkdayResult(date(2026, 10, 10), True)
    assert add_workdays(date(2026, 9, 24), 2) == WorkdayResult(date(2026, 9, 29), True)


def test_ten_working_days_from_a_national_day_assignment_in_2026() -> None:
    # Assigned on 29 Sep: 30 Sep, 8, 9, 10(Sat), 12, 13, 14, 15, 16, 19 Oct.
    assert add_workdays(date(2026, 9, 29), 10) == WorkdayResult(date(2026, 10, 19), True)


def test_counting_backwards_skips_holidays_too() -> None:
    assert add_workdays(date(2026, 10, 8), -1) == WorkdayResult(date(2026, 9, 30), True)
    assert add_workdays(date(2025, 2, 5), -3) == WorkdayResult(date(2025, 1, 24), True)


def test_zero_working_days_is_the_start_date_itself_even_on_a_holiday() -> None:
    assert add_workdays(date(2026, 10, 1), 0) == WorkdayResult(date(2026, 10, 1), True)
    assert add_workdays(date(2027, 10, 1), 0) == WorkdayResult(date(2027, 10, 1), True)


def test_a_deadline_in_2027_uses_monday_to_friday_and_is_unconfirmed() -> None:
    assert add_workdays(date(2027, 1, 29), 1) == WorkdayResult(date(2027, 2, 1), False)
    assert add_workdays(date(2027, 9, 30), 3) == WorkdayResult(date(2027, 10, 5), False)


def test_a_deadline_reaching_into_2027_is_unconfirmed_but_one_ending_in_2026_is_not() -> None:
    # Friday 1 Jan 2027 counts as a working day only because 2027 is unknown.
    assert add_workdays(date(2026, 12, 30), 3) == WorkdayResult(date(2027, 1, 4), False)
    assert add_workdays(date(2026, 12, 28), 3) == WorkdayResult(date(2026, 12, 31), True)


def test_counting_back_from_2027_into_2026_only_consults_2026_and_is_confirmed() -> None:
    assert add_workdays(date(2027, 1, 1), -1) == WorkdayResult(date(2026, 12, 31), True)
    assert add_workdays(date(2027, 1, 4), -1) == WorkdayResult(date(2027, 1, 1), False)


def test_workday_result_is_immutable() -> None:
    result = add_workdays(date(2026, 3, 2), 1)
    with pytest.raises(AttributeError):
        result.confirmed = False  # type: ignore[misc]


# --- workdays_between -------------------------------------------------------------


def test_workdays_between_counts_days_after_the_start_up_to_and_including_the_end() -> None:
    assert workdays_between(date(2026, 3, 2), date(2026, 3, 6)) == 4  # Mon → Fri
    assert workdays_between(date(2026, 3, 6), date(2026, 3, 9)) == 1  # Fri → Mon
    assert workdays_between(date(2026, 3, 2), date(2026, 3, 2)) == 0


def test_workdays_between_across_holidays_with_make_up_days() -> None:
    assert workdays_between(date(2025, 1, 27), date(2025, 2, 10)) == 5
    assert workdays_between(date(2026, 2, 13), date(2026, 2, 24)) == 2
    assert workdays_between(date(2026, 9, 30), date(2026, 10, 10)) == 3
    assert workdays_between(date(2025, 9, 30), date(2025, 10, 8)) == 0


def test_workdays_between_is_negative_when_the_end_is_before_the_start() -> None:
    # Walking back from Saturday 10 Oct 2026 to 30 Sep passes 9, 8 Oct and 30 Sep.
    assert workdays_between(date(2026, 10, 10), date(2026, 9, 30)) == -3
    # Walking back from a Saturday to the Friday before passes one working day, the Friday.
    assert workdays_between(date(2026, 3, 7), date(2026, 3, 6)) == -1


def test_workdays_between_in_a_whole_year_matches_the_official_count() -> None:
    # 261 weekdays, 19 of them holidays, 6 调休 weekends worked: 248.
    assert workdays_between(date(2025, 12, 31), date(2026, 12, 31)) == 248
    # The same counted the slow way, day by day through chinese-calendar.
    assert sum(1 for i in range(365) if is_workday(date(2026, 1, 1) + timedelta(days=i))) == 248


def test_workdays_between_uses_monday_to_friday_for_2027() -> None:
    # 1 Jan 2027 is a Friday and counts as a working day until the calendar is published.
    assert workdays_between(date(2026, 12, 31), date(2027, 1, 8)) == 6


_dates = st.dates(min_value=date(2002, 1, 1), max_value=date(2028, 12, 31))


@given(a=_dates, span=st.integers(min_value=-120, max_value=120))
def test_workdays_between_agrees_with_counting_day_by_day(a: date, span: int) -> None:
    b = a + timedelta(days=span)
    # Walking from a to b: the days after a through b, or b through the day before a.
    walked = (
        [a + timedelta(days=i) for i in range(1, span + 1)]
        if span >= 0
        else [b + timedelta(days=i) for i in range(-span)]
    )
    slow = sum(1 for d in walked if is_workday(d))
    assert workdays_between(a, b) == (slow if span >= 0 else -slow)


@given(a=_dates, n=st.integers(min_value=-60, max_value=60))
def test_add_workdays_lands_on_a_working_day_that_workdays_between_counts_back(a: date, n: int) -> None:
    result = add_workdays(a, n)
    assert workdays_between(a, result.date) == n
    if n:
        assert is_workday(result.date)
    consulted = [result.date, a + timedelta(days=1 if n > 0 else -1)] if n else []
    assert result.confirmed == all(clock.calendar_known(d) for d in consulted)
