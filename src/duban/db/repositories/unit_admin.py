"""What the admin pages change about units beyond `units.py`: create a new unit on purpose, set its parent.

`units.get_or_create` is for ingest, where a name that resolves to an
existing unit *is* that unit. An administrator creating a unit means a new
one, so a name that already resolves exactly (as a name or alias, with or
without the 区/市 prefix) is refused instead of silently returning the old
unit. Every change writes an audit event in the caller's transaction.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from duban.db.models import Unit
from duban.db.repositories import units as unit_repo
from duban.errors import Conflict, NotFound, Rejected
from duban.workflow.audit import Actor, record

__all__ = ["create_unit", "require_id", "set_parent"]


def require_id(session: Session, unit_id: int) -> Unit:
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise NotFound("单位不存在", f"no unit {unit_id}")
    return unit


def create_unit(session: Session, name: str, actor: Actor) -> Unit:
    """A new active unit called `name`; Conflict when the name already names a unit."""
    cleaned = name.strip()
    if not cleaned:
        raise Rejected("单位名称不能为空。", "a unit name cannot be empty")
    index = unit_repo.UnitIndex.load(session)
    existing = index.resolve_exact(cleaned)
    if existing is not None:
        raise Conflict(
            f"“{cleaned}”已是单位“{existing.name}”的名称或别名。",
            f"{cleaned!r} already names {existing.name!r}",
        )
    unit = unit_repo.get_or_create(session, cleaned, actor, index=index)
    if unit.name != cleaned or not unit.active:
        # A merged or retired unit still holds the name.
        raise Conflict(
            f"名称“{cleaned}”已被停用或合并的单位使用。", f"{cleaned!r} is held by an inactive unit"
        )
    return unit


def set_parent(session: Session, unit_id: int, parent_id: int | None, actor: Actor) -> Unit:
    """Put a unit under another (or at the top with None); a unit cannot end up under itself."""
    unit = require_id(session, unit_id)
    parent = require_id(session, parent_id) if parent_id is not None else None
    if parent is not None:
        seen: set[int] = set()
        ancestor: Unit | None = parent
        while ancestor is not None and ancestor.id not in seen:
            if ancestor.id == unit.id:
                raise Rejected(
                    f"不能把“{parent.name}”设为“{unit.name}”的上级：它是该单位本身或其下级，会形成循环。",
                    "the parent would be the unit itself or one of its descendants",
                )
            seen.add(ancestor.id)
            ancestor = ancestor.parent
        if not parent.active:
            raise Rejected(f"上级单位“{parent.name}”已停用。", "the parent unit is inactive")
    if unit.parent_id == (parent.id if parent else None):
        return unit
    before = {
        "name": unit.name,
        "parent_id": unit.parent_id,
        "parent": unit.parent.name if unit.parent else None,
    }
    unit.parent_id = parent.id if parent else None
    session.flush()
    session.expire(unit, ["parent"])
    after = {"name": unit.name, "parent_id": unit.parent_id, "parent": parent.name if parent else None}
    record(session, actor, "set_parent", "unit", unit.id, before=before, after=after)
    return unit
