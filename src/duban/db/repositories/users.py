"""Users and their roles: a supervisor, a leader, or a unit user who acts for exactly one unit."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from duban import clock
from duban.db.models import Unit, User, UserRole
from duban.db.repositories import units as unit_repo
from duban.errors import Conflict, NotFound, Rejected
from duban.workflow.audit import Actor, record

__all__ = ["create_user", "list_users", "set_active", "set_role"]

_USERNAME = re.compile(r"^[A-Za-z0-9_.\-]{2,50}$")


def create_user(
    session: Session,
    username: str,
    role: UserRole,
    actor: Actor,
    *,
    display_name: str | None = None,
    unit_name: str | None = None,
) -> User:
    """A new user; unit users must name their unit, others must not."""
    if not _USERNAME.match(username):
        raise Rejected("用户名须为2–50位字母、数字、点、横线或下划线", f"bad username {username!r}")
    unit = _unit_for(session, role, unit_name)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"用户名“{username}”已被使用", f"username {username!r} is taken")
    user = User(
        username=username,
        display_name=(display_name or username).strip()[:100],
        role=role.value,
        unit_id=unit.id if unit else None,
        created_at=clock.now(),
    )
    session.add(user)
    session.flush()
    after = {
        "username": username,
        "display_name": user.display_name,
        "role": role.value,
        "unit_id": user.unit_id,
    }
    record(session, actor, "create", "user", user.id, after=after)
    return user


def _unit_for(session: Session, role: UserRole, unit_name: str | None) -> Unit | None:
    """Unit users act for exactly one unit; supervisors and leaders for none."""
    if role is UserRole.UNIT:
        if not unit_name:
            raise Rejected("责任单位用户须指定所属单位", "a unit user needs a unit")
        return unit_repo.require(session, unit_name)
    if unit_name:
        raise Rejected(f"{role.label}用户不属于某个单位", f"a {role} user has no unit")
    return None


def _get(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"用户“{username}”不存在", f"no user {username!r}")
    return user


def set_role(
    session: Session, username: str, role: UserRole, actor: Actor, *, unit_name: str | None = None
) -> User:
    """Change what a user may do (and, for unit users, for which unit); takes effect on their next request."""
    user = _get(session, username)
    unit = _unit_for(session, role, unit_name)
    unit_id = unit.id if unit else None
    before = {"role": user.role, "unit_id": user.unit_id}
    after = {"role": role.value, "unit_id": unit_id}
    if before != after:
        user.role, user.unit_id = role.value, unit_id
        session.flush()
        record(session, actor, "update", "user", user.id, before=before, after=after)
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.role, User.username)))


def set_active(session: Session, username: str, active: bool, actor: Actor) -> User:
    user = _get(session, username)
    if user.active != active:
        record(
            session,
            actor,
            "update",
            "user",
            user.id,
            before={"active": user.active},
            after={"active": active},
        )
        user.active = active
        session.flush()
    return user
