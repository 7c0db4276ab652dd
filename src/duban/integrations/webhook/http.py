"""POST a JSON document and read the JSON answer, with a timeout; every failure is a `DeliveryError`.

Stdlib `urllib` is enough for one small POST per notice and adds no
dependency. Environment proxies (`https_proxy`, `no_proxy`) are honoured:
an intranet server often reaches the robots' public endpoints only through one.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from duban.errors import Rejected
from duban.integrations.channel import DeliveryError

__all__ = ["MAX_RESPONSE_BYTES", "check_url", "post_json", "robot_errcode"]

# Robot answers are a few dozen bytes; never read an endless body.
MAX_RESPONSE_BYTES = 64 * 1024


def check_url(url: str) -> str:
    """A webhook address as stored: http(s) with a host, no spaces."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname or any(c.isspace() for c in url):
        raise Rejected("Webhook 地址须是完整的 http(s) 网址", f"not an http(s) URL: {url[:100]!r}")
    if len(url) > 2000:
        raise Rejected("Webhook 地址过长", "webhook URL too long")
    return url


def post_json(url: str, payload: dict[str, Any], timeout: float) -> dict[str, Any]:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    host = urlsplit(url).hostname or url
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read(MAX_RESPONSE_BYTES)
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"服务器返回 HTTP {exc.code}（{host}）") from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise DeliveryError(f"连接 {host} 超时（{timeout:g} 秒）") from exc
        raise DeliveryError(f"无法连接 {host}：{exc.reason}") from exc
    except TimeoutError as exc:
        raise DeliveryError(f"等待 {host} 应答超时（{timeout:g} 秒）") from exc
    except OSError as exc:
        raise DeliveryError(f"与 {host} 通信出错：{exc}") from exc
    try:
        answer = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DeliveryError(f"{host} 的应答不是 JSON：{raw[:100]!r}") from exc
    if not isinstance(answer, dict):
        raise DeliveryError(f"{host} 的应答格式不对：{raw[:100]!r}")
    return answer


def robot_errcode(answer: dict[str, Any], who: str) -> None:
    """Both robots answer HTTP 200 with `errcode` 0 on success and a code and `errmsg` otherwise."""
    code = answer.get("errcode")
    if code != 0:
        message = str(answer.get("errmsg", ""))[:300]
        raise DeliveryError(f"{who}拒收：errcode={code} {message}".rstrip())
