"""系统管理 (supervisors only): users (create, enable/disable, reset password) and units
(create, alias, parent, merge). Every change is audited by the repository function it calls.

A refused change re-renders the page with the reason and its status code;
the change runs in a savepoint, so nothing of a half-done change (a user
created, then its password refused) is committed with the request.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from duban import accounts
from duban.db.models import Unit, User, UserRole
from duban.db.repositories import audit as audit_repo
from duban.db.repositories import units as unit_repo
from duban.db.repositories import users as user_repo
from duban.db.repositories.unit_admin import create_unit, require_id, set_parent
from duban.errors import NotFound, Rejected
from duban.server.auth import Supervisor
from duban.server.db import ReadDb, WriteDb
from duban.server.templating import render
from duban.web.form_post import attempt

router = APIRouter(prefix="/admin")

Text = Annotated[str, Form(max_length=200)]


def _units(db: Session, *, include_inactive: bool = False) -> list[Unit]:
    stmt = select(Unit).options(selectinload(Unit.aliases)).order_by(Unit.name)
    if not include_inactive:
        stmt = stmt.where(Unit.active.is_(True))
    return list(db.scalars(stmt))


def _users_context(db: Session, form: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "users": db.scalars(
            select(User).options(selectinload(User.unit)).order_by(User.role, User.username)
        ).all(),
        "units": _units(db),
        "roles": list(UserRole),
        "min_length": accounts.MIN_PASSWORD_LENGTH,
        "form": form or {},
        "error": None,
    }


def _units_context(db: Session) -> dict[str, Any]:
    return {
        "all_units": _units(db, include_inactive=True),
        "events": audit_repo.list_events(db, entity="unit", limit=20),
        "error": None,
    }


def _unit_context(db: Session, unit_id: int) -> dict[str, Any]:
    unit = require_id(db, unit_id)
    return {
        "unit": unit,
        "others": [u for u in _units(db) if u.id != unit.id],
        "events": audit_repo.list_events(db, entity="unit", entity_id=unit.id, limit=20),
        "error": None,
    }


def _chosen_id(value: str) -> int | None:
    """The id a `<select>` posted; its blank first option means none."""
    return int(value) if value.strip().isdigit() else None


def _user(db: Session, user_id: int) -> User:
    record = db.get(User, user_id)
    if record is None:
        raise NotFound("用户不存在", f"no user {user_id}")
    return record


@router.get("")
def admin_home(user: Supervisor) -> RedirectResponse:
    return RedirectResponse("/admin/users", status_code=303)


# ------------------------------------------------------------------ users


def _users_change(
    request: Request, db: Session, change: Callable[[], str], form: dict[str, str] | None = None
) -> Response:
    """A change made on the users page: refused ones show it again, with what was typed (`form`)."""
    return attempt(request, db, change, "admin/users.html", lambda: _users_context(db, form), "/admin/users")


@router.get("/users")
def users_page(request: Request, user: Supervisor, db: ReadDb) -> Response:
    return render(request, "admin/users.html", _users_context(db))


@router.post("/users")
def users_create(
    request: Request,
    user: Supervisor,
    db: WriteDb,
    username: Annotated[str, Form(max_length=100)],
    role: Annotated[str, Form(max_length=20)],
    password: Text,
    display_name: Annotated[str, Form(max_length=100)] = "",
    unit_id: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    form = {"username": username, "display_name": display_name, "role": role, "unit_id": unit_id}

    def change() -> str:
        try:
            chosen = UserRole(role)
        except ValueError:
            raise Rejected("请选择用户角色", f"unknown role {role!r}") from None
        chosen_unit = _chosen_id(unit_id)
        unit_name = require_id(db, chosen_unit).name if chosen_unit is not None else None
        accounts.check_password_rules(password, username.strip())
        created = user_repo.create_user(
            db,
            username.strip(),
            chosen,
            user.principal.actor,
            display_name=display_name.strip() or None,
            unit_name=unit_name if chosen is UserRole.UNIT else None,
        )
        accounts.set_password(db, created, password, user.principal.actor)
        return f"已创建用户“{created.username}”（{chosen.label}）"

    return _users_change(request, db, change, form)


@router.post("/users/{user_id}/active")
def users_set_active(
    request: Request,
    user_id: int,
    user: Supervisor,
    db: WriteDb,
    active: Annotated[bool, Form()],
) -> Response:
    def change() -> str:
        record = _user(db, user_id)
        if record.id == user.id and not active:
            raise Rejected("不能停用自己的账号", "cannot disable yourself")
        user_repo.set_active(db, record.username, active, user.principal.actor)
        return f"已{'启用' if active else '停用'}用户“{record.username}”"

    return _users_change(request, db, change)


@router.post("/users/{user_id}/role")
def users_set_role(
    request: Request,
    user_id: int,
    user: Supervisor,
    db: WriteDb,
    role: Annotated[str, Form(max_length=20)],
    unit_id: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    def change() -> str:
        record = _user(db, user_id)
        try:
            chosen = UserRole(role)
        except ValueError:
            raise Rejected("请选择用户角色", f"unknown role {role!r}") from None
        if record.id == user.id and chosen is not UserRole.SUPERVISOR:
            raise Rejected("不能取消自己的督查室权限", "cannot demote yourself")
        chosen_unit = _chosen_id(unit_id) if chosen is UserRole.UNIT else None
        unit_name = require_id(db, chosen_unit).name if chosen_unit is not None else None
        user_repo.set_role(db, record.username, chosen, user.principal.actor, unit_name=unit_name)
        where = f"（{unit_name}）" if unit_name else ""
        return f"用户“{record.username}”现为{chosen.label}{where}，下次操作起生效"

    return _users_change(request, db, change)


@router.post("/users/{user_id}/password")
def users_reset_password(
    request: Request, user_id: int, user: Supervisor, db: WriteDb, password: Text
) -> Response:
    def change() -> str:
        record = _user(db, user_id)
        accounts.set_password(db, record, password, user.principal.actor)
        return f"已重置用户“{record.username}”的密码，其已登录的会话随之失效"

    return _users_change(request, db, change)


# ------------------------------------------------------------------ units


def _units_change(request: Request, db: Session, change: Callable[[], str]) -> Response:
    return attempt(request, db, change, "admin/units.html", lambda: _units_context(db), "/admin/units")


def _unit_change(
    request: Request, db: Session, unit_id: int, change: Callable[[], str], back: str | None = None
) -> Response:
    """A change made on one unit's admin page: refused ones show that page again."""
    context = functools.partial(_unit_context, db, unit_id)
    return attempt(request, db, change, "admin/unit.html", context, back or f"/admin/units/{unit_id}")


