"""Reading the ledger over HTTP: the list and its filters, one task in full, its history and its files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine

from duban import clock
from duban.db.models import OwnerRole
from duban.db.session import write_session
from duban.workflow import service
from tests.api.helpers import CALLERS, add_document, caller, is_problem, task_of_unit_a
from tests.personas import World, add_task
from tests.webclient import ClientFactory

TODAY = clock.today()

# Who may read a task of unit A: everyone signed in but unit B, who must not learn it exists.
READ = {"supervisor": 200, "unit_a": 200, "unit_b": 404, "leader": 200, "anonymous": 401}


def _ids(response: object) -> list[int]:
    return [item["id"] for item in response.json()["items"]]  # type: ignore[attr-defined]


def _ledger(engine: Engine, world: World) -> dict[str, int]:
    """Tasks of unit A (overdue, near-due, done) and one of unit B."""
    ids = {
        "overdue": task_of_unit_a(engine, world, "in_progress", deadline=TODAY - dt.timedelta(days=3)),
        "soon": task_of_unit_a(engine, world, "assigned", deadline=TODAY, text="下周完成道路修缮验收。"),
        "done": task_of_unit_a(engine, world, "done", deadline=TODAY + dt.timedelta(days=90)),
    }
    with write_session(engine) as session:
        ids["b"] = add_task(
            session,
            status="in_progress",
            owners=[(world.unit_b, OwnerRole.LEAD)],
            deadline=TODAY + dt.timedelta(days=40),
            text="区住建局负责老旧小区改造。",
        ).id
    return ids


def test_unit_users_list_only_their_units_tasks(
    client_for: ClientFactory, world: World, engine: Engine
) -> None:
    ids = _ledger(engine, world)
    assert sorted(_ids(caller(client_for, world, "unit_b").get("/api/v1/tasks"))) == [ids["b"]]
    assert ids["b"] not in _ids(caller(client_for, world, "unit_a").get("/api/v1/tasks"))
    everything = caller(client_for, world, "leader").get("/api/v1/tasks").json()
    assert everything["total"] == 4 and everything["pages"] == 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=in_progress&status=assigned", ["overdue", "soon", "b"]),
        ("light=red", ["overdue"]),
        ("light=red&light=yellow", ["overdue", "soon"]),
        ("light=none", ["done"]),
        ("q=道路", ["soon"]),
        ("unit_id={unit_b}", ["b"]),
        (f"due_from={TODAY.isoformat()}&due_to={(TODAY + dt.timedelta(days=45)).isoformat()}", ["soon", "b"]),
        ("sort=-deadline&status=in_progress", ["b", "overdue"]),
    ],
)
def test_the_ledger_filters_like_the_query_says(
    client_for: ClientFactory, world: World, engine: Engine, query: str, expected: list[str]
) -> None:
    ids = _ledger(engine, world)
    response = caller(client_for, world, "supervisor").get(
        f"/api/v1/tasks?{query.format(unit_b=world.unit_b)}"
    )
    assert response.status_code == 200, response.text
    found = _ids(response)
    if "sort" in query:
        assert found == [ids[name] for name in expected]
    else:
        assert sorted(found) == sorted(ids[name] for name in expected)


def test_the_ledger_pages(client_for: ClientFactory, world: World, engine: Engine) -> None:
    _ledger(engine, world)
    page = caller(client_for, world, "supervisor").get("/api/v1/tasks?per_page=3&page=2").json()
    assert (page["total"], page["pages"], page["page"], len(page["items"])) == (4, 2, 2, 1)


def test_filtering_by_leader_and_document(client_for: ClientFactory, world: World, engine: Engine) -> None:
    doc = add_document(engine, title="会议纪要", text="会议决定：区财政局负责拨付资金。")
    mine = task_of_unit_a(engine, world, leader_name="李明", document_id=doc)
    task_of_unit_a(engine, world)
    client = caller(client_for, world, "supervisor")
    assert _ids(client.get("/api/v1/tasks?leader=李明")) == [mine]
    assert _ids(client.get(f"/api/v1/tasks?document_id={doc}")) == [mine]


@pytest.mark.parametrize(
    "query", ["status=finished", "light=blue", "sort=name", "page=0", "per_page=10000", "due_from=soon"]
)
def test_bad_filters_are_422_problems(client_for: ClientFactory, world: World, query: str) -> None:
    response = caller(client_for, world, "supervisor").get(f"/api/v1/tasks?{query}")
    assert is_problem(response, 422)
    assert response.json()["detail"].startswith("提交的内容格式不正确")


def test_anonymous_cannot_list_tasks(client_for: ClientFactory, world: World) -> None:
    assert is_problem(caller(client_for, world, "anonymous").get("/api/v1/tasks"), 401)


@pytest.mark.parametrize("who", CALLERS)
def test_who_may_read_a_task(client_for: ClientFactory, world: World, engine: Engine, who: str) -> None:
    task_id = task_of_unit_a(engine, world)
    response = caller(client_for, world, who).get(f"/api/v1/tasks/{task_id}")
    assert response.status_code == READ[who]
    if READ[who] == 404:
        assert response.json()["detail"] == f"任务 {task_id} 不存在"


@pytest.mark.parametrize("who", CALLERS)
def test_who_may_read_a_tasks_history(
    client_for: ClientFactory, world: World, engine: Engine, who: str
) -> None:
    task_id = task_of_unit_a(engine, world, "draft")
    with write_session(engine) as session:
        service.confirm(session, world.supervisor, task_id)
    response = caller(client_for, world, who).get(f"/api/v1/tasks/{task_id}/history")
    assert response.status_code == READ[who]
    if response.status_code == 200:
        [event] = response.json()
        assert (event["action"], event["action_label"], event["actor"]) == ("confirm", "确认", "dc")
        assert event["after"] == {"confirmed": True, "version": 2}


def test_a_missing_task_is_404(client_for: ClientFactory, world: World) -> None:
    assert is_problem(caller(client_for, world, "supervisor").get("/api/v1/tasks/999999"), 404)


def test_a_task_shows_its_source_sentence_owners_and_deadline(
    client_for: ClientFactory, world: World, engine: Engine
) -> None:
    text = "一、会议决定：区财政局牵头负责专项资金拨付工作。二、其他事项。"
    doc = add_document(engine, title="第5次会议纪要", text=text)
    start = text.index("区财政局")
    end = text.index("。") + 1
    task_id = task_of_unit_a(
        engine, world, document_id=doc, span_start=start, span_end=end, leader_name="李明"
    )
    task = caller(client_for, world, "unit_a").get(f"/api/v1/tasks/{task_id}").json()
    assert task["source"] == {
        "document_id": doc,
        "document_title": "第5次会议纪要",
        "filename": "通知.txt",
        "span_start": start,
        "span_end": end,
        "sentence": "区财政局牵头负责专项资金拨付工作。",
    }
    assert [(o["unit_name"], o["role"], o["role_label"]) for o in task["owners"]] == [
        ("区财政局", "lead", "牵头单位"),
        ("区教育局", "supporting", "配合单位"),
    ]
    assert task["lead_unit"] == "区财政局" and task["leader_name"] == "李明"
    assert (task["status"], task["status_label"], task["light"]) == ("in_progress", "办理中", "green")
    assert task["deadline_confirmed"] is True and task["version"] == 1


def _task_with_attachment(engine: Engine, world: World, folder: Path) -> tuple[int, int]:
    task_id = task_of_unit_a(engine, world)
    with write_session(engine) as session:
        report = service.report_progress(
            session,
            world.unit_a_user,
            task_id,
            "见附件",
            [service.AttachmentIn("照片.jpg", b"\xff\xd8jpeg-bytes", "image/jpeg")],
            attachments_dir=folder,
        )
        return task_id, report.attachments[0].id


@pytest.mark.parametrize("who", CALLERS)
def test_who_may_download_an_attachment(
    client_for: ClientFactory, world: World, engine: Engine, tmp_path: Path, who: str
) -> None:
    task_id, attachment_id = _task_with_attachment(engine, world, tmp_path)
    response = caller(client_for, world, who).get(f"/api/v1/tasks/{task_id}/attachments/{attachment_id}")
    assert response.status_code == READ[who]
    if response.status_code == 200:
        assert response.content == b"\xff\xd8jpeg-bytes"
        assert response.headers["content-type"] == "image/jpeg"
        assert "filename*=utf-8''%E7%85%A7%E7%89%87.jpg" in response.headers["content-disposition"]


def test_an_attachment_of_another_task_is_404(
    client_for: ClientFactory, world: World, engine: Engine, tmp_path: Path
) -> None:
    _, attachment_id = _task_with_attachment(engine, world, tmp_path)
    other = task_of_unit_a(engine, world)
    response = caller(client_for, world, "supervisor").get(
        f"/api/v1/tasks/{other}/attachments/{attachment_id}"
    )
    assert is_problem(response, 404)


def test_a_bearer_token_reads_the_ledger(client_for: ClientFactory, world: World, engine: Engine) -> None:
    task_id = task_of_unit_a(engine, world)
    response = client_for(world.unit_a_user, token=True).get("/api/v1/tasks")
    assert response.status_code == 200 and _ids(response) == [task_id]
