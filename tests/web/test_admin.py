"""系统管理: only supervisors; users created can sign in, disabled ones cannot; units aliased and merged."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import Engine, select

from duban.db.models import AuditEvent, OwnerRole, TaskOwner, Unit, User
from duban.db.session import read_session, write_session
from tests.personas import World, add_task
from tests.webclient import ClientFactory

PASSWORD = "correct-horse-9"


def _login(client: TestClient, username: str, password: str) -> int:
    page = client.get("/login").text
    marker = 'name="csrf_token" value="'
    start = page.index(marker) + len(marker)
    token = page[start : page.index('"', start)]
    response = client.post("/login", data={"username": username, "password": password, "csrf_token": token})
    return response.status_code


def _create(client: TestClient, **fields: str) -> Response:
    data = {"username": "wang", "display_name": "王科员", "role": "unit", "password": PASSWORD, **fields}
    return client.post("/admin/users", data=data)


@pytest.mark.parametrize("who", ["unit_a_user", "leader"])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/admin/users"),
        ("get", "/admin/units"),
        ("post", "/admin/users"),
        ("post", "/admin/units"),
        ("post", "/admin/units/1/merge"),
        ("post", "/admin/users/1/active"),
    ],
)
def test_only_supervisors_reach_the_admin_pages(
    client_for: ClientFactory, world: World, who: str, method: str, path: str
) -> None:
    response = getattr(client_for(getattr(world, who)), method)(path)
    assert response.status_code == 403
    assert "仅督查室可以执行此操作" in response.text


def test_a_created_user_can_sign_in_with_the_initial_password(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    response = _create(client_for(world.supervisor), unit_id=str(world.unit_b))
    assert response.status_code == 303
    with read_session(engine) as s:
        user = s.scalars(select(User).where(User.username == "wang")).one()
        assert (user.role, user.unit_id, user.display_name) == ("unit", world.unit_b, "王科员")
        actions = {e.action for e in s.scalars(select(AuditEvent).where(AuditEvent.entity == "user"))}
        assert actions == {"create", "set_password"}
    fresh = client_for(None)
    assert _login(fresh, "wang", PASSWORD) == 303
    assert fresh.get("/dashboard").status_code == 200


def test_a_refused_user_is_not_half_created(client_for: ClientFactory, engine: Engine, world: World) -> None:
    client = client_for(world.supervisor)
    short = _create(client, unit_id=str(world.unit_b), password="short")
    assert short.status_code == 422 and "密码至少需要8位" in short.text
    assert 'value="wang"' in short.text
    no_unit = _create(client)
    assert no_unit.status_code == 422 and "须指定所属单位" in no_unit.text
    taken = _create(client, username="cz", unit_id=str(world.unit_a))
    assert taken.status_code == 409
    with read_session(engine) as s:
        assert s.scalar(select(User).where(User.username == "wang")) is None


def test_disabling_a_user_stops_their_sign_in_and_enabling_restores_it(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    admin = client_for(world.supervisor)
    _create(admin, unit_id=str(world.unit_b))
    with read_session(engine) as s:
        user_id = s.scalars(select(User.id).where(User.username == "wang")).one()
    assert admin.post(f"/admin/users/{user_id}/active", data={"active": "false"}).status_code == 303
    assert _login(client_for(None), "wang", PASSWORD) == 401
    assert admin.post(f"/admin/users/{user_id}/active", data={"active": "true"}).status_code == 303
    assert _login(client_for(None), "wang", PASSWORD) == 303


def test_supervisor_cannot_disable_themselves(client_for: ClientFactory, world: World) -> None:
    response = client_for(world.supervisor).post(
        f"/admin/users/{world.supervisor.user_id}/active", data={"active": "false"}
    )
    assert response.status_code == 422 and "不能停用自己的账号" in response.text


def test_resetting_a_password_lets_the_user_sign_in_with_the_new_one(
    client_for: ClientFactory, world: World
) -> None:
    admin = client_for(world.supervisor)
    assert (
        admin.post(
            f"/admin/users/{world.unit_a_user.user_id}/password", data={"password": PASSWORD}
        ).status_code
        == 303
    )
    assert _login(client_for(None), "cz", PASSWORD) == 303


def test_admin_forms_need_the_csrf_token(client_for: ClientFactory, world: World) -> None:
    response = client_for(world.supervisor, csrf=False).post("/admin/units", data={"name": "新单位"})
    assert response.status_code == 403


def test_create_and_alias_a_unit(client_for: ClientFactory, engine: Engine, world: World) -> None:
    admin = client_for(world.supervisor)
    assert admin.post("/admin/units", data={"name": "招商投资发展局"}).status_code == 303
    with read_session(engine) as s:
        unit_id = s.scalars(select(Unit.id).where(Unit.name == "招商投资发展局")).one()
    assert admin.post(f"/admin/units/{unit_id}/aliases", data={"alias": "区招商局"}).status_code == 303
    page = admin.get(f"/admin/units/{unit_id}").text
    assert "区招商局" in page and "已为“招商投资发展局”添加别名“区招商局”" in page
    duplicate = admin.post("/admin/units", data={"name": "区招商局"})
    assert duplicate.status_code == 409 and "招商投资发展局" in duplicate.text
    taken = admin.post(f"/admin/units/{world.unit_a}/aliases", data={"alias": "区招商局"})
    assert taken.status_code == 409


def test_merging_a_unit_moves_its_tasks_and_users(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    with write_session(engine) as s:
        task_id = add_task(s, status="in_progress", owners=[(world.unit_c, OwnerRole.LEAD)]).id
    admin = client_for(world.supervisor)
    response = admin.post(f"/admin/units/{world.unit_c}/merge", data={"target_id": str(world.unit_a)})
    assert response.status_code == 303 and response.headers["location"] == "/admin/units"
    assert "已将“区教育局”并入“区财政局”" in admin.get("/admin/units").text
    with read_session(engine) as s:
        assert s.scalars(select(TaskOwner.unit_id).where(TaskOwner.task_id == task_id)).all() == [
            world.unit_a
        ]
        assert s.get(Unit, world.unit_c).active is False  # type: ignore[union-attr]
        assert s.scalars(select(User.unit_id).where(User.username == "jy")).one() == world.unit_a
    again = admin.post(f"/admin/units/{world.unit_c}/merge", data={"target_id": str(world.unit_a)})
    assert again.status_code == 422


def test_set_a_units_parent(client_for: ClientFactory, engine: Engine, world: World) -> None:
    admin = client_for(world.supervisor)
    assert (
        admin.post(f"/admin/units/{world.unit_b}/parent", data={"parent_id": str(world.unit_a)}).status_code
        == 303
    )
    assert "区财政局" in admin.get(f"/units/{world.unit_b}").text.split("上级单位")[1][:200]
    loop = admin.post(f"/admin/units/{world.unit_a}/parent", data={"parent_id": str(world.unit_b)})
    assert loop.status_code == 422 and "循环" in loop.text


def test_changing_a_role_takes_effect_on_the_next_request(client_for: ClientFactory, world: World) -> None:
    admin = client_for(world.supervisor)
    leader = client_for(world.leader)
    assert leader.get("/api/v1/me").json()["role"] == "leader"
    response = admin.post(
        f"/admin/users/{world.leader.user_id}/role", data={"role": "unit", "unit_id": str(world.unit_b)}
    )
    assert response.status_code == 303
    me = leader.get("/api/v1/me").json()
    assert (me["role"], me["unit_id"]) == ("unit", world.unit_b)
    assert leader.get("/admin/users").status_code == 403


def test_a_role_change_is_refused_with_the_reason(client_for: ClientFactory, world: World) -> None:
    admin = client_for(world.supervisor)
    no_unit = admin.post(f"/admin/users/{world.leader.user_id}/role", data={"role": "unit", "unit_id": ""})
    assert no_unit.status_code == 422 and "须指定所属单位" in no_unit.text
    myself = admin.post(f"/admin/users/{world.supervisor.user_id}/role", data={"role": "leader"})
    assert myself.status_code == 422 and "不能取消自己的督查室权限" in myself.text
    assert (
        client_for(world.leader)
        .post(f"/admin/users/{world.unit_a_user.user_id}/role", data={"role": "supervisor"})
        .status_code
        == 403
    )
