"""Deadlines given as a date or as N working days (工作日) from a start day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from duban import clock
from duban.errors import Rejected

__all__ = ["Deadline", "deadline_columns", "resolve_deadline"]


@dataclass(frozen=True)
class Deadline:
    """A resolved deadline. `confirmed` is False when it was counted on a guessed (Mon–Fri) calendar."""

    date: dt.date | None
    workdays: int | None = None
    counted_from: dt.date | None = None
    confirmed: bool = True


def resolve_deadline(
    date: dt.date | None = None,
    *,
    workdays: int | None = None,
    counted_from: dt.date | None = None,
) -> Deadline:
    """A calendar date as it is, or the `workdays`-th working day after `counted_from` (today by default).

    "5个工作日内" given on Friday before 国庆 lands after the holiday, and a
    调休 Saturday counts as a working day.
    """
    if date is not None and workdays is not None:
        raise Rejected(
            "截止日期和工作日天数只能填写一项", "give a date or a number of working days, not both"
        )
    if workdays is None:
        return Deadline(date)
    if workdays < 1:
        raise Rejected("工作日天数须为正整数", "working days must be 1 or more")
    start = counted_from or clock.today()
    result = clock.add_workdays(start, workdays)
    return Deadline(result.date, workdays, start, result.confirmed)


def deadline_columns(deadline: Deadline) -> dict[str, Any]:
    """The task columns that hold a deadline."""
    return {
        "deadline": deadline.date,
        "deadline_workdays": deadline.workdays,
        "deadline_from": deadline.counted_from,
        "deadline_confirmed": deadline.confirmed,
    }
