"""WeCom and DingTalk robots against a real HTTP server on 127.0.0.1: payloads, signing, failures."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac

import pytest
import time_machine

from duban.errors import Rejected
from duban.integrations.channel import ChannelKind, ChannelOptions, DeliveryError, Notice
from duban.integrations.registry import check_target, connect
from duban.integrations.webhook.dingtalk import DingTalkRobot, sign
from duban.integrations.webhook.wecom import MAX_CONTENT_BYTES, WeComRobot
from tests.integrations.servers import Reply, RobotServer

NOTICE = Notice(
    title="【催办】报送专项资金使用情况",
    body="任务已逾期3天，请抓紧办理并反馈。",
    kind_label="催办提醒",
    created_at=dt.datetime(2026, 9, 30, 1, 0, tzinfo=dt.UTC),
    url="https://duban.example.gov.cn/tasks/7",
)
SECRET = "SECtest0123456789abcdef"


def test_wecom_posts_markdown_content(robot: RobotServer) -> None:
    WeComRobot(robot.url(), timeout=5).send(NOTICE)
    (got,) = robot.received
    assert got.path == "/cgi-bin/webhook/send" and got.query == {"key": "test-key"}
    assert got.content_type == "application/json; charset=utf-8"
    assert got.body == {"msgtype": "markdown", "markdown": {"content": NOTICE.markdown()}}
    assert "【催办】报送专项资金使用情况" in got.body["markdown"]["content"]


def test_wecom_content_is_kept_under_its_byte_limit(robot: RobotServer) -> None:
    long = Notice(NOTICE.title, "督办" * 3000, NOTICE.kind_label, NOTICE.created_at)
    WeComRobot(robot.url(), timeout=5).send(long)
    assert len(robot.received[0].body["markdown"]["content"].encode()) <= MAX_CONTENT_BYTES


def test_wecom_errcode_is_a_failure_with_the_robots_message(robot: RobotServer) -> None:
    robot.answer(Reply({"errcode": 93000, "errmsg": "invalid webhook url"}))
    with pytest.raises(DeliveryError) as caught:
        WeComRobot(robot.url(), timeout=5).send(NOTICE)
    assert caught.value.reason == "企业微信机器人拒收：errcode=93000 invalid webhook url"


def test_dingtalk_posts_markdown_with_title_and_text(robot: RobotServer) -> None:
    DingTalkRobot(robot.url("/robot/send?access_token=abc"), None, timeout=5).send(NOTICE)
    (got,) = robot.received
    assert got.query == {"access_token": "abc"}
    assert got.body == {
        "msgtype": "markdown",
        "markdown": {"title": NOTICE.title, "text": NOTICE.markdown()},
    }


def test_dingtalk_signs_with_timestamp_and_hmac(robot: RobotServer) -> None:
    moment = dt.datetime(2026, 9, 30, 9, 0, 0, 250_000, tzinfo=dt.UTC)
    with time_machine.travel(moment, tick=False):
        DingTalkRobot(robot.url("/robot/send?access_token=abc"), SECRET, timeout=5).send(NOTICE)
    (got,) = robot.received
    stamp = int(moment.timestamp() * 1000)
    expected = base64.b64encode(
        hmac.new(SECRET.encode(), f"{stamp}\n{SECRET}".encode(), hashlib.sha256).digest()
    ).decode()
    # parse_qs has undone the URL encoding: what arrives is the base64 signature itself.
    assert got.query == {"access_token": "abc", "timestamp": str(stamp), "sign": expected}
    assert sign(SECRET, stamp) == expected


def test_dingtalk_errcode_is_a_failure(robot: RobotServer) -> None:
    robot.answer(Reply({"errcode": 310000, "errmsg": "sign not match"}))
    with pytest.raises(DeliveryError, match="钉钉机器人拒收：errcode=310000 sign not match"):
        DingTalkRobot(robot.url("/robot/send?access_token=abc"), SECRET, timeout=5).send(NOTICE)


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (Reply({"errmsg": "boom"}, status=502), "服务器返回 HTTP 502"),
        (Reply(b"<html>gateway</html>"), "的应答不是 JSON"),
        (Reply(b"[1, 2]"), "的应答格式不对"),
    ],
)
def test_http_errors_and_garbage_answers_are_failures(robot: RobotServer, reply: Reply, reason: str) -> None:
    robot.answer(reply)
    with pytest.raises(DeliveryError, match=reason):
        WeComRobot(robot.url(), timeout=5).send(NOTICE)


def test_a_robot_that_does_not_answer_in_time_is_a_timeout(robot: RobotServer) -> None:
    robot.answer(Reply(delay=5))
    with pytest.raises(DeliveryError, match=r"超时（0\.3 秒）"):
        WeComRobot(robot.url(), timeout=0.3).send(NOTICE)


def test_nobody_listening_is_a_readable_failure() -> None:
    with pytest.raises(DeliveryError, match=r"无法连接 127\.0\.0\.1"):
        WeComRobot("http://127.0.0.1:9/send", timeout=2).send(NOTICE)


def test_targets_are_checked_before_they_are_stored() -> None:
    url = "https://oapi.dingtalk.com/robot/send?access_token=abc"
    assert check_target(ChannelKind.DINGTALK, f"  {url} ") == url
    for bad in ("oapi.dingtalk.com/robot/send", "ftp://x.example/send", "https://", "https://a b.cn/"):
        with pytest.raises(Rejected):
            check_target(ChannelKind.WECOM, bad)


def test_connect_builds_the_channel_of_each_kind(robot: RobotServer) -> None:
    options = ChannelOptions(timeout=5)
    assert isinstance(connect(ChannelKind.WECOM, robot.url(), None, options), WeComRobot)
    dingtalk = connect(ChannelKind.DINGTALK, robot.url(), SECRET, options)
    assert isinstance(dingtalk, DingTalkRobot) and dingtalk.secret == SECRET
