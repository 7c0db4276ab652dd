"""通知设置 and 发送情况: supervisors only; channels added, edited, switched, tested, removed; failures shown and retried."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from duban.db.models import Delivery, NotifyChannel
from duban.db.session import read_session, write_session
from duban.workflow import channels, delivery, notify
from duban.workflow.delivery import DeliveryOptions
from duban.workflow.notify import MessageKind
from tests.integrations.servers import Reply, RobotServer
from tests.personas import World
from tests.webclient import ClientFactory

KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"


def _add(engine: Engine, world: World, target: str, unit_id: int | None = None) -> int:
    with write_session(engine) as s:
        data = channels.ChannelIn(unit_id or world.unit_a, "wecom", "财政局工作群", target)
        return channels.add_channel(s, world.supervisor.actor, data).id


def _failed_delivery(engine: Engine, world: World, robot: RobotServer) -> int:
    """A reminder to unit A whose only try on `robot` was refused."""
    _add(engine, world, robot.url())
    robot.answer(Reply({"errcode": 93000, "errmsg": "invalid webhook url"}))
    with write_session(engine) as s:
        notify.enqueue(
            s, MessageKind.REMINDER, "【催办】报送专项资金使用情况", "已逾期", unit_id=world.unit_a
        )
    delivery.deliver(lambda: write_session(engine), DeliveryOptions(max_attempts=1))
    with read_session(engine) as s:
        return s.scalars(select(Delivery.id)).one()


@pytest.mark.parametrize("who", ["unit_a_user", "leader"])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/admin/notify/channels"),
        ("get", "/admin/notify/channels/1"),
        ("post", "/admin/notify/channels"),
        ("post", "/admin/notify/channels/1/test"),
        ("post", "/admin/notify/channels/1/delete"),
        ("get", "/admin/notify/deliveries"),
        ("post", "/admin/notify/deliveries/1/retry"),
    ],
)
def test_only_supervisors_reach_the_notification_settings(
    client_for: ClientFactory, world: World, who: str, method: str, path: str
) -> None:
    response = getattr(client_for(getattr(world, who)), method)(path)
    assert response.status_code == 403
    assert "仅督查室可以执行此操作" in response.text


def test_unit_users_see_no_channel_configuration_anywhere(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    _add(engine, world, f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY}")
    client = client_for(world.unit_a_user)
    for path in ("/dashboard", "/inbox", "/inbox/badge"):
        page = client.get(path).text
        assert "qyapi" not in page and "通知通道" not in page and "发送失败" not in page


def test_a_supervisor_adds_a_channel_and_its_key_is_not_shown(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    client = client_for(world.supervisor)
    form = {
        "unit": str(world.unit_a),
        "kind": "wecom",
        "name": "财政局工作群",
        "target": f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY}",
    }
    response = client.post("/admin/notify/channels", data=form)
    assert response.status_code == 303
    page = client.get("/admin/notify/channels").text
    assert "已添加区财政局的通知通道“财政局工作群”（企业微信群机器人）" in page
    assert "send?key=693a***" in page and KEY not in page
    with read_session(engine) as s:
        stored = s.scalars(select(NotifyChannel)).one()
    assert (stored.unit_id, stored.target.endswith(KEY)) == (world.unit_a, True)
    edit = client.get(f"/admin/notify/channels/{stored.id}").text
    assert KEY not in edit and "留空则保持不变" in edit


def test_the_office_channel_and_refused_input(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    client = client_for(world.supervisor)
    refused = client.post(
        "/admin/notify/channels",
        data={
            "unit": "office",
            "kind": "email",
            "name": "督查室邮箱",
            "target": "ducha@example.gov.cn; 不是邮箱",
        },
    )
    assert refused.status_code == 422
    assert "邮箱地址格式不对：不是邮箱" in refused.text and 'value="督查室邮箱"' in refused.text
    added = client.post(
        "/admin/notify/channels",
        data={"unit": "office", "kind": "email", "name": "督查室邮箱", "target": "ducha@example.gov.cn"},
    )
    assert added.status_code == 303
    with read_session(engine) as s:
        assert s.scalars(select(NotifyChannel.unit_id)).all() == [None]
    assert "<td>督查室</td>" in client.get("/admin/notify/channels").text


def test_edit_switch_and_delete(client_for: ClientFactory, engine: Engine, world: World) -> None:
    target = f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY}"
    channel_id = _add(engine, world, target)
    client = client_for(world.supervisor)
    assert (
        client.post(
            f"/admin/notify/channels/{channel_id}", data={"name": "财政局督办群", "target": ""}
        ).status_code
        == 303
    )
    assert (
        client.post(f"/admin/notify/channels/{channel_id}/enabled", data={"enabled": "false"}).status_code
        == 303
    )
    with read_session(engine) as s:
        stored = s.get_one(NotifyChannel, channel_id)
        assert (stored.name, stored.target, stored.enabled) == ("财政局督办群", target, False)
    page = client.get(f"/admin/notify/channels/{channel_id}").text
    assert "修改" in page and "enabled → False" in page
    assert client.post(f"/admin/notify/channels/{channel_id}/delete").status_code == 303
    assert "已删除通知通道“财政局督办群”" in client.get("/admin/notify/channels").text
    assert client.get(f"/admin/notify/channels/{channel_id}").status_code == 404


def test_a_test_message_reports_success_or_the_reason(
    client_for: ClientFactory, engine: Engine, world: World, robot: RobotServer
) -> None:
    channel_id = _add(engine, world, robot.url())
    client = client_for(world.supervisor)
    assert client.post(f"/admin/notify/channels/{channel_id}/test").status_code == 303
    assert "测试消息已发往“财政局工作群”" in client.get("/admin/notify/channels").text
    robot.answer(Reply({"errcode": 93000, "errmsg": "invalid webhook url"}))
    client.post(
        f"/admin/notify/channels/{channel_id}/test", data={"back": f"/admin/notify/channels/{channel_id}"}
    )
    page = client.get(f"/admin/notify/channels/{channel_id}").text
    assert "测试消息未能发往“财政局工作群”：企业微信机器人拒收：errcode=93000 invalid webhook url" in page
    assert len(robot.received) == 2


def test_failed_deliveries_are_visible_to_the_supervisor_and_retried(
    client_for: ClientFactory, engine: Engine, world: World, robot: RobotServer
) -> None:
    delivery_id = _failed_delivery(engine, world, robot)
    client = client_for(world.supervisor)
    assert "发送失败 1" in client.get("/inbox/badge").text
    page = client.get("/admin/notify/deliveries").text
    assert "【催办】报送专项资金使用情况" in page and "区财政局 · " in page
    assert "企业微信机器人拒收：errcode=93000 invalid webhook url" in page
    assert f'action="/admin/notify/deliveries/{delivery_id}/retry"' in page
    assert "有 1 条通知多次发送失败" in page

    # The robot works again: 立即重试 sends it (the test app runs jobs inline).
    assert client.post(f"/admin/notify/deliveries/{delivery_id}/retry").status_code == 303
    with read_session(engine) as s:
        assert s.get_one(Delivery, delivery_id).status == "sent"
    assert len(robot.received) == 2
    assert "发送失败" not in client.get("/inbox/badge").text
    assert "没有发送失败或待发送的通知" in client.get("/admin/notify/deliveries").text
    assert "已发送" in client.get("/admin/notify/deliveries?status=sent").text


def test_retry_all_failed(
    client_for: ClientFactory, engine: Engine, world: World, robot: RobotServer
) -> None:
    _failed_delivery(engine, world, robot)
    client = client_for(world.supervisor)
    assert client.post("/admin/notify/deliveries/retry-failed", data={"channel_id": ""}).status_code == 303
    assert "已安排重发 1 条发送失败的通知" in client.get("/admin/notify/deliveries?status=sent&channel=").text
    with read_session(engine) as s:
        assert s.scalars(select(Delivery.status)).all() == ["sent"]
