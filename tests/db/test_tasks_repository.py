from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from duban.db.models import OwnerRole
from duban.db.repositories.tasks import SortKey, TaskQuery, count_tasks, list_tasks
from duban.db.session import read_session, write_session
from duban.workflow.states import State
from duban.workflow.warnings import Light
from tests.personas import World, add_task

# A Wednesday with no holiday near: three working days ahead is the next Monday.
TODAY = dt.date(2026, 6, 10)


@pytest.fixture
def ledger(engine: Engine, world: World) -> dict[str, int]:
    with write_session(engine) as s:
        a_lead = [(world.unit_a, OwnerRole.LEAD)]
        b_lead = [(world.unit_b, OwnerRole.LEAD), (world.unit_a, OwnerRole.SUPPORTING)]
        ids = {
            "overdue": add_task(
                s, status="in_progress", owners=a_lead, deadline=dt.date(2026, 6, 1), text="逾期的道路工程"
            ).id,
            "due_today": add_task(
                s, status="assigned", owners=a_lead, deadline=TODAY, text="今天到期的报表"
            ).id,
            "near": add_task(
                s, status="in_progress", owners=b_lead, deadline=dt.date(2026, 6, 15), text="临期的100%任务"
            ).id,
            "green": add_task(
                s, status="in_progress", owners=b_lead, deadline=dt.date(2026, 7, 30), text="正常的招商"
            ).id,
            "no_deadline": add_task(s, status="draft", owners=a_lead, text="长期坚持的工作").id,
            "done_late": add_task(
                s, status="done", owners=a_lead, deadline=dt.date(2026, 5, 1), text="已办结"
            ).id,
        }
        s.flush()
        ids["other"] = add_task(
            s, status="assigned", owners=[(world.unit_c, OwnerRole.LEAD)], text="别的单位"
        ).id
    return ids


def _ids(engine: Engine, world: World, query: TaskQuery, who: str = "supervisor") -> list[int]:
    with read_session(engine) as s:
        page = list_tasks(s, getattr(world, who), query, TODAY)
        return [r.task.id for r in page.rows]


def test_lights_are_computed_per_row(engine: Engine, world: World, ledger: dict[str, int]) -> None:
    with read_session(engine) as s:
        page = list_tasks(s, world.supervisor, TaskQuery(per_page=100), TODAY)
    lights = {r.task.id: r.light for r in page.rows}
    assert lights[ledger["overdue"]] is Light.RED
    assert lights[ledger["due_today"]] is Light.YELLOW
    assert lights[ledger["near"]] is Light.YELLOW
    assert lights[ledger["green"]] is Light.GREEN
    assert lights[ledger["no_deadline"]] is Light.GREEN
    assert lights[ledger["done_late"]] is Light.NONE
    assert page.total == 7


@pytest.mark.parametrize("light", list(Light))
def test_filter_by_light_matches_classify(
    engine: Engine, world: World, ledger: dict[str, int], light: Light
) -> None:
    with read_session(engine) as s:
        every = list_tasks(s, world.supervisor, TaskQuery(per_page=100), TODAY).rows
        filtered = list_tasks(s, world.supervisor, TaskQuery(lights=[light], per_page=100), TODAY)
    assert {r.task.id for r in filtered.rows} == {r.task.id for r in every if r.light is light}


def test_unit_user_lists_only_tasks_their_unit_owns(
    engine: Engine, world: World, ledger: dict[str, int]
) -> None:
    seen = set(_ids(engine, world, TaskQuery(per_page=100), who="unit_a_user"))
    assert ledger["other"] not in seen
    assert ledger["near"] in seen  # unit A supports it
    assert set(_ids(engine, world, TaskQuery(per_page=100), who="unit_c_user")) == {ledger["other"]}


def test_filters_combine(engine: Engine, world: World, ledger: dict[str, int]) -> None:
    query = TaskQuery(statuses=[State.IN_PROGRESS], unit_id=world.unit_b, due_to=dt.date(2026, 6, 30))
    assert _ids(engine, world, query) == [ledger["near"]]
    assert _ids(engine, world, TaskQuery(text="100%")) == [ledger["near"]]
    assert _ids(engine, world, TaskQuery(text="%")) == [
        ledger["near"]
    ]  # a literal percent sign, not a wildcard


def test_sorted_by_deadline_with_undated_last_and_paged(
    engine: Engine, world: World, ledger: dict[str, int]
) -> None:
    order = _ids(engine, world, TaskQuery(sort=SortKey.DEADLINE, per_page=100))
    assert order[0] == ledger["done_late"] and order[-2:] == [ledger["no_deadline"], ledger["other"]]
    with read_session(engine) as s:
        page2 = list_tasks(s, world.supervisor, TaskQuery(sort=SortKey.DEADLINE, page=2, per_page=3), TODAY)
    assert [r.task.id for r in page2.rows] == order[3:6]
    assert (page2.total, page2.pages) == (7, 3)


def test_rows_name_the_lead_unit(engine: Engine, world: World, ledger: dict[str, int]) -> None:
    with read_session(engine) as s:
        page = list_tasks(
            s, world.supervisor, TaskQuery(statuses=[State.IN_PROGRESS], unit_id=world.unit_b), TODAY
        )
    assert [(r.lead, r.units) for r in page.rows] == [("区住建局", ["区住建局", "区财政局"])] * 2


def test_counts_by_status_and_light(engine: Engine, world: World, ledger: dict[str, int]) -> None:
    with read_session(engine) as s:
        assert count_tasks(s, world.supervisor, TODAY).by_status[State.IN_PROGRESS] == 3
        assert count_tasks(s, world.supervisor, TODAY).by_light == {
            Light.NONE: 1,
            Light.GREEN: 3,
            Light.YELLOW: 2,
            Light.RED: 1,
        }
        assert count_tasks(s, world.unit_c_user, TODAY).total == 1
