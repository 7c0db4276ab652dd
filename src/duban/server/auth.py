"""Who is asking: a browser session (signed cookie + CSRF token) or an API bearer token.

`require_user` is the dependency every protected route uses. It resolves
the user once per request, refuses a session whose password has changed
since login, and, for unsafe methods on a cookie session, demands the CSRF
token (header `X-CSRF-Token` or form field `csrf_token`), so no route can
forget it. Bearer-token requests carry no cookie and need no CSRF token.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from duban.accounts import find_token, needs_touch, session_fingerprint, touch_token
from duban.db.models import User, UserRole
from duban.db.session import read_session, write_session
from duban.errors import DomainError, Forbidden
from duban.server.state import app_state
from duban.workflow.principal import Principal

__all__ = [
    "SAFE_METHODS",
    "CsrfChecked",
    "CurrentUser",
    "LeaderOrSupervisor",
    "LoginRequired",
    "Supervisor",
    "Viewer",
    "WriterUser",
    "csrf_token",
    "login",
    "logout",
    "optional_user",
    "require_user",
    "verify_csrf",
]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"


class LoginRequired(DomainError):
    status = 401
    code = "login_required"

    def __init__(self) -> None:
        super().__init__("请先登录", "authentication required")


class CsrfFailed(Forbidden):
    code = "csrf_failed"

    def __init__(self) -> None:
        super().__init__(
            "页面已过期或请求来源不明（CSRF 校验失败），请刷新页面后重试", "CSRF token missing or wrong"
        )


@dataclass(frozen=True)
class CurrentUser:
    id: int
    username: str
    display_name: str
    role: UserRole
    unit_id: int | None
    unit_name: str | None
    via_token: bool = False

    @classmethod
    def of(cls, user: User, *, via_token: bool = False) -> CurrentUser:
        return cls(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=UserRole(user.role),
            unit_id=user.unit_id,
            unit_name=user.unit.name if user.unit else None,
            via_token=via_token,
        )

    @property
    def principal(self) -> Principal:
        return Principal(name=self.display_name, role=self.role, user_id=self.id, unit_id=self.unit_id)

    @property
    def is_supervisor(self) -> bool:
        return self.role is UserRole.SUPERVISOR

    @property
    def is_leader(self) -> bool:
        return self.role is UserRole.LEADER

    @property
    def is_unit(self) -> bool:
        return self.role is UserRole.UNIT


def csrf_token(request: Request) -> str:
    """This session's CSRF token, created on first use."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return str(token)


async def verify_csrf(request: Request) -> None:
    if request.method in SAFE_METHODS:
        return
    expected = request.session.get("csrf")
    given = request.headers.get(CSRF_HEADER)
    if not given and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not expected or not given or not hmac.compare_digest(str(expected), given):
        raise CsrfFailed()


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _resolve(request: Request) -> CurrentUser | None:
    engine = app_state(request).engine
    token = _bearer(request)
    if token is not None:
        with read_session(engine) as session:
            found = find_token(session, token)
            if found is None:
                return None
            current, token_id, touch = (
                CurrentUser.of(found.user, via_token=True),
                found.id,
                needs_touch(found),
            )
        # After the read has given its connection back: one connection per request at a time.
        if touch:
            with write_session(engine) as session:
                touch_token(session, token_id)
        return current
    user_id = request.session.get("uid")
    if not isinstance(user_id, int):
        return None
    with read_session(engine) as session:
        user = session.scalar(select(User).where(User.id == user_id))
        if user is None or not user.active or request.session.get("fp") != session_fingerprint(user):
            request.session.clear()
            return None
        return CurrentUser.of(user)


def optional_user(request: Request) -> CurrentUser | None:
    if not hasattr(request.state, "user"):
        request.state.user = _resolve(request)
    user: CurrentUser | None = request.state.user
    return user


async def require_user(request: Request) -> CurrentUser:
    # A worker thread, not the event loop: the lookup is database I/O.
    user = await run_in_threadpool(optional_user, request)
    if user is None:
        raise LoginRequired()
    if not user.via_token:
        await verify_csrf(request)
    return user


def _require_role(*roles: UserRole, message: str) -> object:
    async def dependency(user: Annotated[CurrentUser, Depends(require_user)]) -> CurrentUser:
        if user.role not in roles:
            raise Forbidden(message, "role not allowed")
        return user

    return dependency


def login(request: Request, user: User) -> None:
    """Start a fresh session (a new CSRF token too: no fixation)."""
    request.session.clear()
    request.session["uid"] = user.id
    request.session["fp"] = session_fingerprint(user)
    csrf_token(request)
    request.state.user = CurrentUser.of(user)


def logout(request: Request) -> None:
    request.session.clear()
    request.state.user = None


CsrfChecked = Annotated[None, Depends(verify_csrf)]
Viewer = Annotated[CurrentUser, Depends(require_user)]
Supervisor = Annotated[
    CurrentUser, Depends(_require_role(UserRole.SUPERVISOR, message="仅督查室可以执行此操作"))
]
LeaderOrSupervisor = Annotated[
    CurrentUser,
    Depends(_require_role(UserRole.SUPERVISOR, UserRole.LEADER, message="仅督查室和领导可以查看")),
]
# Anyone but a leader: leaders read everything and change nothing but 批示.
WriterUser = Annotated[
    CurrentUser,
    Depends(_require_role(UserRole.SUPERVISOR, UserRole.UNIT, message="领导账号为只读，不能修改")),
]
