"""What every channel shares: the `Channel` protocol, `DeliveryError`, and the notice it sends.

A `Notice` is one outbox message made ready for the outside: title, body,
when, and an absolute link to the task when `public_base_url` is set. It
renders itself as robot markdown and as plain text (e-mail). Text from
documents is untrusted, so markdown control characters in it are replaced
by their full-width forms: a task sentence cannot forge a link or a heading.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from duban import clock

__all__ = [
    "Channel",
    "ChannelKind",
    "ChannelOptions",
    "DeliveryError",
    "Notice",
    "SmtpOptions",
    "fit_bytes",
    "md_escape",
    "task_url",
]


class ChannelKind(StrEnum):
    WECOM = "wecom"
    DINGTALK = "dingtalk"
    EMAIL = "email"

    @property
    def label(self) -> str:
        return {"wecom": "企业微信群机器人", "dingtalk": "钉钉群机器人", "email": "电子邮件"}[self.value]


class DeliveryError(Exception):
    """A channel could not deliver; `reason` says why in Chinese (shown to supervisors)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SmtpOptions:
    host: str | None = None
    port: int | None = None
    username: str | None = None
    password: str | None = None
    sender: str | None = None
    security: str = "starttls"  # none | starttls | ssl


@dataclass(frozen=True)
class ChannelOptions:
    """What channels need from the settings: timeouts and the SMTP server."""

    timeout: float = 10.0
    smtp: SmtpOptions = field(default_factory=SmtpOptions)


# Markdown (and WeCom's <font>) control characters → full-width look-alikes.
_MD_REPLACE = str.maketrans({"[": "［", "]": "］", "<": "＜", ">": "＞", "`": "｀", "*": "＊", "#": "＃"})


def md_escape(text: str) -> str:
    return text.translate(_MD_REPLACE)


def fit_bytes(text: str, limit: int) -> str:
    """`text` cut to at most `limit` UTF-8 bytes, on a character boundary, marked with an ellipsis."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[: limit - len("…".encode())].decode("utf-8", errors="ignore") + "…"


def task_url(public_base_url: str | None, task_id: int | None) -> str | None:
    if not public_base_url or task_id is None:
        return None
    return f"{public_base_url.rstrip('/')}/tasks/{task_id}"


@dataclass(frozen=True)
class Notice:
    title: str
    body: str
    kind_label: str
    created_at: dt.datetime
    url: str | None = None

    def footer(self) -> str:
        return f"{self.kind_label} · {clock.to_local(self.created_at):%Y-%m-%d %H:%M} · 督办系统"

    def markdown(self) -> str:
        lines = [f"### {md_escape(self.title)}", "", md_escape(self.body), "", f"> {self.footer()}"]
        if self.url:
            lines += ["", f"[查看任务]({self.url})"]
        return "\n".join(lines)

    def text(self) -> str:
        lines = [self.title, "", self.body, "", self.footer()]
        if self.url:
            lines += [f"查看任务：{self.url}"]
        return "\n".join(lines) + "\n"


class Channel(Protocol):
    """One configured destination. `send` returns when the far side accepted the notice."""

    def send(self, notice: Notice) -> None: ...
