"""首页: the dashboard everyone lands on, figures limited to the tasks the user can see."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from duban import clock
from duban.db.repositories import dashboard as figures
from duban.db.repositories.tasks import count_tasks
from duban.server.auth import Viewer
from duban.server.db import ReadDb
from duban.server.templating import render
from duban.workflow.states import State
from duban.workflow.warnings import Light

router = APIRouter()


def chart_data(overdue: list[figures.UnitOverdue], trend: list[figures.WeekCount]) -> dict[str, Any]:
    """What charts.js draws; the page also prints the same figures as tables."""
    return {
        "overdue": {
            "labels": [row.unit_name for row in overdue],
            "values": [row.overdue for row in overdue],
            "links": [f"/units/{row.unit_id}" for row in overdue],
        },
        "trend": {
            "labels": [week.short_label for week in trend],
            "titles": [week.label for week in trend],
            "values": [week.done for week in trend],
        },
    }


@router.get("/dashboard")
def dashboard(request: Request, user: Viewer, db: ReadDb) -> Response:
    today = clock.today()
    principal = user.principal
    overdue = figures.overdue_by_unit(db, principal, today)
    trend = figures.weekly_completions(db, principal, today)
    counts = count_tasks(db, principal, today)
    context = {
        "today": today,
        "by_status": counts.by_status,
        "total": counts.total,
        "by_light": counts.by_light,
        "states": list(State),
        "lights": [Light.RED, Light.YELLOW, Light.GREEN, Light.NONE],
        "overdue": overdue,
        "trend": trend,
        "top_overdue": figures.top_overdue(db, principal, today),
        "activity": figures.recent_activity(db, principal),
        "charts": chart_data(overdue, trend),
    }
    return render(request, "dashboard.html", context)
