from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from duban.db.models import AuditEvent, UserRole
from duban.db.repositories.users import create_user, list_users, set_active, set_role
from duban.db.session import read_session, write_session
from duban.errors import Conflict, NotFound, Rejected
from duban.workflow.audit import Actor
from tests.personas import add_unit

ADMIN = Actor("督查室")


def test_unit_user_belongs_to_a_resolved_unit_and_is_audited(engine: Engine) -> None:
    with write_session(engine) as s:
        unit = add_unit(s, "财政金融局")
        user = create_user(s, "cz.li", UserRole.UNIT, ADMIN, display_name="李四", unit_name="财政金融局")
        assert user.unit_id == unit.id
    with read_session(engine) as s:
        [event] = s.scalars(select(AuditEvent)).all()
        assert (event.action, event.entity, event.after["role"]) == ("create", "user", "unit")
        assert [u.username for u in list_users(s)] == ["cz.li"]


@pytest.mark.parametrize(
    ("username", "role", "unit", "error"),
    [
        ("x", UserRole.LEADER, None, Rejected),  # too short
        ("张三", UserRole.LEADER, None, Rejected),  # not ASCII
        ("unit1", UserRole.UNIT, None, Rejected),  # a unit user without a unit
        ("lead1", UserRole.LEADER, "财政金融局", Rejected),  # a leader with a unit
        ("unit2", UserRole.UNIT, "火星办", NotFound),
    ],
)
def test_bad_users_are_refused(
    engine: Engine, username: str, role: UserRole, unit: str | None, error: type[Exception]
) -> None:
    with pytest.raises(error), write_session(engine) as s:
        add_unit(s, "财政金融局")
        create_user(s, username, role, ADMIN, unit_name=unit)


def test_usernames_are_unique(engine: Engine) -> None:
    with write_session(engine) as s:
        create_user(s, "leader", UserRole.LEADER, ADMIN)
    with pytest.raises(Conflict), write_session(engine) as s:
        create_user(s, "leader", UserRole.SUPERVISOR, ADMIN)


def test_disabling_keeps_the_user_and_records_it(engine: Engine) -> None:
    with write_session(engine) as s:
        create_user(s, "leader", UserRole.LEADER, ADMIN)
    with write_session(engine) as s:
        assert set_active(s, "leader", False, ADMIN).active is False
        set_active(s, "leader", False, ADMIN)  # no change, no event
    with read_session(engine) as s:
        assert s.scalars(select(AuditEvent.action)).all() == ["create", "update"]


def test_changing_a_role_moves_the_user_and_records_it(engine: Engine) -> None:
    with write_session(engine) as s:
        unit = add_unit(s, "财政金融局")
        create_user(s, "li", UserRole.LEADER, ADMIN)
    with write_session(engine) as s:
        user = set_role(s, "li", UserRole.UNIT, ADMIN, unit_name="财政金融局")
        assert (user.role, user.unit_id) == ("unit", unit.id)
        set_role(s, "li", UserRole.UNIT, ADMIN, unit_name="财政金融局")  # no change, no event
    with write_session(engine) as s:
        assert set_role(s, "li", UserRole.SUPERVISOR, ADMIN).unit_id is None
    with read_session(engine) as s:
        events = s.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
        assert [e.action for e in events] == ["create", "update", "update"]
        assert events[1].before == {"role": "leader", "unit_id": None}
        assert events[1].after == {"role": "unit", "unit_id": unit.id}


def test_a_role_change_keeps_the_unit_rules(engine: Engine) -> None:
    with write_session(engine) as s:
        create_user(s, "li", UserRole.LEADER, ADMIN)
    with pytest.raises(Rejected), write_session(engine) as s:
        set_role(s, "li", UserRole.UNIT, ADMIN)
    with pytest.raises(NotFound), write_session(engine) as s:
        set_role(s, "nobody", UserRole.LEADER, ADMIN)
