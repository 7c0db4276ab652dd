"""The inbox and the notification channels over HTTP: who may do what, shapes, problem+json errors."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from duban.db.models import Delivery
from duban.db.session import read_session, write_session
from duban.workflow import channels, delivery, notify
from duban.workflow.delivery import DeliveryOptions
from duban.workflow.notify import MessageKind
from tests.api.helpers import CALLERS, caller, is_problem, task_of_unit_a
from tests.integrations.servers import Reply, RobotServer
from tests.personas import World
from tests.webclient import ClientFactory

KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
WECOM = f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY}"
SUPERVISOR_ONLY = {"supervisor": None, "unit_a": 403, "unit_b": 403, "leader": 403, "anonymous": 401}


def _say(engine: Engine, title: str, unit_id: int | None, task_id: int | None = None) -> int:
    with write_session(engine) as s:
        message = notify.enqueue(
            s, MessageKind.RETURNED, title, "原因：缺少凭证", unit_id=unit_id, task_id=task_id
        )
        s.flush()
        return message.id


def test_the_inbox_lists_my_messages_newest_first_with_read_state(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    task_id = task_of_unit_a(engine, world)
    first = _say(engine, "【退回】一", world.unit_a, task_id)
    _say(engine, "【退回】二", world.unit_a)
    _say(engine, "【退回】别的单位", world.unit_b)
    client = caller(client_for, world, "unit_a", token=True)
    body = client.get("/api/v1/inbox").json()
    assert (body["total"], body["unread"], body["pages"]) == (2, 2, 1)
    assert [i["title"] for i in body["items"]] == ["【退回】二", "【退回】一"]
    assert body["items"][1] | {"created_at": None} == {
        "id": first,
        "kind": "returned",
        "kind_label": "任务被退回",
        "title": "【退回】一",
        "body": "原因：缺少凭证",
        "task_id": task_id,
        "created_at": None,
        "read": False,
    }
    read = client.post(f"/api/v1/inbox/{first}/read")
    assert read.status_code == 200 and read.json()["read"] is True
    unread = client.get("/api/v1/inbox", params={"unread": "true"}).json()
    assert [i["title"] for i in unread["items"]] == ["【退回】二"] and unread["unread"] == 1
    assert client.post("/api/v1/inbox/read-all").json() == {"marked": 1}
    assert client.get("/api/v1/inbox").json()["unread"] == 0


def test_inbox_paging_and_errors(client_for: ClientFactory, engine: Engine, world: World) -> None:
    for n in range(3):
        _say(engine, f"消息{n}", world.unit_a)
    theirs = _say(engine, "住建局的", world.unit_b)
    client = caller(client_for, world, "unit_a")
    page = client.get("/api/v1/inbox", params={"page": 2, "per_page": 2}).json()
    assert (page["total"], page["pages"], [i["title"] for i in page["items"]]) == (3, 2, ["消息0"])
    assert is_problem(client.post(f"/api/v1/inbox/{theirs}/read"), 404)
    assert is_problem(client.get("/api/v1/inbox", params={"per_page": 0}), 422)
    assert is_problem(caller(client_for, world, "unit_a", csrf=False).post("/api/v1/inbox/read-all"), 403)
    assert is_problem(caller(client_for, world, "anonymous").get("/api/v1/inbox"), 401)


@pytest.mark.parametrize("who", CALLERS)
def test_only_supervisors_manage_channels_and_deliveries(
    client_for: ClientFactory, engine: Engine, world: World, who: str
) -> None:
    with write_session(engine) as s:
        channel_id = channels.add_channel(
            s, world.supervisor.actor, channels.ChannelIn(world.unit_a, "wecom", "群", WECOM)
        ).id
    client = caller(client_for, world, who)
    responses = [
        client.get("/api/v1/channels"),
        client.get(f"/api/v1/channels/{channel_id}"),
        client.post(
            "/api/v1/channels", json={"unit_id": None, "kind": "wecom", "name": "群", "target": WECOM}
        ),
        client.patch(f"/api/v1/channels/{channel_id}", json={"enabled": False}),
        client.get("/api/v1/deliveries"),
    ]
    expected = SUPERVISOR_ONLY[who]
    for response in responses:
        if expected is None:
            assert response.status_code < 300, response.text
        else:
            assert is_problem(response, expected)
    if expected is not None:
        assert KEY[:8] not in "".join(r.text for r in responses)


def test_a_supervisor_configures_a_channel_end_to_end(
    client_for: ClientFactory, world: World, robot: RobotServer
) -> None:
    client = caller(client_for, world, "supervisor", token=True)
    created = client.post(
        "/api/v1/channels",
        json={
            "unit_id": world.unit_a,
            "kind": "dingtalk",
            "name": "财政局钉钉群",
            "target": robot.url("/robot/send?access_token=abcdef123"),
            "secret": "SECsecret",
        },
    )
    assert created.status_code == 201
    channel = created.json()
    assert channel["target"].endswith("/robot/send?access_token=abcd***")
    assert (channel["unit_name"], channel["kind_label"], channel["secret_set"]) == (
        "区财政局",
        "钉钉群机器人",
        True,
    )
    assert "SECsecret" not in created.text

    assert client.post(f"/api/v1/channels/{channel['id']}/test").json() == {"ok": True, "error": None}
    assert "sign" in robot.received[0].query

    patched = client.patch(f"/api/v1/channels/{channel['id']}", json={"secret": None, "name": "钉钉群"})
    assert (patched.json()["secret_set"], patched.json()["name"]) == (False, "钉钉群")
    client.post(f"/api/v1/channels/{channel['id']}/test")
    assert "sign" not in robot.received[1].query

    listed = client.get("/api/v1/channels", params={"unit_id": world.unit_a}).json()
    assert [c["id"] for c in listed] == [channel["id"]]
    assert client.get("/api/v1/channels", params={"office": "true"}).json() == []
    assert client.delete(f"/api/v1/channels/{channel['id']}").status_code == 204
    assert is_problem(client.get(f"/api/v1/channels/{channel['id']}"), 404)


def test_bad_channels_are_refused_as_problems(client_for: ClientFactory, world: World) -> None:
    client = caller(client_for, world, "supervisor")
    bad_kind = client.post(
        "/api/v1/channels", json={"unit_id": None, "kind": "sms", "name": "x", "target": "1"}
    )
    assert is_problem(bad_kind, 422)
    bad_url = client.post(
        "/api/v1/channels", json={"unit_id": None, "kind": "wecom", "name": "x", "target": "x"}
    )
    assert is_problem(bad_url, 422) and "Webhook 地址须是完整的" in bad_url.json()["detail"]
    no_unit = client.post(
        "/api/v1/channels", json={"unit_id": 99999, "kind": "wecom", "name": "x", "target": WECOM}
    )
    assert is_problem(no_unit, 404)


def test_failed_deliveries_are_listed_and_retried(
    client_for: ClientFactory, engine: Engine, world: World, robot: RobotServer
) -> None:
    robot.answer(Reply({"errcode": 93000, "errmsg": "invalid webhook url"}))
    with write_session(engine) as s:
        channels.add_channel(
            s, world.supervisor.actor, channels.ChannelIn(world.unit_a, "wecom", "群", robot.url())
        )
    _say(engine, "【退回】报送材料", world.unit_a)
    delivery.deliver(lambda: write_session(engine), DeliveryOptions(max_attempts=1))
    client = caller(client_for, world, "supervisor")
    listed = client.get("/api/v1/deliveries", params={"status": "failed"}).json()
    (item,) = listed["items"]
    assert (item["status"], item["attempts"], item["title"], item["unit_name"]) == (
        "failed",
        1,
        "【退回】报送材料",
        "区财政局",
    )
    assert item["last_error"] == "企业微信机器人拒收：errcode=93000 invalid webhook url"
    retried = client.post(f"/api/v1/deliveries/{item['id']}/retry")
    assert retried.status_code == 200 and retried.json()["status"] == "pending"
    with read_session(engine) as s:  # sent inline after the response (the test app runs jobs at once)
        assert s.scalars(select(Delivery.status)).all() == ["sent"]
    assert is_problem(client.post(f"/api/v1/deliveries/{item['id']}/retry"), 409)
    assert is_problem(client.post("/api/v1/deliveries/99999/retry"), 404)
    assert client.get("/api/v1/deliveries").json()["total"] == 0
    assert client.get("/api/v1/deliveries", params={"status": ["sent", "failed"]}).json()["total"] == 1


def test_the_endpoints_are_described_in_chinese_with_problem_responses(client_for: ClientFactory) -> None:
    spec = client_for(None).get("/api/v1/openapi.json").json()
    ours = [
        (method, path, op)
        for path, ops in spec["paths"].items()
        if path.startswith(("/api/v1/inbox", "/api/v1/channels", "/api/v1/deliveries"))
        for method, op in ops.items()
    ]
    assert len(ours) == 11
    for method, path, op in ours:
        assert op["tags"] and all(not tag.isascii() for tag in op["tags"]), (method, path)
        assert op["summary"] and not op["summary"].isascii(), (method, path)
        for status in ("401", "403", "404", "409", "422"):
            assert "application/problem+json" in op["responses"][status]["content"], (method, path, status)
    channel = spec["components"]["schemas"]["ChannelIn"]["properties"]
    assert "督查室" in channel["unit_id"]["description"]
