"""挂图作战: Gantt charts of the handed-out tasks and their milestones, per unit or per source document."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from duban import clock
from duban.db.models import Document, Unit, UserRole
from duban.db.repositories.gantt import MAX_TASKS, Grouping, gantt_charts
from duban.server.auth import Viewer
from duban.server.db import ReadDb
from duban.server.templating import render

router = APIRouter()

VIEW_MODES = (("Day", "日"), ("Week", "周"), ("Month", "月"))


def _optional_int(value: str | None) -> int | None:
    # Empty select options arrive as "": treat them as "all" rather than a validation error.
    return int(value) if value and value.strip().isdigit() else None


@router.get("/gantt")
def gantt(
    request: Request,
    user: Viewer,
    db: ReadDb,
    unit_id: str | None = None,
    document_id: str | None = None,
    group: Grouping = Grouping.UNIT,
    view: str = "Week",
) -> Response:
    today = clock.today()
    unit = _optional_int(unit_id)
    document = _optional_int(document_id)
    charts, truncated = gantt_charts(
        db, user.principal, today, grouping=group, unit_id=unit, document_id=document
    )
    # Unit users work on their own unit's chart; the unit picker is for everyone else.
    units = (
        []
        if user.role is UserRole.UNIT
        else db.execute(select(Unit.id, Unit.name).where(Unit.active.is_(True)).order_by(Unit.name)).all()
    )
    documents = (
        []
        if user.role is UserRole.UNIT
        else db.execute(
            select(Document.id, Document.title, Document.filename)
            .where(Document.is_latest.is_(True), Document.status == "parsed")
            .order_by(Document.doc_date.desc(), Document.id.desc())
        ).all()
    )
    data = {f"gantt-{i}": chart.bars() for i, chart in enumerate(charts)}
    context = {
        "charts": charts,
        "data": data,
        "truncated": truncated,
        "max_tasks": MAX_TASKS,
        "group": group,
        "unit_id": unit,
        "document_id": document,
        "units": units,
        "documents": documents,
        "view": view if view in dict(VIEW_MODES) else "Week",
        "view_modes": VIEW_MODES,
        "today": today,
    }
    return render(request, "gantt.html", context)
