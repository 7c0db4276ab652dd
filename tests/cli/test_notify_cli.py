"""`duban notify`: channels configured from the command line, a delivery pass, tests, failures and retries."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from duban.cli import app
from duban.config import get_settings
from duban.db import session as db_session
from duban.db.models import Delivery, NotifyChannel
from duban.db.session import read_session, write_session
from duban.workflow import notify
from duban.workflow.notify import MessageKind
from tests.integrations.servers import Reply, RobotServer
from tests.personas import World

KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"


@pytest.fixture
def runner(engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[CliRunner]:
    url = engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("DUBAN_DATABASE_URL", url)
    monkeypatch.setenv("DUBAN_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("DUBAN_NOTIFY_MAX_ATTEMPTS", "1")
    monkeypatch.delenv("DUBAN_USER", raising=False)
    get_settings.cache_clear()
    db_session.reset_engines()
    yield CliRunner(env={"COLUMNS": "240", "NO_COLOR": "1"})
    db_session.reset_engines()
    get_settings.cache_clear()


def _channel_id(engine: Engine) -> int:
    with read_session(engine) as s:
        return s.scalars(select(NotifyChannel.id)).one()


def test_add_list_switch_and_remove_a_channel(runner: CliRunner, engine: Engine, world: World) -> None:
    url = f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY}"
    added = runner.invoke(
        app, ["notify", "channels", "add", "--unit", "财政局", "--kind", "wecom", "--target", url]
    )
    assert added.exit_code == 0, added.output
    channel_id = _channel_id(engine)
    assert f"已添加通道 {channel_id}：区财政局 · 区财政局企业微信群机器人" in added.output
    listed = runner.invoke(app, ["notify", "channels", "list"])
    assert "send?key=693a***" in listed.output and KEY not in listed.output and "尚未发送" in listed.output
    assert runner.invoke(app, ["notify", "channels", "disable", str(channel_id)]).exit_code == 0
    assert "停用" in runner.invoke(app, ["notify", "channels", "list", "--unit", "区财政局"]).output
    assert runner.invoke(app, ["notify", "channels", "enable", str(channel_id)]).exit_code == 0
    removed = runner.invoke(app, ["notify", "channels", "remove", str(channel_id)])
    assert removed.exit_code == 0 and "已删除通道" in removed.output
    assert "还没有通知通道" in runner.invoke(app, ["notify", "channels", "list"]).output


def test_adding_needs_a_unit_or_the_office_and_a_supervisor(runner: CliRunner, world: World) -> None:
    neither = runner.invoke(app, ["notify", "channels", "add", "--kind", "email", "--target", "a@example.cn"])
    assert neither.exit_code == 2 and "--unit" in neither.output
    as_unit = runner.invoke(
        app,
        [
            "notify",
            "channels",
            "add",
            "--office",
            "--kind",
            "email",
            "--target",
            "a@example.cn",
            "--user",
            "cz",
        ],
    )
    assert as_unit.exit_code == 2 and "只有督查室用户可以配置通知" in as_unit.output
    office = runner.invoke(
        app, ["notify", "channels", "add", "--office", "--kind", "email", "--target", "a@example.cn"]
    )
    assert office.exit_code == 0 and "督查室 · 督查室电子邮件" in office.output


def test_deliver_test_list_failures_and_retry(
    runner: CliRunner, engine: Engine, world: World, robot: RobotServer
) -> None:
    runner.invoke(
        app, ["notify", "channels", "add", "--unit", "区财政局", "--kind", "wecom", "--target", robot.url()]
    )
    channel_id = _channel_id(engine)
    tested = runner.invoke(app, ["notify", "test", str(channel_id)])
    assert tested.exit_code == 0 and "测试消息已发往通道" in tested.output

    robot.answer(Reply({"errcode": 93000, "errmsg": "invalid webhook url"}))
    with write_session(engine) as s:
        notify.enqueue(s, MessageKind.REMINDER, "【催办】报送材料", "已逾期", unit_id=world.unit_a)
    failed = runner.invoke(app, ["notify", "deliver"])
    assert failed.exit_code == 1
    assert "分发消息 1 条，生成发送任务 1 条；发送成功 0，稍后重试 0，失败 1" in failed.output
    listed = runner.invoke(app, ["notify", "deliveries"])
    assert "【催办】报送材料" in listed.output and "errcode=93000" in listed.output

    retried = runner.invoke(app, ["notify", "retry", "--all"])
    assert retried.exit_code == 0 and "已重新排入发送 1 条" in retried.output
    sent = runner.invoke(app, ["notify", "deliver"])
    assert sent.exit_code == 0 and "发送成功 1" in sent.output
    with read_session(engine) as s:
        assert s.scalars(select(Delivery.status)).all() == ["sent"]
    assert "没有发送失败的通知" in runner.invoke(app, ["notify", "deliveries"]).output

    robot.answer(Reply({"errcode": 93000, "errmsg": "invalid webhook url"}))
    refused = runner.invoke(app, ["notify", "test", str(channel_id)])
    assert refused.exit_code == 1 and "发送失败：企业微信机器人拒收" in refused.output
