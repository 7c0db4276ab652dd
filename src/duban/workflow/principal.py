"""Who is acting: a user with a global role (and a unit for unit users), or the system.

`role_for` turns that into the per-task `Role` the transition table speaks:
a unit user is UNIT only for tasks one of whose owner units is theirs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from duban.db.models import User, UserRole
from duban.workflow.audit import Actor
from duban.workflow.states import Role

__all__ = ["OPERATOR", "Principal"]


@dataclass(frozen=True)
class Principal:
    name: str
    role: UserRole
    user_id: int | None = None
    unit_id: int | None = None

    @classmethod
    def of(cls, user: User) -> Principal:
        return cls(name=user.display_name, role=UserRole(user.role), user_id=user.id, unit_id=user.unit_id)

    @property
    def actor(self) -> Actor:
        return Actor(self.name, self.user_id)

    def role_for(self, owner_unit_ids: Iterable[int]) -> Role:
        if self.role is UserRole.SUPERVISOR:
            return Role.SUPERVISOR
        if self.role is UserRole.LEADER:
            return Role.LEADER
        if self.unit_id is not None and self.unit_id in set(owner_unit_ids):
            return Role.UNIT
        return Role.OTHER

    def can_see(self, owner_unit_ids: Iterable[int]) -> bool:
        """Unit users see only their units' tasks; supervisors and leaders see everything."""
        return self.role is not UserRole.UNIT or self.role_for(owner_unit_ids) is Role.UNIT


# Whoever runs the CLI on the server without naming a user acts as the supervision office.
OPERATOR = Principal(name="命令行操作员", role=UserRole.SUPERVISOR)
