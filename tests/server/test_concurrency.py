"""Many concurrent requests against a small connection pool finish instead of deadlocking.

Sessions give their connection back in the event loop, so threads waiting
for a connection can never hold every worker thread while the sessions that
would free one wait for a thread. A real uvicorn server, a pool of two.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2 as httpx
import pytest
import uvicorn
from sqlalchemy import Engine

from duban import accounts
from duban.db.models import User
from duban.db.session import make_engine, write_session
from duban.server.app import SESSION_COOKIE, create_app
from tests.personas import World
from tests.webclient import issue_token, session_cookie, web_settings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def small_pool_server(engine: Engine, tmp_path: Path) -> Iterator[str]:
    small = make_engine(
        engine.url.render_as_string(hide_password=False), pool_size=2, max_overflow=0, pool_timeout=20
    )
    app = create_app(web_settings(tmp_path), small)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    small.dispose()


def test_forty_concurrent_api_calls_on_a_pool_of_two_all_answer(
    small_pool_server: str, engine: Engine, world: World
) -> None:
    token = issue_token(engine, world.supervisor)

    def call(_: int) -> int:
        headers = {"Authorization": f"Bearer {token}"}
        return httpx.get(f"{small_pool_server}/api/v1/tasks", headers=headers, timeout=15).status_code

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=40) as pool:
        statuses = list(pool.map(call, range(80)))
    assert statuses == [200] * 80
    assert time.monotonic() - started < 15


def test_forty_concurrent_ledger_pages_on_a_pool_of_two_all_answer(
    small_pool_server: str, engine: Engine, world: World
) -> None:
    with write_session(engine) as session:
        user = session.get(User, world.supervisor.user_id)
        assert user is not None
        cookie = session_cookie({"uid": user.id, "fp": accounts.session_fingerprint(user), "csrf": "x"})

    def call(_: int) -> int:
        cookies = {SESSION_COOKIE: cookie}
        return httpx.get(f"{small_pool_server}/tasks", cookies=cookies, timeout=15).status_code

    with ThreadPoolExecutor(max_workers=40) as pool:
        statuses = list(pool.map(call, range(80)))
    assert statuses == [200] * 80
