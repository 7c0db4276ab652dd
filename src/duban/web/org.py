"""单位与人员: the unit list and each unit's record, the people named in documents and each one's page.

Everyone signed in may read these; the task lists on them still hold only
the tasks the user can see, so a unit user looking at another unit's page
sees its name, aliases and ranking line but none of its tasks.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from duban import clock
from duban.db.models import Unit, User
from duban.db.repositories import people as people_repo
from duban.db.repositories import units as unit_repo
from duban.db.repositories.tasks import MAX_PER_PAGE, TaskQuery, list_tasks
from duban.db.repositories.unit_admin import require_id
from duban.server.auth import Viewer
from duban.server.db import ReadDb
from duban.server.templating import render
from duban.web.ranking import parse_period, period_choices
from duban.workflow.scoring import score_units
from duban.workflow.states import State

router = APIRouter()


@router.get("/units")
def units_page(request: Request, user: Viewer, db: ReadDb) -> Response:
    return render(request, "units.html", {"units": unit_repo.list_units(db)})


@router.get("/units/{unit_id}")
def unit_page(
    request: Request, unit_id: int, user: Viewer, db: ReadDb, period: str | None = None
) -> Response:
    today = clock.today()
    unit = require_id(db, unit_id)
    chosen, error = parse_period(period, today)
    page = list_tasks(db, user.principal, TaskQuery(unit_id=unit.id, per_page=MAX_PER_PAGE), today)
    by_state: dict[State, list[object]] = {state: [] for state in State}
    for row in page.rows:
        by_state[State(row.task.status)].append(row)
    score = next((s for s in score_units(db, chosen, today) if s.unit_id == unit.id), None)
    merged_into = db.get(Unit, unit.merged_into_id) if unit.merged_into_id else None
    children = db.scalars(select(Unit).where(Unit.parent_id == unit.id).order_by(Unit.name)).all()
    users = (
        db.scalars(select(User).where(User.unit_id == unit.id).order_by(User.username)).all()
        if user.is_supervisor
        else []
    )
    context = {
        "unit": unit,
        "merged_into": merged_into,
        "children": children,
        "by_state": {state: rows for state, rows in by_state.items() if rows},
        "total": page.total,
        "shown": len(page.rows),
        "period": chosen,
        "period_error": error,
        "choices": period_choices(today),
        "score": score,
        "users": users,
    }
    return render(request, "unit.html", context)


@router.get("/people")
def people_page(request: Request, user: Viewer, db: ReadDb, q: str | None = None) -> Response:
    people = people_repo.list_people(db, q)
    return render(
        request,
        "people.html",
        {"people": people.rows, "q": q or "", "limit": people_repo.MAX_LIST},
    )


@router.get("/people/{person_id}")
def person_page(request: Request, person_id: int, user: Viewer, db: ReadDb) -> Response:
    person = people_repo.get_person(db, user.principal, person_id)
    return render(request, "person.html", {"person": person})
