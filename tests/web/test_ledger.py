"""The ledger page: filters, sort, search and pages change the rows; unit users see their own; bulk 交办; CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from sqlalchemy import Engine

from duban import clock
from duban.db.models import OwnerRole
from tests.personas import World
from tests.web.taskdata import add_document, ledger_ids, make_task, task_row
from tests.webclient import ClientFactory

LEAD = OwnerRole.LEAD
RESP = OwnerRole.RESPONSIBLE


@pytest.fixture
def ledger(engine: Engine, world: World) -> dict[str, int]:
    """Five tasks that differ in one thing each: state, unit, leader, source, deadline."""
    today = clock.today()
    doc = add_document(engine, "会议决定：推进老旧小区改造。")
    return {
        "draft_a": make_task(engine, "草稿甲：落实专项资金", owners=[(world.unit_a, LEAD)]),
        "assigned_b": make_task(
            engine,
            "已交办乙：老旧小区改造",
            status="assigned",
            owners=[(world.unit_b, RESP)],
            deadline=today + dt.timedelta(days=60),
            leader="王副区长",
            document_id=doc,
        ),
        "overdue_a": make_task(
            engine,
            "逾期丙：学校扩建",
            status="in_progress",
            owners=[(world.unit_a, LEAD), (world.unit_c, RESP)],
            deadline=today - dt.timedelta(days=3),
            leader="李区长",
        ),
        "done_c": make_task(
            engine,
            "已办结丁：教师培训",
            status="done",
            owners=[(world.unit_c, RESP)],
            deadline=today - dt.timedelta(days=30),
        ),
        "document": doc,
    }


def test_ledger_lists_every_task_for_the_supervisor(
    client_for: ClientFactory, world: World, ledger: dict[str, int]
) -> None:
    page = client_for(world.supervisor).get("/tasks")
    assert page.status_code == 200
    assert set(ledger_ids(page.text)) == {
        ledger["draft_a"],
        ledger["assigned_b"],
        ledger["overdue_a"],
        ledger["done_c"],
    }
    assert "待定" in page.text  # the draft has no deadline yet
    assert "区财政局" in page.text and "王副区长" in page.text
    assert 'class="light light-red"' in page.text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=draft", {"draft_a"}),
        ("status=draft&status=done", {"draft_a", "done_c"}),
        ("unit={unit_a}", {"draft_a", "overdue_a"}),
        ("unit_id={unit_c}", {"overdue_a", "done_c"}),
        ("leader=李区长", {"overdue_a"}),
        ("document={document}", {"assigned_b"}),
        ("light=red", {"overdue_a"}),
        ("light=none", {"done_c"}),
        ("due_from={today}", {"assigned_b"}),
        ("due_to={today}", {"overdue_a", "done_c"}),
        ("q=小区", {"assigned_b"}),
        ("q=丙&status=in_progress", {"overdue_a"}),
        ("q=不存在的内容", set()),
    ],
)
def test_each_filter_narrows_the_rows(
    client_for: ClientFactory, world: World, ledger: dict[str, int], query: str, expected: set[str]
) -> None:
    url = "/tasks?" + query.format(
        unit_a=world.unit_a, unit_c=world.unit_c, document=ledger["document"], today=clock.today().isoformat()
    )
    page = client_for(world.supervisor).get(url)
    assert page.status_code == 200
    assert set(ledger_ids(page.text)) == {ledger[key] for key in expected}


def test_unreadable_filter_values_are_ignored_not_errors(
    client_for: ClientFactory, world: World, ledger: dict[str, int]
) -> None:
    page = client_for(world.supervisor).get(
        "/tasks?status=bogus&due_from=not-a-date&unit=x&sort=drop&page=-3"
    )
    assert page.status_code == 200
    assert len(ledger_ids(page.text)) == 4


def test_sort_changes_the_order(client_for: ClientFactory, world: World, ledger: dict[str, int]) -> None:
    client = client_for(world.supervisor)
    soonest = ledger_ids(client.get("/tasks?sort=deadline").text)
    latest = ledger_ids(client.get("/tasks?sort=-deadline").text)
    dated = [ledger["done_c"], ledger["overdue_a"], ledger["assigned_b"]]
    assert soonest[:3] == dated and soonest[3] == ledger["draft_a"]  # no deadline: last
    assert latest[:3] == dated[::-1]


def test_pages_hold_fifty_rows_and_links_keep_the_filter(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    for n in range(53):
        make_task(engine, f"批量任务{n:02d}", owners=[(world.unit_a, RESP)])
    make_task(engine, "别的单位的任务", owners=[(world.unit_b, RESP)])
    client = client_for(world.supervisor)
    first = client.get(f"/tasks?unit={world.unit_a}&sort=created")
    assert len(ledger_ids(first.text)) == 50
    assert "第 1 / 2 页，共 53 条" in first.text
    assert f"unit={world.unit_a}&amp;sort=created&amp;page=2" in first.text
    second = client.get(f"/tasks?unit={world.unit_a}&sort=created&page=2")
    assert len(ledger_ids(second.text)) == 3
    assert not set(ledger_ids(first.text)) & set(ledger_ids(second.text))


def test_unit_user_sees_only_tasks_of_their_unit(
    client_for: ClientFactory, world: World, ledger: dict[str, int]
) -> None:
    page = client_for(world.unit_a_user).get("/tasks")
    assert set(ledger_ids(page.text)) == {ledger["draft_a"], ledger["overdue_a"]}
    assert "王副区长" not in page.text  # not even in the leader menu
    assert 'name="task_id"' not in page.text  # no bulk assign for units


def test_htmx_filter_gets_only_the_results_block(
    client_for: ClientFactory, world: World, ledger: dict[str, int]
) -> None:
    page = client_for(world.supervisor).get(
        "/tasks?status=draft", headers={"HX-Request": "true", "HX-Target": "ledger-results"}
    )
    assert page.status_code == 200
    assert page.text.lstrip().startswith('<section id="ledger-results"')
    assert "<html" not in page.text
    assert ledger_ids(page.text) == [ledger["draft_a"]]


def test_bulk_assign_assigns_drafts_and_names_the_failures(
    client_for: ClientFactory, engine: Engine, world: World, ledger: dict[str, int]
) -> None:
    ownerless = make_task(engine, "没有责任单位的草稿")
    second = make_task(engine, "草稿戊", owners=[(world.unit_b, RESP)])
    client = client_for(world.supervisor)
    deadline = (clock.today() + dt.timedelta(days=20)).isoformat()
    ids = [ledger["draft_a"], second, ownerless, ledger["assigned_b"]]
    response = client.post(
        "/tasks/bulk-assign",
        data={"task_id": [str(i) for i in ids], "deadline": deadline, "back": "status=draft"},
    )
    assert response.status_code == 303 and response.headers["location"] == "/tasks?status=draft"
    assert task_row(engine, ledger["draft_a"]).status == "assigned"
    assert task_row(engine, second).status == "assigned"
    assert task_row(engine, second).deadline == dt.date.fromisoformat(deadline)
    assert task_row(engine, ownerless).status == "draft"
    page = client.get(response.headers["location"])
    assert "已交办 2 项任务" in page.text
    assert f"任务 {ownerless}：交办前须指定牵头单位或责任单位" in page.text
    assert f"任务 {ledger['assigned_b']}：" in page.text


def test_bulk_assign_is_for_the_supervisor_only(
    client_for: ClientFactory, engine: Engine, world: World, ledger: dict[str, int]
) -> None:
    response = client_for(world.unit_a_user).post(
        "/tasks/bulk-assign", data={"task_id": [str(ledger["draft_a"])]}
    )
    assert response.status_code == 403
    assert task_row(engine, ledger["draft_a"]).status == "draft"


def _csv(body: bytes) -> list[list[str]]:
    assert body.startswith("\ufeff".encode())  # Excel needs the BOM to read UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_export_is_the_filtered_ledger(
    client_for: ClientFactory, world: World, ledger: dict[str, int]
) -> None:
    response = client_for(world.supervisor).get(f"/tasks/export.csv?unit={world.unit_a}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = _csv(response.content)
    assert rows[0] == [
        "序号",
        "任务来源",
        "任务内容",
        "牵头单位",
        "责任单位",
        "责任领导",
        "完成时限",
        "状态",
        "预警",
    ]
    by_id = {int(r[0]): r for r in rows[1:]}
    assert set(by_id) == {ledger["draft_a"], ledger["overdue_a"]}
    overdue = by_id[ledger["overdue_a"]]
    assert overdue[2:] == [
        "逾期丙：学校扩建",
        "区财政局",
        "区教育局",
        "李区长",
        (clock.today() - dt.timedelta(days=3)).isoformat(),
        "办理中",
        "逾期",
    ]
    assert by_id[ledger["draft_a"]][6:] == ["待定", "待确认", "正常"]


def test_csv_export_names_the_source_document_and_stays_within_the_unit(
    client_for: ClientFactory, world: World, ledger: dict[str, int]
) -> None:
    rows = _csv(client_for(world.unit_b_user).get("/tasks/export.csv").content)
    assert [int(r[0]) for r in rows[1:]] == [ledger["assigned_b"]]
    assert rows[1][1] == "关于推进重点工作的会议纪要"


def test_csv_export_defuses_formulas_in_task_text(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    make_task(engine, '=HYPERLINK("http://evil")', owners=[(world.unit_a, RESP)])
    rows = _csv(client_for(world.supervisor).get("/tasks/export.csv").content)
    assert rows[1][2].startswith("'=")
