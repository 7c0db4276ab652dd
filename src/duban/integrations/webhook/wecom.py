"""企业微信群机器人: POST {"msgtype": "markdown", "markdown": {"content": ...}} to the robot's webhook.

The webhook address carries the robot's key (`.../cgi-bin/webhook/send?key=...`).
The robot answers `{"errcode": 0, "errmsg": "ok"}`; any other errcode is a
failure (93000 invalid key, 45009 rate limited: 20 messages a minute per robot).
"""

from __future__ import annotations

from typing import Any

from duban.integrations.channel import Notice, fit_bytes
from duban.integrations.webhook.http import post_json, robot_errcode

__all__ = ["MAX_CONTENT_BYTES", "WeComRobot", "payload"]

# WeCom refuses markdown content over 4096 bytes of UTF-8.
MAX_CONTENT_BYTES = 4096


def payload(notice: Notice) -> dict[str, Any]:
    return {"msgtype": "markdown", "markdown": {"content": fit_bytes(notice.markdown(), MAX_CONTENT_BYTES)}}


class WeComRobot:
    def __init__(self, url: str, timeout: float) -> None:
        self.url = url
        self.timeout = timeout

    def send(self, notice: Notice) -> None:
        robot_errcode(post_json(self.url, payload(notice), self.timeout), "企业微信机器人")
