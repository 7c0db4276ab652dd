"""挂图作战: the Gantt JSON holds the visible handed-out tasks with their milestones, coloured by light."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine

from duban import clock
from duban.db.models import Milestone, OwnerRole
from duban.db.session import write_session
from tests.personas import World, add_task
from tests.web.page_data import json_block
from tests.webclient import ClientFactory


def _bars(html: str) -> list[dict[str, Any]]:
    charts = json_block(html, "gantt-data")["charts"]
    return [bar for bars in charts.values() for bar in bars]


def _tasks(engine: Engine, world: World) -> dict[str, int]:
    today = clock.today()
    with write_session(engine) as s:
        a = add_task(
            s,
            status="in_progress",
            owners=[(world.unit_a, OwnerRole.LEAD)],
            deadline=today - dt.timedelta(days=2),
            text="甲：<b>道路</b>改造",
        )
        a.start_date = today - dt.timedelta(days=30)
        s.add(Milestone(task_id=a.id, due=today - dt.timedelta(days=10), text="完成设计"))
        b = add_task(
            s,
            status="assigned",
            owners=[(world.unit_b, OwnerRole.LEAD)],
            deadline=today + dt.timedelta(days=60),
        )
        undated = add_task(
            s, status="in_progress", owners=[(world.unit_a, OwnerRole.LEAD)], text="甲：长期工作"
        )
        draft = add_task(s, owners=[(world.unit_a, OwnerRole.LEAD)], deadline=today, text="甲：草稿")
        s.flush()
        return {"a": a.id, "b": b.id, "undated": undated.id, "draft": draft.id}


def test_supervisor_sees_every_handed_out_task_as_a_bar_with_its_milestone(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    ids = _tasks(engine, world)
    page = client_for(world.supervisor).get("/gantt")
    assert page.status_code == 200
    bars = {bar["id"]: bar for bar in _bars(page.text)}
    assert set(bars) == {f"t{ids['a']}", f"t{ids['b']}", next(k for k in bars if k.startswith("m"))}
    task_a = bars[f"t{ids['a']}"]
    assert task_a["custom_class"] == "bar-red" and task_a["task_id"] == ids["a"]
    assert task_a["start"] == (clock.today() - dt.timedelta(days=30)).isoformat()
    assert bars[f"t{ids['b']}"]["custom_class"] == "bar-green"
    milestone = next(bar for key, bar in bars.items() if key.startswith("m"))
    assert milestone["name"] == "◆ 完成设计" and milestone["task_id"] == ids["a"]
    # Without a deadline: listed apart, not drawn.
    assert f'<a href="/tasks/{ids["undated"]}">甲：长期工作</a>' in page.text
    assert "甲：草稿" not in page.text


def test_unit_b_sees_none_of_unit_as_tasks(client_for: ClientFactory, engine: Engine, world: World) -> None:
    ids = _tasks(engine, world)
    page = client_for(world.unit_b_user).get("/gantt").text
    assert [bar["task_id"] for bar in _bars(page)] == [ids["b"]]
    assert "道路" not in page and "长期工作" not in page
    # Asking for unit A's chart by id shows nothing either.
    asked = client_for(world.unit_b_user).get(f"/gantt?unit_id={world.unit_a}").text
    assert _bars(asked) == []


def test_charts_by_document_and_filter_by_unit(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    ids = _tasks(engine, world)
    client = client_for(world.leader)
    by_document = client.get("/gantt?group=document&view=Month").text
    assert "未关联文件" in by_document
    assert json_block(by_document, "gantt-data")["view"] == "Month"
    only_b = client.get(f"/gantt?unit_id={world.unit_b}&document_id=").text
    assert [bar["task_id"] for bar in _bars(only_b)] == [ids["b"]]


def test_task_text_stays_escaped_in_the_page_and_its_json(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    _tasks(engine, world)
    page = client_for(world.supervisor).get("/gantt").text
    assert "<b>道路</b>" not in page
    assert "&lt;b&gt;道路&lt;/b&gt;" in page  # the no-JavaScript table
    assert "\\u003cb\\u003e" in page  # the JSON for gantt.js, which escapes again before drawing
