"""Units in the database resolve like the extraction registry, and every edit is audited."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from duban import clock
from duban.db.models import AuditEvent, OwnerRole, Target, Task, TaskOwner, Unit, UnitAlias, User, UserRole
from duban.db.repositories import units as repo
from duban.db.session import read_session, write_session
from duban.errors import Conflict, NotFound, Rejected
from duban.workflow.audit import Actor, verify

CLERK = Actor("督查室 张三", user_id=None)


def _unit(session: Session, name: str, *aliases: str) -> Unit:
    unit = Unit(name=name, active=True, created_at=clock.now())
    unit.aliases = [UnitAlias(alias=a) for a in aliases]
    session.add(unit)
    session.flush()
    return unit


def _task(session: Session, status: str, *owners: tuple[Unit, OwnerRole]) -> Task:
    now = clock.now()
    task = Task(text=f"任务（{status}）", status=status, created_at=now, updated_at=now)
    task.owners = [TaskOwner(unit_id=u.id, role=r, position=i) for i, (u, r) in enumerate(owners)]
    session.add(task)
    session.flush()
    return task


def _audit(session: Session, action: str) -> list[AuditEvent]:
    return list(
        session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq))
    )


def test_a_written_name_resolves_by_name_alias_prefix_and_unique_short_form(engine: Engine) -> None:
    with write_session(engine) as s:
        finance = _unit(s, "财政金融局", "区财政局")
        invest = _unit(s, "招商投资发展局")
    with read_session(engine) as s:
        assert repo.resolve(s, "财政金融局").id == finance.id  # type: ignore[union-attr]
        assert repo.resolve(s, "区财政局").id == finance.id  # type: ignore[union-attr]
        assert repo.resolve(s, "市财政局").id == finance.id  # type: ignore[union-attr]
        assert repo.resolve(s, "区招商局").id == invest.id  # type: ignore[union-attr]
        assert repo.resolve(s, "税务局") is None


def test_a_short_form_of_two_units_resolves_to_none(engine: Engine) -> None:
    with write_session(engine) as s:
        _unit(s, "招商投资发展局")
        _unit(s, "招商服务发展局")
    with read_session(engine) as s:
        assert repo.resolve(s, "招商局") is None
        with pytest.raises(NotFound):
            repo.require(s, "招商局")


def test_the_exact_name_wins_over_a_unit_sharing_its_key(engine: Engine) -> None:
    with write_session(engine) as s:
        district = _unit(s, "区财政局")
        city = _unit(s, "市财政局")
    with read_session(engine) as s:
        assert repo.resolve(s, "市财政局").id == city.id  # type: ignore[union-attr]
        assert repo.resolve(s, "区财政局").id == district.id  # type: ignore[union-attr]


def test_get_or_create_reuses_a_known_unit_and_creates_an_unknown_one_with_an_audit_event(
    engine: Engine,
) -> None:
    with write_session(engine) as s:
        finance = _unit(s, "财政局")
    with write_session(engine) as s:
        assert repo.get_or_create(s, "区财政局", CLERK).id == finance.id
        created = repo.get_or_create(s, "  区税务局 ", CLERK)
        again = repo.get_or_create(s, "区税务局", CLERK)
    assert created.name == "区税务局"
    assert again.id == created.id
    with read_session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Unit)) == 2
        [event] = _audit(s, "create")
        assert (event.entity, event.entity_id, event.after) == ("unit", created.id, {"name": "区税务局"})
        assert event.actor == CLERK.name


def test_get_or_create_refuses_an_empty_or_overlong_name(engine: Engine) -> None:
    with write_session(engine) as s:
        with pytest.raises(Rejected):
            repo.get_or_create(s, "  ", CLERK)
        with pytest.raises(Rejected):
            repo.get_or_create(s, "局" * (repo.MAX_NAME_LENGTH + 1), CLERK)
        assert s.scalar(select(func.count()).select_from(Unit)) == 0


def test_an_alias_makes_a_name_resolve_and_is_audited_once(engine: Engine) -> None:
    with write_session(engine) as s:
        finance = _unit(s, "财政金融局")
    with write_session(engine) as s:
        repo.add_alias(s, "财政金融局", "区财政局", CLERK)
    with write_session(engine) as s:
        repo.add_alias(s, "财政金融局", "区财政局", CLERK)  # already there: nothing changes
    with read_session(engine) as s:
        assert repo.resolve(s, "区财政局").id == finance.id  # type: ignore[union-attr]
        [event] = _audit(s, "alias")
        assert event.entity_id == finance.id
        assert event.before == {"name": "财政金融局", "aliases": []}
        assert event.after == {"name": "财政金融局", "aliases": ["区财政局"]}


def test_an_alias_that_names_another_unit_is_a_conflict(engine: Engine) -> None:
    with write_session(engine) as s:
        _unit(s, "财政金融局")
        _unit(s, "税务局", "区税务分局")
    with write_session(engine) as s:
        with pytest.raises(Conflict, match="税务局"):
            repo.add_alias(s, "财政金融局", "税务局", CLERK)
        with pytest.raises(Conflict):
            repo.add_alias(s, "财政金融局", "区税务分局", CLERK)
        with pytest.raises(Conflict):  # 市税务局 is 税务局 without its prefix
            repo.add_alias(s, "财政金融局", "市税务局", CLERK)
    with read_session(engine) as s:
        assert _audit(s, "alias") == []


def test_merge_moves_owners_aliases_users_and_targets_and_retires_the_source(engine: Engine) -> None:
    with write_session(engine) as s:
        old = _unit(s, "区招商局", "招商办")
        new = _unit(s, "招商投资发展局")
        other = _unit(s, "财政金融局")
        only_old = _task(s, "assigned", (other, OwnerRole.LEAD), (old, OwnerRole.RESPONSIBLE))
        both = _task(s, "in_progress", (new, OwnerRole.RESPONSIBLE), (old, OwnerRole.LEAD))
        s.add(
            User(
                username="zs", display_name="张三", role=UserRole.UNIT, unit_id=old.id, created_at=clock.now()
            )
        )
        s.add(
            Target(
                indicator="招商引资",
                value=10,
                text="招商引资10亿元",
                owner_unit_id=old.id,
                created_at=clock.now(),
            )
        )
    with write_session(engine) as s:
        result = repo.merge(s, "区招商局", "招商投资发展局", CLERK)
    assert (result.tasks_moved, result.tasks_deduplicated, result.users_moved, result.targets_moved) == (
        1,
        1,
        1,
        1,
    )
    with read_session(engine) as s:
        owners = {(o.task_id, o.unit_id): (o.role, o.position) for o in s.scalars(select(TaskOwner)).all()}
        assert owners == {
            (only_old.id, other.id): (OwnerRole.LEAD, 0),
            (only_old.id, new.id): (OwnerRole.RESPONSIBLE, 1),
            # The task that had both keeps one row for the target, with the lead role it had via the source.
            (both.id, new.id): (OwnerRole.LEAD, 0),
        }
        retired = s.get(Unit, old.id)
        assert retired is not None and retired.active is False and retired.merged_into_id == new.id
        kept = s.get(Unit, new.id)
        assert kept is not None and sorted(a.alias for a in kept.aliases) == ["区招商局", "招商办"]
        assert s.scalar(select(User.unit_id)) == new.id
        assert s.scalar(select(Target.owner_unit_id)) == new.id
        # Both old names now lead to the unit that remains.
        assert repo.resolve(s, "区招商局").id == new.id  # type: ignore[union-attr]
        assert repo.resolve(s, "招商办").id == new.id  # type: ignore[union-attr]
        [event] = _audit(s, "merge")
        assert event.entity_id == old.id
        assert event.after is not None and event.after["merged_into_id"] == new.id
        assert event.after["tasks_deduplicated"] == 1
        assert verify(s).ok


def test_merge_of_a_unit_into_itself_or_into_an_unknown_unit_is_refused(engine: Engine) -> None:
    with write_session(engine) as s:
        _unit(s, "财政金融局", "区财政局")
    with write_session(engine) as s:
        with pytest.raises(Rejected):
            repo.merge(s, "区财政局", "财政金融局", CLERK)
        with pytest.raises(NotFound):
            repo.merge(s, "财政金融局", "税务局", CLERK)


def test_a_merged_units_name_is_found_again_by_get_or_create_not_duplicated(engine: Engine) -> None:
    with write_session(engine) as s:
        _unit(s, "区招商局")
        new = _unit(s, "招商投资发展局")
    with write_session(engine) as s:
        repo.merge(s, "区招商局", "招商投资发展局", CLERK)
    with write_session(engine) as s:
        assert repo.get_or_create(s, "区招商局", CLERK).id == new.id
        assert repo.get_or_create(s, "招商局", CLERK).id == new.id


def test_the_list_counts_open_and_draft_tasks_per_unit_and_hides_merged_units(engine: Engine) -> None:
    with write_session(engine) as s:
        finance = _unit(s, "财政金融局", "区财政局")
        tax = _unit(s, "税务局")
        _unit(s, "旧税务所")
        for status in ("draft", "assigned", "in_progress", "submitted", "done", "cancelled"):
            _task(s, status, (finance, OwnerRole.LEAD))
        _task(s, "draft", (tax, OwnerRole.RESPONSIBLE), (finance, OwnerRole.RESPONSIBLE))
    with write_session(engine) as s:
        repo.merge(s, "旧税务所", "税务局", CLERK)
    with read_session(engine) as s:
        listed = {u.name: u for u in repo.list_units(s)}
        everything = {u.name: u for u in repo.list_units(s, include_inactive=True)}
    assert set(listed) == {"财政金融局", "税务局"}
    assert (listed["财政金融局"].open_tasks, listed["财政金融局"].draft_tasks) == (3, 2)
    assert listed["财政金融局"].aliases == ("区财政局",)
    assert (listed["税务局"].open_tasks, listed["税务局"].draft_tasks) == (0, 1)
    assert everything["旧税务所"].merged_into == "税务局"
    assert everything["旧税务所"].active is False


def test_the_registry_built_from_the_database_knows_users_aliases_and_not_merged_units(
    engine: Engine,
) -> None:
    with write_session(engine) as s:
        _unit(s, "财政金融局")
        _unit(s, "招商投资发展局")
        _unit(s, "区招商局")
    with write_session(engine) as s:
        repo.add_alias(s, "财政金融局", "区财政局", CLERK)
        repo.merge(s, "区招商局", "招商投资发展局", CLERK)
    with read_session(engine) as s:
        registry = repo.build_registry(s)
    finance = registry.resolve("区财政局")
    assert finance is not None and finance.name == "财政金融局"
    invest = registry.resolve("区招商局")
    assert invest is not None and invest.name == "招商投资发展局"
    assert len(registry.units) == 2
