"""Units and people over HTTP: lists, a unit's counts and score, the supervisor's edits, people's titles."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from sqlalchemy import Engine, select

from duban import clock
from duban.db.models import Person, PersonTitle, TaskOwner
from duban.db.session import write_session
from tests.api.helpers import CALLERS, add_document, caller, is_problem, task_of_unit_a
from tests.personas import World
from tests.webclient import ClientFactory

EDIT = {"supervisor": None, "unit_a": 403, "unit_b": 403, "leader": 403, "anonymous": 401}


@pytest.mark.parametrize("who", CALLERS)
def test_everyone_signed_in_reads_the_units(client_for: ClientFactory, world: World, who: str) -> None:
    client = caller(client_for, world, who)
    listed = client.get("/api/v1/units")
    detail = client.get(f"/api/v1/units/{world.unit_a}")
    expected = 401 if who == "anonymous" else 200
    assert listed.status_code == detail.status_code == expected
    if expected == 200:
        assert {u["name"] for u in listed.json()} == {"区财政局", "区住建局", "区教育局"}


def test_a_unit_user_sees_task_counts_of_their_own_unit_only(
    client_for: ClientFactory, world: World, engine: Engine
) -> None:
    task_of_unit_a(engine, world, "in_progress")
    by_name = {u["name"]: u for u in caller(client_for, world, "unit_b").get("/api/v1/units").json()}
    assert by_name["区财政局"]["open_tasks"] is None and by_name["区住建局"]["open_tasks"] == 0
    by_name = {u["name"]: u for u in caller(client_for, world, "leader").get("/api/v1/units").json()}
    assert by_name["区财政局"]["open_tasks"] == 1


def test_a_units_page_counts_its_tasks_by_status_and_light_and_scores_it(
    client_for: ClientFactory, world: World, engine: Engine
) -> None:
    with time_machine.travel(dt.datetime(2026, 5, 15, 4, 0, tzinfo=dt.UTC), tick=False):
        task_of_unit_a(engine, world, "in_progress", deadline=dt.date(2026, 5, 13))
        task_of_unit_a(engine, world, "done", deadline=dt.date(2026, 5, 15), done_at=clock.now())
        unit = caller(client_for, world, "supervisor").get(f"/api/v1/units/{world.unit_a}").json()
        # A unit user asking about another unit counts only what they may see: nothing here.
        other = caller(client_for, world, "unit_b").get(f"/api/v1/units/{world.unit_a}").json()
    assert unit["tasks_total"] == 2
    assert {c["key"]: c["count"] for c in unit["by_status"]}["in_progress"] == 1
    assert {c["key"]: c["count"] for c in unit["by_light"]} == {"none": 1, "green": 0, "yellow": 0, "red": 1}
    assert unit["period"]["key"] == "2026Q2"
    score = unit["score"]
    assert (score["due"], score["on_time"], score["overdue"], score["on_time_rate"]) == (2, 1, 1, 0.5)
    assert other["tasks_total"] == 0


def test_a_unit_page_for_a_year_with_nothing_due_has_no_score(
    client_for: ClientFactory, world: World
) -> None:
    unit = caller(client_for, world, "supervisor").get(f"/api/v1/units/{world.unit_a}?period=1999").json()
    assert unit["period"]["label"] == "1999年" and unit["score"] is None


def test_a_missing_unit_is_404_and_a_bad_period_422(client_for: ClientFactory, world: World) -> None:
    client = caller(client_for, world, "supervisor")
    assert is_problem(client.get("/api/v1/units/99999"), 404)
    assert is_problem(client.get(f"/api/v1/units/{world.unit_a}?period=明年"), 422)


@pytest.mark.parametrize("who", CALLERS)
def test_only_the_supervisor_creates_units(client_for: ClientFactory, world: World, who: str) -> None:
    response = caller(client_for, world, who).post(
        "/api/v1/units", json={"name": "区招商投资发展局", "aliases": ["区招商局"]}
    )
    assert response.status_code == (EDIT[who] or 201), response.text
    if response.status_code == 201:
        assert response.json()["aliases"] == ["区招商局"]
        names = [u["name"] for u in caller(client_for, world, "unit_a").get("/api/v1/units").json()]
        assert "区招商投资发展局" in names


@pytest.mark.parametrize("name", ["区财政局", "财政局"])
def test_creating_a_unit_that_exists_is_409(client_for: ClientFactory, world: World, name: str) -> None:
    response = caller(client_for, world, "supervisor").post("/api/v1/units", json={"name": name})
    assert is_problem(response, 409)
    assert "区财政局" in response.json()["detail"]


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": 5}, {"name": "甲", "extra": 1}])
def test_a_bad_unit_body_is_422(client_for: ClientFactory, world: World, body: dict[str, object]) -> None:
    assert is_problem(caller(client_for, world, "supervisor").post("/api/v1/units", json=body), 422)


@pytest.mark.parametrize("who", CALLERS)
def test_only_the_supervisor_adds_aliases(client_for: ClientFactory, world: World, who: str) -> None:
    response = caller(client_for, world, who).post(
        f"/api/v1/units/{world.unit_a}/aliases", json={"alias": "财政金融局"}
    )
    assert response.status_code == (EDIT[who] or 200)
    if response.status_code == 200:
        assert response.json()["aliases"] == ["财政金融局"]


def test_an_alias_that_names_another_unit_is_409(client_for: ClientFactory, world: World) -> None:
    response = caller(client_for, world, "supervisor").post(
        f"/api/v1/units/{world.unit_a}/aliases", json={"alias": "区住建局"}
    )
    assert is_problem(response, 409)


@pytest.mark.parametrize("who", CALLERS)
def test_only_the_supervisor_merges_units(
    client_for: ClientFactory, world: World, engine: Engine, who: str
) -> None:
    task_id = task_of_unit_a(engine, world)
    response = caller(client_for, world, who).post(
        f"/api/v1/units/{world.unit_a}/merge", json={"into_unit_id": world.unit_b}
    )
    assert response.status_code == (EDIT[who] or 200), response.text
    with write_session(engine) as session:
        owners = set(session.scalars(select(TaskOwner.unit_id).where(TaskOwner.task_id == task_id)))
    if response.status_code == 200:
        merged = response.json()
        assert merged["tasks_moved"] == 1 and merged["source"]["active"] is False
        assert "区财政局" in merged["target"]["aliases"]
        assert owners == {world.unit_b, world.unit_c}
    else:
        assert owners == {world.unit_a, world.unit_c}


def test_merging_into_itself_or_a_merged_unit_is_refused(client_for: ClientFactory, world: World) -> None:
    client = caller(client_for, world, "supervisor")
    assert is_problem(
        client.post(f"/api/v1/units/{world.unit_a}/merge", json={"into_unit_id": world.unit_a}), 422
    )
    client.post(f"/api/v1/units/{world.unit_a}/merge", json={"into_unit_id": world.unit_b})
    assert is_problem(
        client.post(f"/api/v1/units/{world.unit_c}/merge", json={"into_unit_id": world.unit_a}), 409
    )
    assert is_problem(client.post(f"/api/v1/units/{world.unit_c}/merge", json={"into_unit_id": 99999}), 404)


def _person(engine: Engine) -> tuple[int, int, int]:
    """李明, 副区长 in an older document and 区长 in a newer one."""
    old = add_document(engine, title="2025年会议纪要", text="副区长李明出席。", filename="old.txt")
    new = add_document(engine, title="2026年会议纪要", text="区长李明主持。", filename="new.txt")
    with write_session(engine) as session:
        person = Person(name="李明", created_at=clock.now())
        session.add(person)
        session.flush()
        for title, doc, day in (("副区长", old, dt.date(2025, 3, 1)), ("区长", new, dt.date(2026, 3, 1))):
            session.add(PersonTitle(person_id=person.id, title=title, document_id=doc, observed_on=day))
        session.add(Person(name="王芳", created_at=clock.now()))
        return person.id, old, new


@pytest.mark.parametrize("who", CALLERS)
def test_everyone_signed_in_reads_people(
    client_for: ClientFactory, world: World, engine: Engine, who: str
) -> None:
    person_id, old, new = _person(engine)
    client = caller(client_for, world, who)
    listed, detail = client.get("/api/v1/people"), client.get(f"/api/v1/people/{person_id}")
    if who == "anonymous":
        assert listed.status_code == detail.status_code == 401
        return
    assert [(p["name"], p["latest_title"], p["titles"]) for p in listed.json()["items"]] == [
        ("李明", "区长", 2),
        ("王芳", None, 0),
    ]
    person = detail.json()
    assert [(t["title"], t["observed_on"]) for t in person["titles"]] == [
        ("副区长", "2025-03-01"),
        ("区长", "2026-03-01"),
    ]
    # Documents are for supervisors and leaders; unit users see the titles without them.
    if who.startswith("unit"):
        assert person["documents"] == [] and {t["document_id"] for t in person["titles"]} == {None}
    else:
        assert [d["id"] for d in person["documents"]] == [old, new]
        assert person["titles"][1]["document_title"] == "2026年会议纪要"


def test_people_are_found_by_part_of_their_name(
    client_for: ClientFactory, world: World, engine: Engine
) -> None:
    _person(engine)
    page = caller(client_for, world, "leader").get("/api/v1/people?q=芳").json()
    assert [p["name"] for p in page["items"]] == ["王芳"] and page["total"] == 1


def test_a_missing_person_is_404(client_for: ClientFactory, world: World) -> None:
    assert is_problem(caller(client_for, world, "leader").get("/api/v1/people/4242"), 404)
