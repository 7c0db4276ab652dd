"""Real servers on 127.0.0.1 for the channel tests: a robot webhook (HTTP) and a mail server (aiosmtpd).

`RobotServer` records every POST (path, query, JSON body) and answers from
a queue of replies (status, body, delay), then with `{"errcode": 0}`.
`MailServer` keeps every message it accepted, parsed, with its envelope.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import json
import socket
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from aiosmtpd.controller import Controller

OK = {"errcode": 0, "errmsg": "ok"}


@dataclass(frozen=True)
class Reply:
    body: dict[str, Any] | bytes = field(default_factory=lambda: dict(OK))
    status: int = 200
    delay: float = 0.0


@dataclass(frozen=True)
class Received:
    path: str
    query: dict[str, str]
    body: dict[str, Any]
    content_type: str


class RobotServer:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.replies: deque[Reply] = deque()
        self.release = threading.Event()  # ends a delayed reply early when the server stops
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                robot.received.append(
                    Received(parts.path, query, json.loads(raw.decode("utf-8")), self.headers["Content-Type"])
                )
                reply = robot.replies.popleft() if robot.replies else Reply()
                if reply.delay:
                    robot.release.wait(reply.delay)
                body = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
                with contextlib.suppress(OSError):  # the client may have given up (timeout tests)
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str = "/cgi-bin/webhook/send?key=test-key") -> str:
        return self.base + path

    def answer(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    def start(self) -> RobotServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@contextlib.contextmanager
def robot_server() -> Iterator[RobotServer]:
    server = RobotServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def robot() -> Iterator[RobotServer]:
    """A robot webhook server for one test (import this fixture where needed)."""
    with robot_server() as server:
        yield server


@dataclass(frozen=True)
class Mail:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


class _Collector:
    def __init__(self, inbox: list[Mail]) -> None:
        self.inbox = inbox

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.inbox.append(Mail(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def mail_server(**smtp_options: Any) -> Iterator[tuple[int, list[Mail]]]:
    """An SMTP server on 127.0.0.1; yields its port and the list of messages it accepted."""
    inbox: list[Mail] = []
    controller = Controller(_Collector(inbox), hostname="127.0.0.1", port=free_port(), **smtp_options)
    controller.start()
    try:
        yield controller.port, inbox
    finally:
        controller.stop()
