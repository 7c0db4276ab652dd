"""The 全文检索 page: escaped snippets with <mark> highlights, tabs with counts, filters, links, messages."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from duban import clock
from duban.db.models import OwnerRole, ProgressReport
from duban.db.session import write_session
from duban.search.index import index_report, index_tasks
from duban.web.search import pieces
from tests.personas import World, add_task
from tests.search import rows
from tests.webclient import ClientFactory


def add_document(engine: Engine, title: str, text: str, day: dt.date | None = None) -> int:
    with write_session(engine) as s:
        return rows.add_document(s, title, text, day)


def add_indexed_task(engine: Engine, unit_id: int, text: str) -> int:
    with write_session(engine) as s:
        task = add_task(s, status="in_progress", owners=[(unit_id, OwnerRole.LEAD)], text=text)
        index_tasks(s, [task.id])
        return task.id


def test_document_text_is_escaped_and_hits_are_marked(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    doc = add_document(engine, "关于<b>财政</b>资金的通知", "前文<script>alert(1)</script>财政资金拨付到位。")
    page = client_for(world.supervisor).get("/search", params={"q": "财政资金"}).text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<mark>财政资金</mark>拨付到位" in page
    assert "<b>" not in page.split('<section id="search-results"')[1] and "&lt;b&gt;" in page
    assert f'<a href="/documents/{doc}">' in page


def test_tabs_count_each_type_and_a_tab_shows_one_type(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    task = add_indexed_task(engine, world.unit_a, "完成5G基站建设。")
    add_document(engine, "5G规划", "推进5G基站建设。")
    client = client_for(world.supervisor)
    page = client.get("/search", params={"q": "5G基站"}).text
    assert '全部 <span class="count">2</span>' in page and '任务 <span class="count">1</span>' in page
    only_tasks = client.get("/search", params={"q": "5G基站", "type": "task"}).text
    assert f'<a href="/tasks/{task}">完成<mark>5G基站</mark>建设。</a>' in only_tasks
    assert "/documents/" not in only_tasks.split('<ol class="search-hits"')[1]


def test_a_report_links_to_its_task_anchor_and_unit_users_see_their_own(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    mine = add_indexed_task(engine, world.unit_a, "老旧小区改造。")
    with write_session(engine) as s:
        report = ProgressReport(
            task_id=mine, unit_id=world.unit_a, text="外墙保温已完工。", created_at=clock.now()
        )
        s.add(report)
        s.flush()
        index_report(s, report.id)
        report_id = report.id
    theirs = add_indexed_task(engine, world.unit_b, "外墙保温材料抽检。")
    page = client_for(world.unit_a_user).get("/search", params={"q": "外墙保温"}).text
    assert f'href="/tasks/{mine}#report-{report_id}"' in page and f"/tasks/{theirs}" not in page
    assert ">文件 <" not in page  # unit users have no documents tab
    task_page = client_for(world.unit_a_user).get(f"/tasks/{mine}").text
    assert f'id="report-{report_id}"' in task_page


def test_unit_and_date_filters(client_for: ClientFactory, engine: Engine, world: World) -> None:
    add_indexed_task(engine, world.unit_a, "道路修缮甲。")
    b = add_indexed_task(engine, world.unit_b, "道路修缮乙。")
    add_document(engine, "旧通知", "道路修缮", dt.date(2020, 1, 1))
    client = client_for(world.supervisor)
    by_unit = client.get("/search", params={"q": "道路修缮", "unit": world.unit_b}).text
    assert f"/tasks/{b}" in by_unit and by_unit.count('<li class="hit ') == 1
    old = client.get("/search", params={"q": "道路修缮", "date_to": "2020-12-31"}).text
    assert old.count('<li class="hit ') == 1 and "旧通知" in old


def test_no_hits_and_short_queries_say_so(client_for: ClientFactory, engine: Engine, world: World) -> None:
    client = client_for(world.supervisor)
    assert "没有找到与“乡村振兴”相关的内容" in client.get("/search", params={"q": "乡村振兴"}).text
    assert (
        "没有找到与“乡村振兴”相关的任务"
        in client.get("/search", params={"q": "乡村振兴", "type": "task"}).text
    )
    short = client.get("/search", params={"q": "局"}).text
    assert "单个汉字无法检索" in short and "“局”" in short
    assert "请输入检索词" in client.get("/search").text


@pytest.mark.parametrize(
    "params", [{"q": "财政", "type": "file"}, {"q": "财政", "date_from": "2026-02-30"}, {"q": "财政", "unit": "x"},
               {"q": "财政", "date_from": "2026-05-01", "date_to": "2026-04-01"}],
)  # fmt: skip
def test_bad_filters_are_a_422_page_with_the_reason(
    client_for: ClientFactory, world: World, params: dict[str, str]
) -> None:
    response = client_for(world.supervisor).get("/search", params=params)
    assert response.status_code == 422 and 'class="flash flash-error"' in response.text


def test_htmx_gets_only_the_results_and_pages_follow(
    client_for: ClientFactory, engine: Engine, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("duban.web.search.PER_PAGE", 2)
    for n in range(3):
        add_indexed_task(engine, world.unit_a, f"第{n}项安全生产检查。")
    client = client_for(world.supervisor)
    partial = client.get(
        "/search", params={"q": "安全生产"}, headers={"HX-Request": "true", "HX-Target": "search-results"}
    ).text
    assert partial.lstrip().startswith('<section id="search-results"') and "<html" not in partial
    assert "第 1 / 2 页" in partial and "page=2" in partial
    second = client.get("/search", params={"q": "安全生产", "page": "2"}).text
    assert second.count('<li class="hit ') == 1


def test_the_top_bar_has_a_search_box(client_for: ClientFactory, world: World) -> None:
    page = client_for(world.leader).get("/dashboard").text
    assert '<form class="topsearch" method="get" action="/search" role="search">' in page


def test_pieces_cut_text_at_the_ranges() -> None:
    assert pieces("abcdef", [(1, 3), (4, 5)]) == [
        ("a", False),
        ("bc", True),
        ("d", False),
        ("e", True),
        ("f", False),
    ]
    assert pieces("abc", []) == [("abc", False)]
    assert pieces("abc", [(0, 3)]) == [("abc", True)]
