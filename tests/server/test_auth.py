"""Sign-in, sessions, CSRF, tokens, rate limiting and the response headers every page carries."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from duban import accounts
from duban.db.models import User
from duban.db.session import write_session
from tests.personas import World
from tests.webclient import BASE_URL, CSRF, ClientFactory

PASSWORD = "correct-horse-9"


def _set_password(engine: Engine, username: str, password: str = PASSWORD) -> None:
    with write_session(engine) as session:
        user = session.query(User).filter_by(username=username).one()
        user.password_hash = accounts.hash_password(password)


def _csrf_from(client: TestClient, path: str = "/login") -> str:
    page = client.get(path)
    marker = 'name="csrf_token" value="'
    start = page.text.index(marker) + len(marker)
    return page.text[start : page.text.index('"', start)]


def _login(client: TestClient, username: str, password: str = PASSWORD, next: str = "/") -> object:
    token = _csrf_from(client)
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token, "next": next}
    )


def test_anonymous_page_request_redirects_to_login(client_for: ClientFactory, world: World) -> None:
    response = client_for(None).get("/account/tokens?x=1")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Faccount%2Ftokens%3Fx%3D1"


def test_anonymous_api_request_is_401_problem(client_for: ClientFactory, world: World) -> None:
    response = client_for(None).get("/api/v1/me")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "login_required"


def test_login_with_right_password_starts_a_session(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    _set_password(engine, "cz")
    client = client_for(None)
    response = _login(client, "cz", next="/tasks")
    assert response.status_code == 303 and response.headers["location"] == "/tasks"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "secure" in cookie and "samesite=lax" in cookie
    me = client.get("/api/v1/me")
    assert me.status_code == 200 and me.json()["username"] == "cz"


def test_login_refuses_wrong_password_and_unknown_user_alike(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    _set_password(engine, "cz")
    client = client_for(None)
    wrong = _login(client, "cz", "not-the-password")
    unknown = _login(client, "nobody", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert "用户名或密码不正确" in wrong.text and "用户名或密码不正确" in unknown.text


def test_login_never_redirects_off_site(client_for: ClientFactory, engine: Engine, world: World) -> None:
    _set_password(engine, "cz")
    response = _login(client_for(None), "cz", next="//evil.example/phish")
    assert response.headers["location"] == "/"


def test_login_without_csrf_token_is_refused(client_for: ClientFactory, engine: Engine, world: World) -> None:
    _set_password(engine, "cz")
    client = client_for(None)
    client.get("/login")
    response = client.post("/login", data={"username": "cz", "password": PASSWORD})
    assert response.status_code == 403


def test_disabled_user_cannot_log_in(client_for: ClientFactory, engine: Engine, world: World) -> None:
    _set_password(engine, "cz")
    with write_session(engine) as session:
        session.query(User).filter_by(username="cz").one().active = False
    assert _login(client_for(None), "cz").status_code == 401


def test_repeated_failures_lock_the_login_for_a_while(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    _set_password(engine, "cz")
    client = client_for(None)
    for _ in range(5):
        assert _login(client, "cz", "wrong-password").status_code == 401
    locked = _login(client, "cz")  # even the right password waits
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 0
    assert "登录失败次数过多" in locked.text


def test_unsafe_request_without_csrf_header_is_refused(client_for: ClientFactory, world: World) -> None:
    client = client_for(world.supervisor, csrf=False)
    response = client.post("/logout")
    assert response.status_code == 403
    response = client.post("/logout", headers={"X-CSRF-Token": "forged"})
    assert response.status_code == 403
    assert client.post("/logout", headers={"X-CSRF-Token": CSRF}).status_code == 303


def test_logout_ends_the_session(client_for: ClientFactory, world: World) -> None:
    client = client_for(world.supervisor)
    assert client.get("/api/v1/me").status_code == 200
    client.post("/logout")
    assert client.get("/api/v1/me").status_code == 401


def test_changing_password_signs_out_other_browsers(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    _set_password(engine, "cz")
    here, elsewhere = client_for("cz"), client_for("cz")
    response = here.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "another-pass-7",
            "new_password_again": "another-pass-7",
        },
    )
    assert response.status_code == 303
    assert here.get("/api/v1/me").status_code == 200
    assert elsewhere.get("/api/v1/me").status_code == 401


def test_changing_password_needs_the_current_one(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    _set_password(engine, "cz")
    response = client_for("cz").post(
        "/account/password",
        data={
            "current_password": "wrong",
            "new_password": "another-pass-7",
            "new_password_again": "another-pass-7",
        },
    )
    assert response.status_code == 422 and "当前密码不正确" in response.text


def test_api_token_acts_as_its_user_without_csrf(client_for: ClientFactory, world: World) -> None:
    client = client_for(world.unit_a_user, token=True)
    me = client.get("/api/v1/me")
    assert me.status_code == 200 and me.json()["username"] == "cz"


def test_revoked_or_forged_token_is_refused(client_for: ClientFactory, world: World) -> None:
    client = client_for(world.unit_a_user, token=True)
    client.headers["Authorization"] = "Bearer dbn_forged"
    assert client.get("/api/v1/me").status_code == 401


def test_token_page_shows_a_new_secret_once(client_for: ClientFactory, world: World) -> None:
    client = client_for(world.supervisor)
    created = client.post("/account/tokens", data={"name": "OA 对接"})
    assert created.status_code == 201
    secret = created.text.split('id="new-token">')[1].split("<")[0]
    api = TestClient(client.app, base_url=BASE_URL)
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    assert secret not in client.get("/account/tokens").text


def test_every_response_carries_security_headers(client_for: ClientFactory, world: World) -> None:
    response = client_for(None).get("/login")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_oversized_request_body_is_refused_before_parsing(
    client_for: ClientFactory, world: World, web_app
) -> None:  # type: ignore[no-untyped-def]
    limit = web_app.state.duban.settings.max_upload_bytes
    client = client_for(world.supervisor)
    response = client.post(
        "/api/v1/documents",
        content=b"x" * 16,
        headers={"content-length": str(limit * 2), "content-type": "application/octet-stream"},
    )
    assert response.status_code == 413
    assert "上限" in response.json()["detail"]


def test_openapi_document_is_served(client_for: ClientFactory) -> None:
    spec = client_for(None).get("/api/v1/openapi.json").json()
    assert spec["info"]["title"].startswith("duban")
