"""Demo accounts for the one-command start: one user per role, unit users for the busiest units.

Only `duban serve --demo` (the README's main command) calls this; a
production database never gets these accounts unless someone asks.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from duban.accounts import hash_password
from duban.db.models import OwnerRole, TaskOwner, Unit, User, UserRole
from duban.db.repositories.users import create_user
from duban.workflow.audit import Actor

__all__ = ["DEMO_PASSWORD", "DemoLogin", "ensure_demo_users"]

DEMO_PASSWORD = "duban-demo-2026"
SYSTEM = Actor("系统（演示数据）", None)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: UserRole
    display_name: str
    unit_name: str | None


def _busiest_units(session: Session, limit: int) -> list[Unit]:
    """Units leading or responsible for the most tasks: the demo unit users have work to do."""
    count = func.count(TaskOwner.id)
    rows = session.execute(
        select(Unit)
        .join(TaskOwner, TaskOwner.unit_id == Unit.id)
        .where(TaskOwner.role.in_([OwnerRole.LEAD.value, OwnerRole.RESPONSIBLE.value]), Unit.active.is_(True))
        .group_by(Unit.id)
        .order_by(count.desc(), Unit.name)
        .limit(limit)
    ).scalars()
    return list(rows)


def _ensure(
    session: Session, username: str, role: UserRole, display_name: str, unit: Unit | None
) -> DemoLogin:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        user = create_user(
            session, username, role, SYSTEM, display_name=display_name, unit_name=unit.name if unit else None
        )
    if not user.password_hash:
        user.password_hash = hash_password(DEMO_PASSWORD)
        session.flush()
    unit_name = user.unit.name if user.unit else None
    return DemoLogin(username, DEMO_PASSWORD, UserRole(user.role), user.display_name, unit_name)


def ensure_demo_users(session: Session) -> list[DemoLogin]:
    """Create the demo accounts that are missing (idempotent) and return all of them."""
    logins = [
        _ensure(session, "ducha", UserRole.SUPERVISOR, "督查室 王督查", None),
        _ensure(session, "lingdao", UserRole.LEADER, "李主任（领导）", None),
    ]
    existing_unit_users = {
        u.username: u for u in session.scalars(select(User).where(User.username.in_(["danwei1", "danwei2"])))
    }
    units = _busiest_units(session, 2)
    for index, username in enumerate(["danwei1", "danwei2"]):
        if username in existing_unit_users or index < len(units):
            unit = existing_unit_users[username].unit if username in existing_unit_users else units[index]
            assert unit is not None
            logins.append(_ensure(session, username, UserRole.UNIT, f"{unit.name} 联络员", unit))
    return logins
