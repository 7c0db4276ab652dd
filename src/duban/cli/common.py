"""What every database-backed command shares: the engine, the acting user, error rendering."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from duban.config import get_settings
from duban.db.models import User
from duban.db.session import get_engine
from duban.errors import DomainError, NotFound, Rejected
from duban.workflow.principal import OPERATOR, Principal

console = Console()
err_console = Console(stderr=True)

UserOption = Annotated[
    str | None,
    typer.Option(
        "--user", "-u", envvar="DUBAN_USER", help="以该用户身份操作（默认：命令行操作员，督查室权限）"
    ),
]


def engine() -> Engine:
    return get_engine(get_settings())


def principal(session: Session, username: str | None) -> Principal:
    if not username:
        return OPERATOR
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        raise NotFound(f"用户“{username}”不存在或已停用", f"no active user {username!r}")
    return Principal.of(user)


@contextmanager
def domain_errors() -> Iterator[None]:
    """Print a DomainError as one readable line and exit non-zero, instead of a traceback."""
    try:
        yield
    except DomainError as exc:
        err_console.print(f"[red]错误[/red]：{exc.message_zh}", highlight=False)
        raise typer.Exit(code=2 if exc.status < 500 else 1) from exc


def iso_date(value: str | None, what: str) -> dt.date | None:
    """A `YYYY-MM-DD` option as a date (None stays None); anything else is refused naming the option."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise Rejected(f"{what}格式应为 YYYY-MM-DD：{value}", f"bad date {value!r}") from exc
