"""One unit's tasks counted by state and by warning light, as far as the asking user may see them.

A unit user asking about another unit counts only the tasks the two units
share (the ones they can see anyway); supervisors and leaders count all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import Session

from duban.db.models import Task, TaskOwner
from duban.db.repositories.tasks import light_condition, visible_to
from duban.workflow.principal import Principal
from duban.workflow.states import State
from duban.workflow.warnings import DEFAULT_NEAR_DUE_WORKDAYS, Light

__all__ = ["UnitCounts", "unit_counts"]


@dataclass(frozen=True)
class UnitCounts:
    by_status: dict[State, int]
    by_light: dict[Light, int]

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


def unit_counts(
    session: Session,
    principal: Principal,
    unit_id: int,
    today: dt.date,
    near_days: int = DEFAULT_NEAR_DUE_WORKDAYS,
) -> UnitCounts:
    """Counts over the tasks `unit_id` owns in any role: one GROUP BY over status and light."""
    light = case(
        *((light_condition(li, today, near_days), li.value) for li in (Light.NONE, Light.RED, Light.YELLOW)),
        else_=Light.GREEN.value,
    )
    owned = exists().where(TaskOwner.task_id == Task.id, TaskOwner.unit_id == unit_id)
    stmt = (
        select(Task.status, light, func.count())
        .where(owned, visible_to(principal))
        .group_by(Task.status, light)
    )
    by_status = dict.fromkeys(State, 0)
    by_light = dict.fromkeys(Light, 0)
    for status, value, n in session.execute(stmt):
        by_status[State(status)] += n
        by_light[Light(value)] += n
    return UnitCounts(by_status, by_light)
