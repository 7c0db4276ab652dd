"""钉钉群机器人: POST {"msgtype": "markdown", "markdown": {"title": ..., "text": ...}}.

A robot with 加签 (signed requests) has a secret `SEC...`: every request
adds `timestamp` (milliseconds) and `sign` = base64(HMAC-SHA256(secret,
"{timestamp}\\n{secret}")) to the query string; DingTalk refuses a timestamp
more than an hour off. errcode 0 is success (310000: bad signature or
keyword; 130101: too many messages).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any
from urllib.parse import quote_plus

from duban import clock
from duban.integrations.channel import Notice, fit_bytes
from duban.integrations.webhook.http import post_json, robot_errcode

__all__ = ["DingTalkRobot", "payload", "sign", "signed_url"]

# DingTalk's limit is 20,000 bytes per message; stay well below it.
MAX_TEXT_BYTES = 16_000


def payload(notice: Notice) -> dict[str, Any]:
    return {
        "msgtype": "markdown",
        "markdown": {"title": notice.title[:100], "text": fit_bytes(notice.markdown(), MAX_TEXT_BYTES)},
    }


def sign(secret: str, timestamp_ms: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={timestamp_ms}&sign={quote_plus(sign(secret, timestamp_ms))}"


class DingTalkRobot:
    def __init__(self, url: str, secret: str | None, timeout: float) -> None:
        self.url = url
        self.secret = secret
        self.timeout = timeout

    def send(self, notice: Notice) -> None:
        stamp = int(clock.now().timestamp() * 1000)
        url = signed_url(self.url, self.secret, stamp) if self.secret else self.url
        robot_errcode(post_json(url, payload(notice), self.timeout), "钉钉机器人")
