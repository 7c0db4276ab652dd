"""The only place duban reads time, and its working-day calendar.

Time is stored in UTC and shown in Asia/Shanghai. Everything else takes the
current time or date as an argument, so tests move time with time-machine
here and nowhere else.

Working days follow the State Council's holiday notices as published in
chinese-calendar: public holidays are off, and 调休 weekends are working
days. chinese-calendar only knows the years it ships data for (it raises
NotImplementedError otherwise); for those years we fall back to
Monday–Friday and say the answer is unconfirmed, because the holiday notice
for a year is published only in the autumn before it.
"""

from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")

__all__ = [
    "SHANGHAI",
    "UTC",
    "WorkdayResult",
    "add_workdays",
    "calendar_known",
    "is_workday",
    "now",
    "to_local",
    "today",
    "workdays_between",
]


def now() -> datetime:
    """The current instant, timezone-aware, in UTC."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in Asia/Shanghai: the date users and deadlines live in."""
    return now().astimezone(SHANGHAI).date()


def to_local(dt: datetime) -> datetime:
    """`dt` in Asia/Shanghai.

    A naive datetime is taken as UTC: that is how duban stores instants, and
    SQLite hands them back without their offset.
    """
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(SHANGHAI)


@dataclass(frozen=True, slots=True)
class WorkdayResult:
    """A date computed on the working-day calendar.

    `confirmed` is False when any day counted lies in a year chinese-calendar
    has no data for, so the date may move once that year's holidays are
    published; the UI and API show such deadlines as unconfirmed.
    """

    date: date
    confirmed: bool


@functools.cache
def _year_known(year: int) -> bool:
    # chinese-calendar validates by year, so probing one day answers for all of it.
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def _plain(d: date) -> date:
    # A datetime is a date subclass; its calendar day depends on the timezone,
    # so make callers say which day they mean instead of guessing.
    if isinstance(d, datetime):
        raise TypeError("pass a date, not a datetime: use to_local(dt).date() or today()")
    return d


def calendar_known(d: date) -> bool:
    """Whether the official holiday calendar for `d`'s year is known."""
    return _year_known(_plain(d).year)


def _years_known(lo: date, hi: date) -> bool:
    return all(_year_known(y) for y in range(lo.year, hi.year + 1))


def is_workday(d: date) -> bool:
    """Whether `d` is a working day: holidays off, 调休 weekends on; Monday–Friday for unknown years."""
    d = _plain(d)
    if _year_known(d.year):
        return bool(chinese_calendar.is_workday(d))
    return d.weekday() < 5


def add_workdays(d: date, n: int) -> WorkdayResult:
    """The `n`-th working day after `d` (before it when `n` is negative).

    `d` itself is not counted, so "within 5 working days of 交办 on d" is
    `add_workdays(d, 5)`. `n == 0` returns `d` unchanged (and confirmed: no
    calendar day was consulted).
    """
    d = _plain(d)
    step = timedelta(days=1 if n > 0 else -1)
    current, remaining = d, abs(n)
    while remaining:
        current += step
        if is_workday(current):
            remaining -= 1
    if n == 0:
        return WorkdayResult(d, True)
    lo, hi = (d + step, current) if n > 0 else (current, d + step)
    return WorkdayResult(current, _years_known(lo, hi))


def _weekdays_through(ordinal: int) -> int:
    # Mon–Fri days among ordinals 1..ordinal; ordinal 1 (0001-01-01) is a Monday.
    weeks, rest = divmod(ordinal, 7)
    return weeks * 5 + min(rest, 5)


@functools.cache
def _exceptions() -> tuple[list[int], list[int]]:
    """Sorted ordinals of holidays on weekdays and of 调休 working weekends.

    Counting Mon–Fri arithmetically and correcting by these keeps
    `workdays_between` O(log n) however far apart the dates are.
    """
    off = sorted(d.toordinal() for d in chinese_calendar.holidays if d.weekday() < 5)
    on = sorted(d.toordinal() for d in chinese_calendar.workdays if d.weekday() >= 5)
    return off, on


def _count_in(ordinals: list[int], lo: int, hi: int) -> int:
    # How many of the sorted `ordinals` lie in (lo, hi].
    return bisect.bisect_right(ordinals, hi) - bisect.bisect_right(ordinals, lo)


def workdays_between(a: date, b: date) -> int:
    """Working days passed walking from `a` to `b`, not counting `a`, counting `b`.

    Negative when `b` is before `a` (then the days counted are `b` up to the day
    before `a`). It is the exact inverse of `add_workdays`:
    `add_workdays(a, workdays_between(a, b)).date == b` whenever `b` is a working day.
    """
    a, b = _plain(a), _plain(b)
    if b >= a:
        return _workdays_in(a.toordinal(), b.toordinal())
    return -_workdays_in(b.toordinal() - 1, a.toordinal() - 1)


def _workdays_in(lo: int, hi: int) -> int:
    # Working days among ordinals (lo, hi]: Mon–Fri arithmetic, then the official exceptions.
    off, on = _exceptions()
    return _weekdays_through(hi) - _weekdays_through(lo) - _count_in(off, lo, hi) + _count_in(on, lo, hi)
