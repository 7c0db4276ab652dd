"""Unit ranking (评比) for a period: on-time rate, overdue count, days late; the same figures for everyone."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from duban import clock
from duban.api.schemas import PROBLEMS
from duban.server.auth import Viewer
from duban.server.db import ReadDb
from duban.workflow.scoring import Period, UnitScore, score_units

router = APIRouter(tags=["评比"], responses=PROBLEMS)


class PeriodOut(BaseModel):
    key: str = Field(description="如 2026Q2")
    label: str = Field(description="如 2026年第二季度")
    start: dt.date
    end: dt.date


class UnitScoreOut(BaseModel):
    rank: int = Field(description="名次；准时率、逾期数、平均逾期天数都相同的单位名次并列")
    unit_id: int
    unit_name: str
    due: int = Field(description="期间内到期的牵头/责任任务数")
    on_time: int = Field(description="按期办结")
    late: int = Field(description="逾期办结")
    overdue: int = Field(description="逾期未办结")
    open: int = Field(description="未到期、尚未办结")
    decided: int = Field(description="已有结论的任务数（办结 + 逾期未办结）")
    on_time_rate: float | None = Field(description="准时率 = 按期办结 / 已有结论；尚无结论时为 null")
    avg_days_late: float
    days_late_total: int


class ScoresOut(BaseModel):
    period: PeriodOut
    as_of: dt.date
    items: list[UnitScoreOut]


def current_quarter(today: dt.date) -> Period:
    return Period.parse(f"{today.year}Q{(today.month - 1) // 3 + 1}")


def period_of(text: str | None, today: dt.date) -> Period:
    """The period asked for (422 problem when it cannot be read), or the current quarter."""
    return Period.parse(text) if text and text.strip() else current_quarter(today)


def period_out(period: Period) -> PeriodOut:
    return PeriodOut(key=period.key, label=period.label, start=period.start, end=period.end)


def score_out(score: UnitScore) -> UnitScoreOut:
    return UnitScoreOut(
        rank=score.rank,
        unit_id=score.unit_id,
        unit_name=score.unit_name,
        due=score.due,
        on_time=score.on_time,
        late=score.late,
        overdue=score.overdue,
        open=score.open,
        decided=score.decided,
        on_time_rate=score.on_time_rate,
        avg_days_late=score.avg_days_late,
        days_late_total=score.days_late_total,
    )


@router.get("/scores", response_model=ScoresOut, summary="单位评比排名")
def scores(
    user: Viewer,
    db: ReadDb,
    period: Annotated[
        str | None, Query(max_length=20, description="2026、2026H1、2026Q2 或 2026-05；默认本季度")
    ] = None,
) -> ScoresOut:
    today = clock.today()
    chosen = period_of(period, today)
    return ScoresOut(
        period=period_out(chosen), as_of=today, items=[score_out(s) for s in score_units(db, chosen, today)]
    )
