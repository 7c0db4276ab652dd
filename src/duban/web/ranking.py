"""评比排名: units ranked by on-time rate for a year, half-year, quarter or month."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from duban import clock
from duban.errors import Rejected
from duban.server.auth import Viewer
from duban.server.db import ReadDb
from duban.server.templating import render
from duban.workflow.scoring import Period, UnitScore, score_units

router = APIRouter()

YEARS_OFFERED = 4


def current_quarter(today: dt.date) -> Period:
    return Period.parse(f"{today.year}Q{(today.month - 1) // 3 + 1}")


def period_choices(today: dt.date) -> list[tuple[str, list[Period]]]:
    """The picker's options, newest year first: the year, its halves, quarters and months."""
    groups = []
    for year in range(today.year, today.year - YEARS_OFFERED, -1):
        keys = [str(year), f"{year}H1", f"{year}H2"]
        keys += [f"{year}Q{q}" for q in range(1, 5)]
        keys += [f"{year}-{month:02d}" for month in range(1, 13)]
        groups.append((f"{year}年", [Period.parse(key) for key in keys]))
    return groups


def score_chart(scores: list[UnitScore]) -> dict[str, Any]:
    rated = [s for s in scores if s.on_time_rate is not None]
    return {
        "rate": {
            "labels": [s.unit_name for s in rated],
            "values": [round(100 * (s.on_time_rate or 0), 1) for s in rated],
            "links": [f"/units/{s.unit_id}" for s in rated],
            "unit": "%",
            "max": 100,
        }
    }


def parse_period(text: str | None, today: dt.date) -> tuple[Period, str | None]:
    """The asked period, or the current quarter with the reason the asked one was refused."""
    if not text:
        return current_quarter(today), None
    try:
        return Period.parse(text), None
    except Rejected as exc:
        return current_quarter(today), exc.message_zh


@router.get("/ranking")
def ranking(request: Request, user: Viewer, db: ReadDb, period: str | None = None) -> Response:
    today = clock.today()
    chosen, error = parse_period(period, today)
    scores = score_units(db, chosen, today)
    context = {
        "period": chosen,
        "asked": period,
        "error": error,
        "choices": period_choices(today),
        "scores": scores,
        "charts": score_chart(scores),
        "today": today,
    }
    return render(request, "ranking.html", context, status_code=422 if error else 200)
