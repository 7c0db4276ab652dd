"""E-mail through a real SMTP server (aiosmtpd on 127.0.0.1): UTF-8 subject and body, login, failures."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from duban.errors import Rejected
from duban.integrations.channel import ChannelKind, ChannelOptions, DeliveryError, Notice, SmtpOptions
from duban.integrations.email.smtp import SmtpMailer, parse_recipients
from duban.integrations.registry import check_target, connect
from tests.integrations.servers import free_port, mail_server

NOTICE = Notice(
    title="【退回】区财政局负责落实专项资金拨付工作",
    body="办结申请被退回，原因：缺少拨付凭证。",
    kind_label="任务被退回",
    created_at=dt.datetime(2026, 5, 6, 2, 0, tzinfo=dt.UTC),
    url="https://duban.example.gov.cn/tasks/3",
)
SENDER = "督办系统 <duban@example.gov.cn>"


def _smtp(port: int, **changes: Any) -> SmtpOptions:
    values: dict[str, Any] = {"host": "127.0.0.1", "port": port, "sender": SENDER, "security": "none"}
    values.update(changes)
    return SmtpOptions(**values)


def test_a_notice_arrives_with_its_chinese_subject_and_body() -> None:
    with mail_server() as (port, inbox):
        SmtpMailer(["czj@example.gov.cn", "bgs@example.gov.cn"], _smtp(port), timeout=5).send(NOTICE)
    (mail,) = inbox
    assert mail.mail_from == "duban@example.gov.cn"
    assert mail.rcpt_tos == ["czj@example.gov.cn", "bgs@example.gov.cn"]
    assert mail.message["Subject"] == "【退回】区财政局负责落实专项资金拨付工作"
    assert mail.message["From"].addresses[0].display_name == "督办系统"
    assert mail.message.get_content_type() == "text/plain"
    assert mail.message.get_content_charset() == "utf-8"
    body = mail.message.get_content()
    assert "办结申请被退回，原因：缺少拨付凭证。" in body
    assert "查看任务：https://duban.example.gov.cn/tasks/3" in body


def _authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"duban", b"s3cret")
    return AuthResult(success=ok, handled=False)


def test_login_when_a_user_name_is_set() -> None:
    auth = {"authenticator": _authenticator, "auth_require_tls": False}
    with mail_server(**auth) as (port, inbox):
        SmtpMailer(["a@example.cn"], _smtp(port, username="duban", password="s3cret"), timeout=5).send(NOTICE)
        wrong = SmtpMailer(["a@example.cn"], _smtp(port, username="duban", password="wrong"), timeout=5)
        with pytest.raises(DeliveryError, match="邮件服务器登录失败（535）"):
            wrong.send(NOTICE)
    assert len(inbox) == 1


def test_starttls_against_a_server_without_it_is_a_failure() -> None:
    with mail_server() as (port, inbox), pytest.raises(DeliveryError, match="STARTTLS"):
        SmtpMailer(["a@example.cn"], _smtp(port, security="starttls"), timeout=5).send(NOTICE)
    assert inbox == []


class _RefuseAll:
    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        return "550 5.1.1 mailbox unavailable"


def test_refused_recipients_are_a_failure_naming_them() -> None:
    from aiosmtpd.controller import Controller

    controller = Controller(_RefuseAll(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        with pytest.raises(DeliveryError, match=r"拒收全部收件人：nobody@example\.cn"):
            SmtpMailer(["nobody@example.cn"], _smtp(controller.port), timeout=5).send(NOTICE)
    finally:
        controller.stop()


def test_missing_configuration_and_dead_servers_are_readable_failures() -> None:
    with pytest.raises(DeliveryError, match="未配置邮件服务器"):
        SmtpMailer(["a@example.cn"], SmtpOptions(), timeout=5).send(NOTICE)
    with pytest.raises(DeliveryError, match="未配置发件人"):
        SmtpMailer(["a@example.cn"], SmtpOptions(host="127.0.0.1"), timeout=5).send(NOTICE)
    with pytest.raises(DeliveryError, match=r"无法连接邮件服务器 127\.0\.0\.1"):
        SmtpMailer(["a@example.cn"], _smtp(free_port()), timeout=2).send(NOTICE)


def test_recipient_lists_are_split_checked_and_deduplicated() -> None:
    assert parse_recipients(" a@example.cn；b@example.cn, a@example.cn\nc@x.gov.cn ") == [
        "a@example.cn",
        "b@example.cn",
        "c@x.gov.cn",
    ]
    assert check_target(ChannelKind.EMAIL, "a@example.cn;b@example.cn") == "a@example.cn, b@example.cn"
    for bad in ("", "  ,; ", "not-an-address", "a@b"):
        with pytest.raises(Rejected):
            parse_recipients(bad)


def test_connect_builds_a_mailer_with_the_configured_server() -> None:
    options = ChannelOptions(timeout=3, smtp=SmtpOptions(host="mail.example.cn", sender=SENDER))
    mailer = connect(ChannelKind.EMAIL, "a@example.cn, b@example.cn", None, options)
    assert isinstance(mailer, SmtpMailer)
    assert mailer.recipients == ["a@example.cn", "b@example.cn"] and mailer.smtp.host == "mail.example.cn"
