"""Red / yellow / green (逾期 / 临期 / 正常): derived from deadline, state and today, never stored.

`today` is an argument (the caller asks `clock.today()` once per request or
scan), so the same task always gets the same light for the same day.
Near-due is counted in working days: a deadline just after 国庆 turns
yellow before the holiday, when the last working days to act on it are.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from duban.clock import add_workdays
from duban.workflow.states import State

__all__ = ["DEFAULT_NEAR_DUE_WORKDAYS", "Light", "classify", "near_due_cutoff"]

DEFAULT_NEAR_DUE_WORKDAYS = 3


class Light(StrEnum):
    """The warning light. NONE is for closed tasks, which are no longer watched."""

    NONE = "none"
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS: Mapping[Light, str] = MappingProxyType(
    {Light.NONE: "已关闭", Light.GREEN: "正常", Light.YELLOW: "临期", Light.RED: "逾期"}
)


@functools.lru_cache(maxsize=64)
def near_due_cutoff(today: date, near_days: int = DEFAULT_NEAR_DUE_WORKDAYS) -> date:
    """The first deadline that is *not* near-due on `today`.

    A deadline is near-due when at most `near_days` working days remain after
    today, i.e. when it comes before the (near_days + 1)-th working day after
    today. Computing that day once makes classifying 100,000 tasks a date
    comparison each; it is cached because a scan asks with the same arguments.
    """
    if near_days < 0:
        raise ValueError(f"near_days must be 0 or more, not {near_days}")
    return add_workdays(today, near_days + 1).date


def classify(
    deadline: date | None,
    state: State,
    today: date,
    near_days: int = DEFAULT_NEAR_DUE_WORKDAYS,
) -> Light:
    """The light for one task.

    Done and cancelled → NONE; no deadline → GREEN; deadline before today →
    RED (a deadline of today is still yellow: the unit has the day);
    at most `near_days` working days left → YELLOW; otherwise GREEN.
    """
    if state.terminal:
        return Light.NONE
    if deadline is None:
        return Light.GREEN
    if deadline < today:
        return Light.RED
    if deadline < near_due_cutoff(today, near_days):
        return Light.YELLOW
    return Light.GREEN
