"""Units (责任单位) in the database: resolve a written name, create, list, alias, merge.

A written name resolves by the rules of `duban.ingest.extract.units.UnitRegistry`,
over the *active* units and their aliases:

1. the exact name or alias as written;
2. the same name without the 区/市/县/省 prefix (`canonical_key`): `区财政局` = `财政局`;
3. a unique short form (`招商局` → `招商投资发展局`); two candidates resolve to nothing.

Every change writes an audit event in the caller's transaction; nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from duban import clock
from duban.db.models import OwnerRole, Target, Task, TaskOwner, Unit, UnitAlias, User
from duban.errors import Conflict, NotFound, Rejected
from duban.ingest.extract.units import UnitRegistry, canonical_key, is_short_form
from duban.search.index import index_tasks
from duban.workflow.audit import Actor, record
from duban.workflow.states import State

__all__ = [
    "MAX_NAME_LENGTH",
    "MergeResult",
    "UnitIndex",
    "UnitSummary",
    "add_alias",
    "build_registry",
    "get_or_create",
    "list_units",
    "merge",
    "require",
    "resolve",
]

# The width of units.name and unit_aliases.alias.
MAX_NAME_LENGTH = 200

OPEN_STATES = (State.ASSIGNED, State.IN_PROGRESS, State.SUBMITTED)


@dataclass(frozen=True)
class UnitSummary:
    """One line of the unit list: the unit, its other names and how many tasks it holds."""

    id: int
    name: str
    aliases: tuple[str, ...]
    active: bool
    merged_into: str | None
    open_tasks: int
    draft_tasks: int


@dataclass(frozen=True)
class MergeResult:
    """What `merge` moved from the merged unit to the one that remains."""

    source: Unit
    target: Unit
    tasks_moved: int
    tasks_deduplicated: int
    aliases_moved: tuple[str, ...]
    users_moved: int
    targets_moved: int


@dataclass
class UnitIndex:
    """Active units by written name and by canonical key, loaded once and kept current by `add`.

    Ingest resolves dozens of owner names per document; the index answers each without a query.
    """

    exact: dict[str, Unit] = field(default_factory=dict)
    by_key: dict[str, Unit] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session) -> UnitIndex:
        units = session.scalars(
            select(Unit).where(Unit.active.is_(True)).options(selectinload(Unit.aliases)).order_by(Unit.id)
        ).all()
        index = cls()
        # Names first, then aliases: a unit's own name wins a key shared with another unit's alias.
        for unit in units:
            index._put(unit, unit.name)
        for unit in units:
            for alias in unit.aliases:
                index._put(unit, alias.alias)
        return index

    def _put(self, unit: Unit, name: str) -> None:
        self.exact.setdefault(name, unit)
        self.by_key.setdefault(canonical_key(name), unit)

    def add(self, unit: Unit, *names: str) -> None:
        for name in (unit.name, *names):
            self._put(unit, name)

    def resolve_exact(self, name: str) -> Unit | None:
        """The unit with this name or alias, as written or without its administrative prefix."""
        name = name.strip()
        return self.exact.get(name) or self.by_key.get(canonical_key(name))

    def resolve(self, name: str) -> Unit | None:
        """`resolve_exact`, else the one unit `name` is a short form of (None when two are)."""
        unit = self.resolve_exact(name)
        if unit is not None:
            return unit
        key = canonical_key(name)
        matches = {u.id: u for k, u in self.by_key.items() if is_short_form(key, k)}
        return next(iter(matches.values())) if len(matches) == 1 else None


def _clean_name(name: str, what: str = "单位名称") -> str:
    cleaned = name.strip()
    if not cleaned:
        raise Rejected(f"{what}不能为空。", "a unit name cannot be empty")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise Rejected(
            f"{what}“{cleaned[:20]}…”超过{MAX_NAME_LENGTH}个字。",
            f"a unit name is longer than {MAX_NAME_LENGTH} characters",
        )
    return cleaned


def resolve(session: Session, name: str) -> Unit | None:
    """The active unit a written name refers to, or None (see the module docstring for the rules)."""
    return UnitIndex.load(session).resolve(name)


def require(session: Session, name: str) -> Unit:
    """`resolve`, raising NotFound when no active unit goes by `name`."""
    unit = resolve(session, name)
    if unit is None:
        raise NotFound(f"找不到单位“{name}”。", f"no unit named {name!r}")
    return unit


def _follow_merges(session: Session, unit: Unit) -> Unit:
    seen = {unit.id}
    while unit.merged_into_id is not None:
        nxt = session.get(Unit, unit.merged_into_id)
        if nxt is None or nxt.id in seen:
            break
        seen.add(nxt.id)
        unit = nxt
    return unit


def get_or_create(session: Session, name: str, actor: Actor, *, index: UnitIndex | None = None) -> Unit:
    """The unit `name` resolves to, or a new active unit called `name` (audited as `create`).

    Pass an `index` when resolving many names in one transaction; new units are added to it.
    A name still held by an inactive unit returns that unit (or the one it was merged into)
    rather than a second row with the same name.
    """
    cleaned = _clean_name(name)
    index = index or UnitIndex.load(session)
    unit = index.resolve(cleaned)
    if unit is not None:
        return unit
    dormant = session.scalar(select(Unit).where(Unit.name == cleaned))
    if dormant is not None:
        return _follow_merges(session, dormant)
    unit = Unit(name=cleaned, active=True, created_at=clock.now())
    session.add(unit)
    session.flush()
    record(session, actor, "create", "unit", unit.id, after={"name": unit.name})
    index.add(unit)
    return unit


def list_units(session: Session, *, include_inactive: bool = False) -> list[UnitSummary]:
    """Units by name, each with its aliases and its counts of open (交办 to 待验收) and draft tasks."""
    query = select(Unit).options(selectinload(Unit.aliases)).order_by(Unit.name)
    if not include_inactive:
        query = query.where(Unit.active.is_(True))
    units = session.scalars(query).all()
    counts: dict[tuple[int, str], int] = {
        (unit_id, status): n
        for unit_id, status, n in session.execute(
            select(TaskOwner.unit_id, Task.status, func.count(func.distinct(Task.id)))
            .join(Task, Task.id == TaskOwner.task_id)
            .where(Task.status.in_([*OPEN_STATES, State.DRAFT]))
            .group_by(TaskOwner.unit_id, Task.status)
        ).all()
    }
    names = {u.id: u.name for u in units}
    missing = {u.merged_into_id for u in units if u.merged_into_id and u.merged_into_id not in names}
    if missing:
        names.update(
            (i, n) for i, n in session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(missing)))
        )
    return [
        UnitSummary(
            id=u.id,
            name=u.name,
            aliases=tuple(a.alias for a in u.aliases),
            active=u.active,
            merged_into=names.get(u.merged_into_id) if u.merged_into_id else None,
            open_tasks=sum(counts.get((u.id, s), 0) for s in OPEN_STATES),
            draft_tasks=counts.get((u.id, State.DRAFT), 0),
        )
        for u in units
    ]


def _holder(session: Session, name: str) -> Unit | None:
    """Any unit, active or not, whose name or alias is exactly `name`."""
    unit = session.scalar(select(Unit).where(Unit.name == name))
    if unit is not None:
        return unit
    return session.scalar(
        select(Unit).join(UnitAlias, UnitAlias.unit_id == Unit.id).where(UnitAlias.alias == name)
    )


def add_alias(session: Session, unit_name: str, alias: str, actor: Actor) -> Unit:
    """Make `alias` another name of the unit `unit_name` resolves to (audited as `alias`).

    Conflict when the alias already names another unit, as written or without its
    administrative prefix. Adding a name the unit already has changes nothing.
    """
    cleaned = _clean_name(alias, "别名")
    unit = require(session, unit_name)
    holder = _holder(session, cleaned)
    if holder is not None and holder.id != unit.id:
        if holder.merged_into_id == unit.id:
            return unit  # the name of a unit merged into this one is already its alias
        raise Conflict(
            f"别名“{cleaned}”已是单位“{holder.name}”的名称或别名，不能再用于“{unit.name}”。",
            f"{cleaned!r} already names the unit {holder.name!r}",
        )
    owner = UnitIndex.load(session).resolve_exact(cleaned)
    if owner is not None and owner.id != unit.id:
        raise Conflict(
            f"别名“{cleaned}”与单位“{owner.name}”同名（仅区/市/县前缀不同），不能再用于“{unit.name}”。",
            f"{cleaned!r} is the unit {owner.name!r} without its administrative prefix",
        )
    before = sorted(a.alias for a in unit.aliases)
    if cleaned == unit.name or cleaned in before:
        return unit
    unit.aliases.append(UnitAlias(alias=cleaned))
    session.flush()
    record(
        session,
        actor,
        "alias",
        "unit",
        unit.id,
        before={"name": unit.name, "aliases": before},
        after={"name": unit.name, "aliases": sorted([*before, cleaned])},
    )
    return unit


def _move_owners(session: Session, source: Unit, target: Unit) -> tuple[int, int, list[int]]:
    """Hand the source unit's task ownerships to the target; a task that has both keeps one row."""
    owners = session.scalars(select(TaskOwner).where(TaskOwner.unit_id == source.id)).all()
    existing = {
        o.task_id: o
        for o in session.scalars(
            select(TaskOwner).where(
                TaskOwner.unit_id == target.id, TaskOwner.task_id.in_([o.task_id for o in owners])
            )
        ).all()
    }
    moved = deduplicated = 0
    for owner in owners:
        kept = existing.get(owner.task_id)
        if kept is None:
            owner.unit_id = target.id
            moved += 1
            continue
        # The stronger role and the earlier place survive.
        if owner.role == OwnerRole.LEAD:
            kept.role = OwnerRole.LEAD
        kept.position = min(kept.position, owner.position)
        session.delete(owner)
        deduplicated += 1
    session.flush()
    task_ids = sorted({o.task_id for o in owners})
    for task in session.scalars(select(Task).where(Task.id.in_(task_ids))).all():
        session.expire(task, ["owners"])
    return moved, deduplicated, task_ids


