"""The dashboard: status and light cards, overdue by unit, weekly completions, most overdue tasks."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from duban import clock
from duban.db.models import OwnerRole
from duban.db.session import write_session
from duban.workflow import service
from tests.personas import World, add_task
from tests.web.page_data import json_block, stat
from tests.webclient import ClientFactory


def test_accepting_a_task_moves_the_counts_and_this_weeks_completions(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    with write_session(engine) as s:
        task_id = add_task(
            s, status="submitted", owners=[(world.unit_a, OwnerRole.LEAD)], deadline=clock.today()
        ).id
    client = client_for(world.supervisor)
    before = client.get("/dashboard")
    assert before.status_code == 200
    assert stat(before.text, "待验收") == 1 and stat(before.text, "已办结（销号）") == 0
    assert json_block(before.text, "dashboard-data")["trend"]["values"][-1] == 0

    with write_session(engine) as s:
        service.accept(s, world.supervisor, task_id)

    after = client.get("/dashboard").text
    assert stat(after, "待验收") == 0 and stat(after, "已办结（销号）") == 1
    assert stat(after, "已关闭") == 1
    trend = json_block(after, "dashboard-data")["trend"]
    assert len(trend["values"]) == 12 and trend["values"][-1] == 1 and sum(trend["values"]) == 1


def test_overdue_units_and_tasks_are_shown_with_links(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    late = clock.today() - dt.timedelta(days=9)
    with write_session(engine) as s:
        task_id = add_task(
            s, status="in_progress", owners=[(world.unit_a, OwnerRole.LEAD)], deadline=late, text="修复道路"
        ).id
    page = client_for(world.leader).get("/dashboard").text
    overdue = json_block(page, "dashboard-data")["overdue"]
    assert overdue == {"labels": ["区财政局"], "values": [1], "links": [f"/units/{world.unit_a}"]}
    assert f'<a href="/tasks/{task_id}">修复道路</a>' in page
    assert "9 天" in page
    assert stat(page, "逾期") == 1


def test_unit_user_sees_only_their_units_figures(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    late = clock.today() - dt.timedelta(days=3)
    with write_session(engine) as s:
        add_task(
            s,
            status="in_progress",
            owners=[(world.unit_a, OwnerRole.LEAD)],
            deadline=late,
            text="甲的逾期任务",
        )
        add_task(s, status="assigned", owners=[(world.unit_b, OwnerRole.LEAD)], text="乙的任务")
    page = client_for(world.unit_b_user).get("/dashboard").text
    assert stat(page, "已交办（待签收）") == 1 and stat(page, "办理中") == 0
    assert stat(page, "逾期") == 0
    assert json_block(page, "dashboard-data")["overdue"]["labels"] == []
    assert "甲的逾期任务" not in page and "区财政局" not in page


def test_dashboard_needs_a_signed_in_user(client_for: ClientFactory, world: World) -> None:
    response = client_for(None).get("/dashboard")
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_charts_load_only_self_hosted_scripts(client_for: ClientFactory, world: World) -> None:
    page = client_for(world.supervisor).get("/dashboard").text
    assert '<script src="/static/vendor/echarts-6.1.0.common.min.js" defer></script>' in page
    assert '<script src="/static/js/charts.js" defer></script>' in page
    assert "onclick" not in page
    assert client_for(world.supervisor).get("/static/js/charts.js").status_code == 200
