"""The unit ranking over HTTP: a period (default the current quarter), ranked rows, bad periods."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from sqlalchemy import Engine

from duban.db.models import OwnerRole
from duban.db.session import write_session
from tests.api.helpers import CALLERS, caller, is_problem
from tests.personas import World, add_task
from tests.webclient import ClientFactory

NOW = dt.datetime(2026, 5, 20, 4, 0, tzinfo=dt.UTC)  # 2026-05-20 12:00 in Shanghai


def _ledger(engine: Engine, world: World) -> None:
    """Unit A finished on time; unit B has one task overdue and one done on time."""
    with write_session(engine) as session:
        for unit, status, deadline in (
            (world.unit_a, "done", dt.date(2026, 5, 1)),
            (world.unit_b, "in_progress", dt.date(2026, 5, 10)),
            (world.unit_b, "done", dt.date(2026, 4, 10)),
            (world.unit_c, "in_progress", dt.date(2026, 9, 30)),
        ):
            add_task(session, status=status, owners=[(unit, OwnerRole.LEAD)], deadline=deadline)


def test_units_are_ranked_for_the_current_quarter_by_default(
    client_for: ClientFactory, world: World, engine: Engine
) -> None:
    with time_machine.travel(NOW, tick=False):
        _ledger(engine, world)
        body = caller(client_for, world, "unit_b").get("/api/v1/scores").json()
    assert body["period"] == {
        "key": "2026Q2",
        "label": "2026年第二季度",
        "start": "2026-04-01",
        "end": "2026-06-30",
    }
    assert body["as_of"] == "2026-05-20"
    rows = [
        (r["rank"], r["unit_name"], r["on_time_rate"], r["overdue"], r["days_late_total"])
        for r in body["items"]
    ]
    assert rows == [(1, "区财政局", 1.0, 0, 0), (2, "区住建局", 0.5, 1, 10)]


def test_a_period_can_be_a_year_a_half_or_a_month(
    client_for: ClientFactory, world: World, engine: Engine
) -> None:
    with time_machine.travel(NOW, tick=False):
        _ledger(engine, world)
        client = caller(client_for, world, "leader")
        year = client.get("/api/v1/scores?period=2026").json()
        april = client.get("/api/v1/scores?period=2026-04").json()
    assert [r["unit_name"] for r in year["items"]] == ["区财政局", "区住建局", "区教育局"]
    assert year["items"][2]["on_time_rate"] is None and year["items"][2]["open"] == 1
    assert april["period"]["label"] == "2026年4月" and [r["unit_name"] for r in april["items"]] == [
        "区住建局"
    ]


@pytest.mark.parametrize("period", ["2026Q5", "明年", "2026-13", "0001"])
def test_a_bad_period_is_a_422_problem_in_chinese(
    client_for: ClientFactory, world: World, period: str
) -> None:
    response = caller(client_for, world, "supervisor").get(f"/api/v1/scores?period={period}")
    assert is_problem(response, 422)
    assert "考核" in response.json()["detail"] or "月份" in response.json()["detail"]


@pytest.mark.parametrize("who", CALLERS)
def test_everyone_signed_in_reads_the_ranking(client_for: ClientFactory, world: World, who: str) -> None:
    response = caller(client_for, world, who).get("/api/v1/scores")
    assert response.status_code == (401 if who == "anonymous" else 200)