def merge(session: Session, source_name: str, target_name: str, actor: Actor) -> MergeResult:
    """Merge one unit into another (audited as `merge` on the source unit).

    Its task ownerships (deduplicated where a task already has the target; a lead role
    survives), aliases and its own name (as aliases), users and targets move to the target;
    the source stays as an inactive row pointing at the target, so history still reads.
    """
    source = require(session, source_name)
    target = require(session, target_name)
    if source.id == target.id:
        raise Rejected(
            f"“{source_name}”和“{target_name}”是同一个单位，无需合并。",
            f"{source_name!r} and {target_name!r} are the same unit",
        )
    tasks_moved, tasks_deduplicated, task_ids = _move_owners(session, source, target)
    index_tasks(session, task_ids)  # their owner names and unit tags changed

    aliases = [a.alias for a in source.aliases]
    session.execute(update(UnitAlias).where(UnitAlias.unit_id == source.id).values(unit_id=target.id))
    if session.scalar(select(UnitAlias.id).where(UnitAlias.alias == source.name)) is None:
        session.add(UnitAlias(unit_id=target.id, alias=source.name))
    users = session.execute(update(User).where(User.unit_id == source.id).values(unit_id=target.id)).rowcount  # type: ignore[attr-defined]
    targets = session.execute(
        update(Target).where(Target.owner_unit_id == source.id).values(owner_unit_id=target.id)
    ).rowcount  # type: ignore[attr-defined]
    # Units merged into the source earlier now point at the target directly.
    session.execute(update(Unit).where(Unit.merged_into_id == source.id).values(merged_into_id=target.id))
    source.active = False
    source.merged_into_id = target.id
    session.flush()
    session.expire(source, ["aliases"])
    session.expire(target, ["aliases"])
    record(
        session,
        actor,
        "merge",
        "unit",
        source.id,
        before={"name": source.name, "active": True, "aliases": sorted(aliases)},
        after={
            "name": source.name,
            "active": False,
            "merged_into_id": target.id,
            "merged_into": target.name,
            "task_ids": task_ids,
            "tasks_moved": tasks_moved,
            "tasks_deduplicated": tasks_deduplicated,
            "aliases_moved": sorted(aliases),
            "users_moved": users,
            "targets_moved": targets,
        },
    )
    return MergeResult(
        source=source,
        target=target,
        tasks_moved=tasks_moved,
        tasks_deduplicated=tasks_deduplicated,
        aliases_moved=tuple(sorted(aliases)),
        users_moved=users,
        targets_moved=targets,
    )


def build_registry(session: Session) -> UnitRegistry:
    """An in-memory registry of the active units and their aliases, so extraction sees users' edits."""
    registry = UnitRegistry()
    units = session.scalars(
        select(Unit).where(Unit.active.is_(True)).options(selectinload(Unit.aliases)).order_by(Unit.id)
    ).all()
    for unit in units:
        registry.add(unit.name, *(a.alias for a in unit.aliases))
    return registry
