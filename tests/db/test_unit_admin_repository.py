"""Administrators create units on purpose (no silent reuse) and arrange them under parents, audited."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from duban.db.models import AuditEvent, Unit
from duban.db.repositories.unit_admin import create_unit, set_parent
from duban.db.session import read_session, write_session
from duban.errors import Conflict, Rejected
from tests.personas import World


def test_creating_a_unit_records_it(engine: Engine, world: World) -> None:
    with write_session(engine) as s:
        unit_id = create_unit(s, "  招商投资发展局 ", world.supervisor.actor).id
    with read_session(engine) as s:
        assert s.get(Unit, unit_id).name == "招商投资发展局"  # type: ignore[union-attr]
        event = s.scalars(select(AuditEvent).where(AuditEvent.entity == "unit")).one()
        assert (event.action, event.entity_id, event.actor) == ("create", unit_id, "dc")


def test_a_name_that_already_names_a_unit_is_refused(engine: Engine, world: World) -> None:
    with write_session(engine) as s, pytest.raises(Conflict) as refused:
        create_unit(s, "财政局", world.supervisor.actor)  # 区财政局 without its prefix
    assert "区财政局" in refused.value.message_zh


def test_set_parent_and_back_to_top_level_is_audited(engine: Engine, world: World) -> None:
    with write_session(engine) as s:
        unit = set_parent(s, world.unit_b, world.unit_a, world.supervisor.actor)
        assert unit.parent is not None and unit.parent.name == "区财政局"
        set_parent(s, world.unit_b, None, world.supervisor.actor)
    with read_session(engine) as s:
        assert s.get(Unit, world.unit_b).parent_id is None  # type: ignore[union-attr]
        events = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "set_parent").order_by(AuditEvent.seq)
        )
        assert [e.after["parent"] for e in events if e.after] == ["区财政局", None]


def test_a_unit_cannot_be_put_under_itself_or_its_descendant(engine: Engine, world: World) -> None:
    with write_session(engine) as s:
        set_parent(s, world.unit_b, world.unit_a, world.supervisor.actor)
        set_parent(s, world.unit_c, world.unit_b, world.supervisor.actor)
        with pytest.raises(Rejected):
            set_parent(s, world.unit_a, world.unit_c, world.supervisor.actor)
        with pytest.raises(Rejected):
            set_parent(s, world.unit_a, world.unit_a, world.supervisor.actor)
