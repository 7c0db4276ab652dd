"""Unit and person pages: readable by everyone, task lists limited to what the user may see, names escaped."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from duban.db.models import OwnerRole, UnitAlias
from duban.db.session import write_session
from tests.db.test_people_repository import add_document, add_person
from tests.personas import World, add_task, add_unit
from tests.webclient import ClientFactory


def test_unit_list_shows_aliases_and_task_counts(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    with write_session(engine) as s:
        s.add(UnitAlias(unit_id=world.unit_a, alias="财政金融局"))
        add_task(s, status="in_progress", owners=[(world.unit_a, OwnerRole.LEAD)])
        add_task(s, owners=[(world.unit_a, OwnerRole.LEAD)])
    page = client_for(world.unit_b_user).get("/units")
    assert page.status_code == 200
    row = page.text[page.text.index(f'<a href="/units/{world.unit_a}">区财政局</a>') :].split("</tr>")[0]
    assert "财政金融局" in row
    assert '<td class="num">1</td>\n    <td class="num">1</td>' in row


def test_unit_page_lists_its_tasks_by_status_and_its_score(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    with write_session(engine) as s:
        a = add_task(
            s,
            status="done",
            owners=[(world.unit_a, OwnerRole.LEAD)],
            deadline=dt.date(2025, 2, 1),
            text="已办结的事",
        ).id
        b = add_task(s, status="in_progress", owners=[(world.unit_a, OwnerRole.LEAD)], text="在办的事").id
    page = client_for(world.supervisor).get(f"/units/{world.unit_a}?period=2025Q1").text
    assert f'<a href="/tasks/{a}">已办结的事</a>' in page and f'<a href="/tasks/{b}">在办的事</a>' in page
    assert (
        page.index("办理中")
        < page.index("在办的事")
        < page.index("已办结（销号）")
        < page.index("已办结的事")
    )
    assert "考核情况 · 2025年第一季度" in page and "第 1 名" in page and "100.0%" in page
    assert "本单位用户" in page and "<td>cz</td>" in page


def test_unit_users_read_other_units_pages_without_their_tasks(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    with write_session(engine) as s:
        add_task(s, status="in_progress", owners=[(world.unit_a, OwnerRole.LEAD)], text="甲单位独有的任务")
        add_task(
            s,
            status="in_progress",
            owners=[(world.unit_a, OwnerRole.LEAD), (world.unit_b, OwnerRole.SUPPORTING)],
            text="甲乙共同的任务",
        )
    page = client_for(world.unit_b_user).get(f"/units/{world.unit_a}")
    assert page.status_code == 200
    assert "甲乙共同的任务" in page.text and "甲单位独有的任务" not in page.text
    assert "本单位用户" not in page.text


def test_unknown_unit_and_person_are_404(client_for: ClientFactory, world: World) -> None:
    client = client_for(world.supervisor)
    assert client.get("/units/99999").status_code == 404
    assert client.get("/people/99999").status_code == 404


def test_person_page_shows_titles_meetings_and_led_tasks(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    with write_session(engine) as s:
        document = add_document(
            s,
            "张卫东主持会议。",
            title="高新区党工委会议纪要",
            day=dt.date(2026, 4, 17),
            meeting={"date": "2026-04-17", "chair": "张卫东", "attendees": ["张卫东"]},
        )
        person_id = add_person(s, "张卫东", ("高新区党工委书记", document), ("管委会主任", document)).id
        task = add_task(
            s, status="assigned", owners=[(world.unit_a, OwnerRole.LEAD)], text="统筹推进园区建设"
        )
        task.leader_name = "张卫东"
        hidden = add_task(s, status="assigned", owners=[(world.unit_b, OwnerRole.LEAD)], text="乙单位的任务")
        hidden.leader_name = "张卫东"
        task_id = task.id
    page = client_for(world.unit_a_user).get(f"/people/{person_id}").text
    assert "高新区党工委书记、管委会主任" in page and "2026年4月17日" in page
    assert "高新区党工委会议纪要" in page and "主持" in page
    assert f'<a href="/tasks/{task_id}">统筹推进园区建设</a>' in page
    assert "乙单位的任务" not in page
    assert f'href="/documents/{document.id}"' not in page  # unit users have no documents pages


def test_people_list_searches_by_name(client_for: ClientFactory, engine: Engine, world: World) -> None:
    with write_session(engine) as s:
        add_person(s, "张卫东")
        add_person(s, "王勇卫")
        add_person(s, "李海涛")
    page = client_for(world.leader).get("/people", params={"q": "卫"}).text
    assert "张卫东" in page and "王勇卫" in page and "李海涛" not in page
    assert "没有找到“赵”" in client_for(world.leader).get("/people", params={"q": "赵"}).text


def test_unit_and_person_names_are_escaped(client_for: ClientFactory, engine: Engine, world: World) -> None:
    with write_session(engine) as s:
        unit_id = add_unit(s, "<b>粗体</b>局").id
        person_id = add_person(s, "<b>某</b>").id
    client = client_for(world.supervisor)
    for path in ("/units", f"/units/{unit_id}", "/people", f"/people/{person_id}", "/admin/units", "/gantt"):
        page = client.get(path).text
        assert "<b>粗体" not in page and "<b>某" not in page, path
    assert "&lt;b&gt;粗体&lt;/b&gt;局" in client.get("/units").text
    assert "&lt;b&gt;某&lt;/b&gt;" in client.get(f"/people/{person_id}").text
