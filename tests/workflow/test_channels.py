"""Configuring channels: checked, audited without keys or secrets, and a test send that records its outcome."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine, select

from duban.db.models import AuditEvent, NotifyChannel
from duban.db.session import read_session, write_session
from duban.errors import NotFound, Rejected
from duban.integrations.channel import ChannelOptions
from duban.workflow import channels
from duban.workflow.channels import ChannelChanges, ChannelIn
from tests.integrations.servers import Reply, RobotServer
from tests.personas import World

KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
WECOM = f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY}"


def _events(engine: Engine) -> list[AuditEvent]:
    with read_session(engine) as s:
        return list(
            s.scalars(
                select(AuditEvent).where(AuditEvent.entity == "notify_channel").order_by(AuditEvent.seq)
            )
        )


def test_add_change_switch_and_remove_are_audited_without_keys_or_secrets(
    engine: Engine, world: World
) -> None:
    actor = world.supervisor.actor
    with write_session(engine) as s:
        data = ChannelIn(
            world.unit_a,
            "dingtalk",
            " 财政局 工作群 ",
            "https://oapi.dingtalk.com/robot/send?access_token=abcdef123",
            "SECsecret-value",
        )
        channel_id = channels.add_channel(s, actor, data).id
    with write_session(engine) as s:
        channels.update_channel(
            s, actor, channel_id, ChannelChanges(name="财政局督办群", secret="SECnew-secret")
        )
        channels.set_enabled(s, actor, channel_id, False)
        channels.update_channel(s, actor, channel_id, ChannelChanges(clear_secret=True))
    with read_session(engine) as s:
        stored = s.get_one(NotifyChannel, channel_id)
        assert (stored.name, stored.enabled, stored.secret) == ("财政局督办群", False, None)
        assert stored.target == "https://oapi.dingtalk.com/robot/send?access_token=abcdef123"
    with write_session(engine) as s:
        assert channels.delete_channel(s, actor, channel_id) == "财政局督办群"
    events = _events(engine)
    assert [e.action for e in events] == ["create", "update", "update", "update", "delete"]
    assert events[0].after == {
        "unit_id": world.unit_a,
        "kind": "dingtalk",
        "name": "财政局 工作群",
        "target": "https://oapi.dingtalk.com/robot/send?access_token=abcd***",
        "secret_set": True,
        "enabled": True,
    }
    assert events[1].after == {"name": "财政局督办群", "secret_set": True}
    assert events[2].before == {"enabled": True} and events[2].after == {"enabled": False}
    assert events[3].after == {"secret_set": False}
    logged = json.dumps([(e.before, e.after) for e in events], ensure_ascii=False)
    assert "abcdef123" not in logged and "SECsecret" not in logged and "SECnew" not in logged
    with read_session(engine) as s:
        assert s.scalar(select(NotifyChannel)) is None


def test_a_new_key_is_a_change_even_when_its_first_characters_match(engine: Engine, world: World) -> None:
    with write_session(engine) as s:
        channel_id = channels.add_channel(
            s, world.supervisor.actor, ChannelIn(None, "wecom", "督查室群", WECOM)
        ).id
        channels.update_channel(s, world.supervisor.actor, channel_id, ChannelChanges(target=WECOM + "b"))
    assert [e.action for e in _events(engine)] == ["create", "update"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (ChannelIn(None, "sms", "短信", "13800000000"), "通道类型须是"),
        (ChannelIn(None, "wecom", "  ", WECOM), "请填写通道名称"),
        (ChannelIn(None, "wecom", "群", "qyapi.weixin.qq.com/send"), "Webhook 地址须是完整的"),
        (ChannelIn(None, "wecom", "群", WECOM, secret="SECx"), "只有钉钉机器人需要加签密钥"),
        (ChannelIn(None, "email", "邮箱", "a@example.cn; nobody"), "邮箱地址格式不对：nobody"),
    ],
)
def test_bad_configurations_are_refused(engine: Engine, world: World, data: ChannelIn, message: str) -> None:
    with pytest.raises(Rejected, match=message), write_session(engine) as s:
        channels.add_channel(s, world.supervisor.actor, data)
    assert _events(engine) == []


def test_a_channel_for_an_unknown_unit_or_id_is_not_found(engine: Engine, world: World) -> None:
    with pytest.raises(NotFound), write_session(engine) as s:
        channels.add_channel(s, world.supervisor.actor, ChannelIn(999_999, "wecom", "群", WECOM))
    with pytest.raises(NotFound), write_session(engine) as s:
        channels.set_enabled(s, world.supervisor.actor, 999_999, False)


def test_the_view_cuts_the_key_and_names_the_office(engine: Engine, world: World) -> None:
    with write_session(engine) as s:
        found = channels.view(
            channels.add_channel(s, world.supervisor.actor, ChannelIn(None, "wecom", "督查室群", WECOM))
        )
    assert (found.unit_name, found.target, found.kind_label) == (
        "督查室",
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a***",
        "企业微信群机器人",
    )
    assert not found.failing


def test_a_test_send_reaches_the_robot_and_records_success(
    engine: Engine, world: World, robot: RobotServer
) -> None:
    with write_session(engine) as s:
        channel_id = channels.add_channel(
            s, world.supervisor.actor, ChannelIn(world.unit_a, "wecom", "群", robot.url())
        ).id
    outcome = channels.send_test(
        lambda: write_session(engine), world.supervisor.actor, channel_id, ChannelOptions(timeout=5)
    )
    assert outcome.ok and outcome.channel_name == "群"
    (got,) = robot.received
    assert "【测试】督办系统通知通道测试" in got.body["markdown"]["content"]
    assert "区财政局的通知通道“群”" in got.body["markdown"]["content"]
    with read_session(engine) as s:
        assert s.get_one(NotifyChannel, channel_id).last_success_at is not None
    assert _events(engine)[-1].after == {"ok": True, "error": None}


def test_a_failed_test_send_says_why_and_marks_the_channel(
    engine: Engine, world: World, robot: RobotServer
) -> None:
    robot.answer(Reply({"errcode": 93000, "errmsg": "invalid webhook url"}))
    with write_session(engine) as s:
        channel_id = channels.add_channel(
            s, world.supervisor.actor, ChannelIn(world.unit_a, "wecom", "群", robot.url())
        ).id
    outcome = channels.send_test(
        lambda: write_session(engine), world.supervisor.actor, channel_id, ChannelOptions(timeout=5)
    )
    assert outcome.error == "企业微信机器人拒收：errcode=93000 invalid webhook url"
    with read_session(engine) as s:
        found = channels.view(s.get_one(NotifyChannel, channel_id))
    assert found.failing and found.last_error == outcome.error
