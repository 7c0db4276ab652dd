"""The workflow over HTTP: who may do each action (the matrix), the whole flow, stale versions, bad bodies."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine

from duban import clock
from duban.db.session import write_session
from duban.workflow import service
from tests.api.helpers import CALLERS, caller, is_problem, task_of_unit_a, task_row
from tests.personas import World
from tests.webclient import ClientFactory

LATER = (clock.today() + dt.timedelta(days=60)).isoformat()


@dataclass(frozen=True)
class Case:
    """One action: the state it is tried in, its request, and the one role it is for."""

    path: str
    state: str
    allowed: str  # supervisor | unit_a | leader
    json: dict[str, Any] | None = None
    data: dict[str, str] | None = None


CASES = {
    "confirm": Case("confirm", "draft", "supervisor"),
    "edit": Case("edit", "in_progress", "supervisor", json={"text": "改后的任务内容", "reason": "措辞"}),
    "assign": Case("assign", "draft", "supervisor", json={"deadline": LATER}),
    "acknowledge": Case("acknowledge", "assigned", "unit_a"),
    "progress": Case("progress", "in_progress", "unit_a", data={"text": "已完成方案"}),
    "submit": Case("submit", "in_progress", "unit_a", data={"text": "已全部完成"}),
    "accept": Case("accept", "submitted", "supervisor"),
    "return": Case("return", "submitted", "supervisor", json={"reason": "缺少验收材料"}),
    "extension": Case(
        "extension", "in_progress", "unit_a", json={"new_deadline": LATER, "reason": "资金未到位"}
    ),
    "cancel": Case("cancel", "in_progress", "supervisor", json={"reason": "已由上级统筹"}),
    "remind": Case("remind", "in_progress", "supervisor"),
    "instruct": Case("instruct", "in_progress", "leader", json={"text": "请抓紧落实"}),
}


def _expected(case: Case, who: str) -> int:
    if who == "anonymous":
        return 401
    if who == "unit_b":
        return 404  # not their unit's task: as if it did not exist
    return 200 if who == case.allowed else 403


def _post(client: Any, url: str, case: Case) -> Any:
    if case.data is not None:
        return client.post(url, data=case.data)
    return client.post(url, json=case.json) if case.json is not None else client.post(url)


@pytest.mark.parametrize("who", CALLERS)
@pytest.mark.parametrize("name", sorted(CASES))
def test_each_action_is_allowed_only_to_its_role(
    client_for: ClientFactory, world: World, engine: Engine, name: str, who: str
) -> None:
    case = CASES[name]
    task_id = task_of_unit_a(engine, world, case.state)
    response = _post(caller(client_for, world, who), f"/api/v1/tasks/{task_id}/{case.path}", case)
    assert response.status_code == _expected(case, who), response.text
    if response.status_code == 200:
        assert response.json()["version"] == 2
    else:
        assert is_problem(response, response.status_code)
        assert task_row(engine, task_id).version == 1


def _pending_extension(engine: Engine, world: World) -> tuple[int, int]:
    task_id = task_of_unit_a(engine, world, "in_progress")
    with write_session(engine) as session:
        request = service.request_extension(
            session, world.unit_a_user, task_id, clock.today() + dt.timedelta(days=90), "等待批复"
        )
        return task_id, request.id


@pytest.mark.parametrize(
    ("who", "status"),
    [("supervisor", 200), ("unit_a", 403), ("unit_b", 404), ("leader", 403), ("anonymous", 401)],
)
def test_only_the_supervisor_decides_an_extension(
    client_for: ClientFactory, world: World, engine: Engine, who: str, status: int
) -> None:
    task_id, request_id = _pending_extension(engine, world)
    response = caller(client_for, world, who).post(
        f"/api/v1/tasks/{task_id}/extensions/{request_id}/decide", json={"approve": True}
    )
    assert response.status_code == status, response.text
    if status == 200:
        body = response.json()
        assert body["extension_requests"][0]["state"] == "approved"
        assert body["deadline"] == (clock.today() + dt.timedelta(days=90)).isoformat()


def test_deciding_another_tasks_extension_request_is_404(
    client_for: ClientFactory, world: World, engine: Engine
) -> None:
    _, request_id = _pending_extension(engine, world)
    other = task_of_unit_a(engine, world, "in_progress")
    response = caller(client_for, world, "supervisor").post(
        f"/api/v1/tasks/{other}/extensions/{request_id}/decide", json={"approve": True}
    )
    assert is_problem(response, 404)


def test_a_task_goes_from_draft_to_done_through_the_api(
    client_for: ClientFactory, world: World, engine: Engine
) -> None:
    task_id = task_of_unit_a(engine, world, "draft")
    sup, unit = caller(client_for, world, "supervisor"), caller(client_for, world, "unit_a")
    url = f"/api/v1/tasks/{task_id}"

    owners = [{"unit_id": world.unit_a, "role": "lead"}, {"unit_id": world.unit_b, "role": "supporting"}]
    assigned = sup.post(
        f"{url}/assign",
        json={
            "owners": owners,
            "deadline": LATER,
            "leader_name": "张三",
            "milestones": [{"due": LATER, "text": "完成"}],
        },
    ).json()
    assert assigned["status"] == "assigned" and assigned["leader_name"] == "张三"
    assert [o["role"] for o in assigned["owners"]] == ["lead", "supporting"]
    assert [m["text"] for m in assigned["milestones"]] == ["完成"]

    assert unit.post(f"{url}/acknowledge").json()["status"] == "in_progress"
    files = [("files", ("方案.pdf", b"%PDF-1.4 plan", "application/pdf"))]
    reported = unit.post(f"{url}/progress", data={"text": "方案已印发"}, files=files).json()
    attachment = reported["progress_reports"][0]["attachments"][0]
    assert attachment["filename"] == "方案.pdf" and attachment["size_bytes"] == len(b"%PDF-1.4 plan")

    assert unit.post(f"{url}/submit", data={"text": "已完成"}).json()["status"] == "submitted"
    returned = sup.post(f"{url}/return", json={"reason": "缺照片"}).json()
    assert returned["status"] == "in_progress"
    assert unit.post(f"{url}/submit", data={"text": "补充照片"}).json()["status"] == "submitted"
    done = sup.post(f"{url}/accept").json()
    assert done["status"] == "done" and done["light"] == "none" and done["actions"] == []
    assert [r["is_completion"] for r in done["progress_reports"]] == [False, True, True]

    history = unit.get(f"{url}/history").json()
    assert [e["action"] for e in history] == [
        "assign",
        "acknowledge",
        "report_progress",
        "submit",
        "return",
        "submit",
        "accept",
    ]


def test_actions_listed_are_the_ones_this_user_may_take(
    client_for: ClientFactory, world: World, engine: Engine
) -> None:
    task_id = task_of_unit_a(engine, world, "assigned")
    listed = {
        who: [
            a["action"]
            for a in caller(client_for, world, who).get(f"/api/v1/tasks/{task_id}").json()["actions"]
        ]
        for who in ("supervisor", "unit_a", "leader")
    }
    assert listed == {
        "supervisor": ["edit", "remind", "cancel"],
        "unit_a": ["acknowledge"],
        "leader": ["instruct"],
    }


def test_a_stale_expected_version_is_409_and_changes_nothing(
    client_for: ClientFactory, world: World, engine: Engine
) -> None:
    task_id = task_of_unit_a(engine, world, "draft")
    response = caller(client_for, world, "supervisor").post(
        f"/api/v1/tasks/{task_id}/confirm", json={"expected_version": 7}
    )
    assert is_problem(response, 409)
    assert "已被他人修改" in response.json()["detail"]
    assert task_row(engine, task_id).confirmed is False


def test_a_stale_version_on_a_multipart_report_is_409(
    client_for: ClientFactory, world: World, engine: Engine
) -> None:
    task_id = task_of_unit_a(engine, world, "in_progress")
    response = caller(client_for, world, "unit_a").post(
        f"/api/v1/tasks/{task_id}/progress", data={"text": "进展", "expected_version": "3"}
    )
    assert is_problem(response, 409)


def test_the_current_expected_version_is_accepted(
    client_for: ClientFactory, world: World, engine: Engine
) -> None:
    task_id = task_of_unit_a(engine, world, "draft")
    response = caller(client_for, world, "supervisor").post(
        f"/api/v1/tasks/{task_id}/confirm", json={"expected_version": 1}
    )
    assert response.status_code == 200 and response.json()["confirmed"] is True


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("instruct", {}, "text"),
        ("instruct", {"text": "好", "expected_version": "abc"}, "expected_version"),
        ("edit", {"owners": [{"unit_id": 1, "role": "boss"}]}, "owners.0.role"),
        ("edit", {"deadline": "明年"}, "deadline"),
        ("edit", {"colour": "red"}, "colour"),
        ("extension", {"reason": "忙"}, "new_deadline"),
        ("decide", {"approve": "maybe"}, "approve"),
    ],
)
def test_malformed_bodies_are_422_problems_naming_the_field(
    client_for: ClientFactory, world: World, engine: Engine, path: str, body: dict[str, Any], field: str
) -> None:
    task_id = task_of_unit_a(engine, world, "in_progress")
    url = f"/api/v1/tasks/{task_id}/{path if path != 'decide' else 'extensions/1/decide'}"
    response = caller(client_for, world, "leader").post(url, json=body)
    assert is_problem(response, 422)
    assert response.json()["detail"].startswith("提交的内容格式不正确")
    assert field in [e["field"] for e in response.json()["errors"]]


def test_json_that_does_not_parse_is_a_422_problem(
    client_for: ClientFactory, world: World, engine: Engine
) -> None:
    task_id = task_of_unit_a(engine, world, "in_progress")
    response = caller(client_for, world, "leader").post(
        f"/api/v1/tasks/{task_id}/instruct",
        content=b'{"text": ',
        headers={"content-type": "application/json"},
    )
    assert is_problem(response, 422)
    assert task_row(engine, task_id).version == 1


@pytest.mark.parametrize("path", ["return", "cancel"])
def test_returning_or_cancelling_without_a_reason_is_refused_in_chinese(
    client_for: ClientFactory, world: World, engine: Engine, path: str
) -> None:
    task_id = task_of_unit_a(engine, world, "submitted")
    response = caller(client_for, world, "supervisor").post(f"/api/v1/tasks/{task_id}/{path}", json={})
    assert is_problem(response, 422)
    assert "须填写理由" in response.json()["detail"]
    assert task_row(engine, task_id).status == "submitted"


def test_an_action_in_the_wrong_state_is_409(client_for: ClientFactory, world: World, engine: Engine) -> None:
    task_id = task_of_unit_a(engine, world, "draft")
    response = caller(client_for, world, "supervisor").post(f"/api/v1/tasks/{task_id}/accept")
    assert is_problem(response, 409)
    assert "不能验收办结" in response.json()["detail"]


def test_a_second_reminder_the_same_day_is_409(
    client_for: ClientFactory, world: World, engine: Engine
) -> None:
    task_id = task_of_unit_a(engine, world, "in_progress")
    sup = caller(client_for, world, "supervisor")
    assert sup.post(f"/api/v1/tasks/{task_id}/remind", json={"message": "请本周内反馈"}).status_code == 200
    assert is_problem(sup.post(f"/api/v1/tasks/{task_id}/remind"), 409)


def test_an_executable_attachment_is_refused(client_for: ClientFactory, world: World, engine: Engine) -> None:
    task_id = task_of_unit_a(engine, world, "in_progress")
    response = caller(client_for, world, "unit_a").post(
        f"/api/v1/tasks/{task_id}/progress",
        data={"text": "见附件"},
        files=[("files", ("setup.exe", b"MZ\x90\x00", "application/octet-stream"))],
    )
    assert is_problem(response, 415)
    assert "setup.exe" in response.json()["detail"]


def test_a_leaders_instruction_shows_on_the_task(
    client_for: ClientFactory, world: World, engine: Engine
) -> None:
    task_id = task_of_unit_a(engine, world, "in_progress")
    caller(client_for, world, "leader").post(f"/api/v1/tasks/{task_id}/instruct", json={"text": "月底前办结"})
    task = caller(client_for, world, "unit_a").get(f"/api/v1/tasks/{task_id}").json()
    assert [(i["text"], i["author"]) for i in task["instructions"]] == [("月底前办结", "ld")]


def test_a_bearer_token_needs_no_csrf_token(client_for: ClientFactory, world: World, engine: Engine) -> None:
    task_id = task_of_unit_a(engine, world, "assigned")
    response = client_for(world.unit_a_user, token=True).post(f"/api/v1/tasks/{task_id}/acknowledge")
    assert response.status_code == 200 and response.json()["status"] == "in_progress"


def test_a_cookie_post_without_csrf_token_is_403(
    client_for: ClientFactory, world: World, engine: Engine
) -> None:
    task_id = task_of_unit_a(engine, world, "assigned")
    response = client_for(world.unit_a_user, csrf=False).post(f"/api/v1/tasks/{task_id}/acknowledge")
    assert is_problem(response, 403)
    assert response.json()["code"] == "csrf_failed"
    assert task_row(engine, task_id).status == "assigned"
