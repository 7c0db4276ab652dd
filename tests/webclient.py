"""HTTP clients for the web app and the API, signed in as a persona without paying for Argon2 each test.

`sign_in` writes the same signed session cookie the login page would
(user id, password fingerprint, CSRF token); tests of the login page itself
go through the real form. Every client sends the session's CSRF token as a
header unless the test says otherwise.
"""

from __future__ import annotations

import json
from base64 import b64encode
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner
from sqlalchemy import Engine, select

from duban import accounts
from duban.config import Settings
from duban.db.models import User
from duban.db.session import write_session
from duban.server.app import SESSION_COOKIE, create_app
from duban.workflow.principal import Principal

SECRET = "test-secret-key-not-for-production"
CSRF = "test-csrf-token"
BASE_URL = "https://testserver"


def web_settings(data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "secret_key": SECRET,
        "queue_immediate": True,
        "ocr_enabled": False,
    }
    values.update(overrides)
    return Settings(**values)


def session_cookie(data: dict[str, Any]) -> str:
    """What Starlette's SessionMiddleware would set for this session content."""
    payload = b64encode(json.dumps(data).encode())
    return TimestampSigner(SECRET).sign(payload).decode()


def sign_in(client: TestClient, engine: Engine, who: Principal | str, *, csrf: bool = True) -> TestClient:
    match = User.username == who if isinstance(who, str) else User.id == who.user_id
    with write_session(engine) as session:
        user = session.scalar(select(User).where(match))
        assert user is not None, f"no user {who}"
        data = {"uid": user.id, "fp": accounts.session_fingerprint(user), "csrf": CSRF}
    client.cookies.set(SESSION_COOKIE, session_cookie(data), domain="testserver.local")
    if csrf:
        client.headers["X-CSRF-Token"] = CSRF
    return client


def issue_token(engine: Engine, who: Principal) -> str:
    with write_session(engine) as session:
        user = session.get(User, who.user_id)
        assert user is not None
        return accounts.issue_token(session, user, "tests", who.actor).secret


ClientFactory = Callable[..., TestClient]


@pytest.fixture
def web_app(engine: Engine, tmp_path: Path) -> FastAPI:
    return create_app(web_settings(tmp_path), engine)


@pytest.fixture
def client_for(web_app: FastAPI, engine: Engine) -> Iterator[ClientFactory]:
    """`client_for(world.unit_a_user)` signs in; `client_for(None)` is anonymous; `token=True` uses a bearer token."""
    clients: list[TestClient] = []

    def make(who: Principal | str | None = None, *, token: bool = False, csrf: bool = True) -> TestClient:
        client = TestClient(web_app, base_url=BASE_URL, follow_redirects=False)
        clients.append(client)
        if who is not None and token:
            assert isinstance(who, Principal)
            client.headers["Authorization"] = f"Bearer {issue_token(engine, who)}"
        elif who is not None:
            sign_in(client, engine, who, csrf=csrf)
        return client

    yield make
    for client in clients:
        client.close()
