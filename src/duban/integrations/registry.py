"""Build a channel from its stored configuration: kind, target (webhook URL or addresses), secret."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit, urlunsplit

from duban.errors import Rejected
from duban.integrations.channel import Channel, ChannelKind, ChannelOptions
from duban.integrations.email.smtp import SmtpMailer, parse_recipients
from duban.integrations.webhook.dingtalk import DingTalkRobot
from duban.integrations.webhook.http import check_url
from duban.integrations.webhook.wecom import WeComRobot

__all__ = ["check_target", "connect", "display_target", "kind_of"]


def kind_of(value: str) -> ChannelKind:
    try:
        return ChannelKind(value)
    except ValueError:
        raise Rejected("通道类型须是企业微信、钉钉或电子邮件", f"unknown channel kind {value!r}") from None


def check_target(kind: ChannelKind, target: str) -> str:
    """The target as stored: a checked webhook URL, or the recipients joined by commas."""
    if kind is ChannelKind.EMAIL:
        return ", ".join(parse_recipients(target))
    return check_url(target)


def connect(kind: ChannelKind, target: str, secret: str | None, options: ChannelOptions) -> Channel:
    if kind is ChannelKind.WECOM:
        return WeComRobot(target, options.timeout)
    if kind is ChannelKind.DINGTALK:
        return DingTalkRobot(target, secret or None, options.timeout)
    return SmtpMailer(parse_recipients(target), options.smtp, options.timeout)


def display_target(kind: ChannelKind, target: str) -> str:
    """The target as lists and the audit log show it: a webhook's key or token cut to its first 4 characters and ***.

    The robot's key is all it takes to post into the group, so it is kept out of pages and logs.
    """
    if kind is ChannelKind.EMAIL:
        return target
    parts = urlsplit(target)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = "&".join(f"{k}={v[:4]}***" if len(v) > 4 else f"{k}={v}" for k, v in pairs)
    return urlunsplit(parts._replace(query=query))
