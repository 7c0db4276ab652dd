"""`duban users list|add|role|password|disable|enable`: who may use duban, in which role, for which unit."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select

from duban import accounts
from duban.cli.common import UserOption, console, domain_errors, engine, principal
from duban.db.models import User, UserRole
from duban.db.repositories import users as user_repo
from duban.db.session import read_session, write_session
from duban.errors import Forbidden, NotFound

users_app = typer.Typer(help="用户管理：督查室、领导、责任单位用户。", no_args_is_help=True)


@users_app.command("list")
def list_command() -> None:
    """列出全部用户。"""
    with domain_errors(), read_session(engine()) as session:
        users = user_repo.list_users(session)
        table = Table(title=f"用户（共{len(users)}个）")
        for column in ("用户名", "姓名", "角色", "所属单位", "状态"):
            table.add_column(column)
        for u in users:
            unit = u.unit.name if u.unit else "—"
            table.add_row(
                u.username, u.display_name, UserRole(u.role).label, unit, "正常" if u.active else "停用"
            )
    console.print(table)


def _require_supervisor(role: UserRole) -> None:
    if role is not UserRole.SUPERVISOR:
        raise Forbidden("只有督查室可以管理用户", "only supervisors manage users")


@users_app.command("add")
def add_command(
    username: Annotated[str, typer.Argument(help="登录用户名（字母、数字）")],
    role: Annotated[UserRole, typer.Option("--role", help="supervisor / leader / unit")],
    unit: Annotated[str | None, typer.Option("--unit", help="责任单位用户所属单位")] = None,
    name: Annotated[str | None, typer.Option("--name", help="姓名")] = None,
    user: UserOption = None,
) -> None:
    """新增用户。"""
    with domain_errors(), write_session(engine()) as session:
        who = principal(session, user)
        _require_supervisor(who.role)
        created = user_repo.create_user(session, username, role, who.actor, display_name=name, unit_name=unit)
        console.print(f"已新增用户 {created.username}（{role.label}）", highlight=False)


def _set_active(username: str, active: bool, user: str | None) -> None:
    with domain_errors(), write_session(engine()) as session:
        who = principal(session, user)
        _require_supervisor(who.role)
        user_repo.set_active(session, username, active, who.actor)
    console.print(f"用户 {username} 已{'启用' if active else '停用'}", highlight=False)


@users_app.command("disable")
def disable_command(username: str, user: UserOption = None) -> None:
    """停用用户（保留其全部记录）。"""
    _set_active(username, False, user)


@users_app.command("enable")
def enable_command(username: str, user: UserOption = None) -> None:
    """重新启用用户。"""
    _set_active(username, True, user)


@users_app.command("role")
def role_command(
    username: str,
    role: Annotated[UserRole, typer.Option("--role", help="supervisor / leader / unit")],
    unit: Annotated[str | None, typer.Option("--unit", help="责任单位用户所属单位")] = None,
    user: UserOption = None,
) -> None:
    """修改用户的角色（及所属单位），下次请求起生效。"""
    with domain_errors(), write_session(engine()) as session:
        who = principal(session, user)
        _require_supervisor(who.role)
        user_repo.set_role(session, username, role, who.actor, unit_name=unit)
    console.print(f"用户 {username} 现为{role.label}{f'（{unit}）' if unit else ''}", highlight=False)


@users_app.command("password")
def password_command(
    username: str,
    password: Annotated[
        str,
        typer.Option(
            "--password",
            prompt="新密码",
            hide_input=True,
            confirmation_prompt=True,
            help="新密码（不给则提示输入）",
        ),
    ],
    user: UserOption = None,
) -> None:
    """设置用户的登录密码（其已登录的浏览器会话随之失效）。"""
    with domain_errors(), write_session(engine()) as session:
        who = principal(session, user)
        _require_supervisor(who.role)
        target = session.scalar(select(User).where(User.username == username))
        if target is None:
            raise NotFound(f"用户“{username}”不存在", f"no user {username!r}")
        accounts.set_password(session, target, password, who.actor)
    console.print(f"已设置用户 {username} 的密码", highlight=False)