@router.get("/units")
def units_page(request: Request, user: Supervisor, db: ReadDb) -> Response:
    return render(request, "admin/units.html", _units_context(db))


@router.get("/units/{unit_id}")
def unit_page(request: Request, unit_id: int, user: Supervisor, db: ReadDb) -> Response:
    return render(request, "admin/unit.html", _unit_context(db, unit_id))


@router.post("/units")
def units_create(request: Request, user: Supervisor, db: WriteDb, name: Text) -> Response:
    def change() -> str:
        unit = create_unit(db, name, user.principal.actor)
        return f"已新建单位“{unit.name}”"

    return _units_change(request, db, change)


@router.post("/units/{unit_id}/aliases")
def units_add_alias(request: Request, unit_id: int, user: Supervisor, db: WriteDb, alias: Text) -> Response:
    def change() -> str:
        unit = unit_repo.add_alias(db, _active(db, unit_id).name, alias, user.principal.actor)
        return f"已为“{unit.name}”添加别名“{alias.strip()}”"

    return _unit_change(request, db, unit_id, change)


@router.post("/units/{unit_id}/parent")
def units_set_parent(
    request: Request,
    unit_id: int,
    user: Supervisor,
    db: WriteDb,
    parent_id: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    def change() -> str:
        unit = set_parent(db, unit_id, _chosen_id(parent_id), user.principal.actor)
        above = unit.parent.name if unit.parent else "无"
        return f"“{unit.name}”的上级单位已设为：{above}"

    return _unit_change(request, db, unit_id, change)


@router.post("/units/{unit_id}/merge")
def units_merge(
    request: Request,
    unit_id: int,
    user: Supervisor,
    db: WriteDb,
    target_id: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    def change() -> str:
        target_unit = _chosen_id(target_id)
        if target_unit is None:
            raise Rejected("请选择要并入的单位", "no target unit")
        source, target = _active(db, unit_id), _active(db, target_unit)
        result = unit_repo.merge(db, source.name, target.name, user.principal.actor)
        return (
            f"已将“{result.source.name}”并入“{result.target.name}”：移交任务{result.tasks_moved}项，"
            f"用户{result.users_moved}个，别名{len(result.aliases_moved)}个"
        )

    return _unit_change(request, db, unit_id, change, back="/admin/units")


def _active(db: Session, unit_id: int) -> Unit:
    unit = require_id(db, unit_id)
    if not unit.active:
        raise Rejected(f"单位“{unit.name}”已停用或已合并", f"unit {unit_id} is inactive")
    return unit
