"""Personas (supervisor, unit A, unit B, unit C, leader) and task factories; `world` is a fixture in conftest."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from duban import clock
from duban.db.models import OwnerRole, Task, TaskOwner, Unit, User, UserRole
from duban.db.session import write_session
from duban.workflow.principal import Principal


@dataclass(frozen=True)
class World:
    unit_a: int
    unit_b: int
    unit_c: int
    supervisor: Principal
    unit_a_user: Principal
    unit_b_user: Principal
    unit_c_user: Principal
    leader: Principal


def add_unit(session: Session, name: str) -> Unit:
    unit = Unit(name=name, created_at=clock.now())
    session.add(unit)
    session.flush()
    return unit


def add_user(session: Session, username: str, role: UserRole, unit: Unit | None = None) -> Principal:
    user = User(
        username=username,
        display_name=username,
        role=role.value,
        unit_id=unit.id if unit else None,
        created_at=clock.now(),
    )
    session.add(user)
    session.flush()
    return Principal.of(user)


def add_task(
    session: Session,
    *,
    status: str = "draft",
    owners: list[tuple[int, OwnerRole]] | None = None,
    deadline: dt.date | None = None,
    text: str = "区财政局负责落实专项资金拨付工作。",
) -> Task:
    now = clock.now()
    task = Task(text=text, status=status, deadline=deadline, created_at=now, updated_at=now)
    for position, (unit_id, role) in enumerate(owners or []):
        task.owners.append(TaskOwner(unit_id=unit_id, role=role.value, position=position))
    session.add(task)
    session.flush()
    return task


@pytest.fixture
def world(engine: Engine) -> World:
    with write_session(engine) as s:
        a, b, c = add_unit(s, "区财政局"), add_unit(s, "区住建局"), add_unit(s, "区教育局")
        return World(
            unit_a=a.id,
            unit_b=b.id,
            unit_c=c.id,
            supervisor=add_user(s, "dc", UserRole.SUPERVISOR),
            unit_a_user=add_user(s, "cz", UserRole.UNIT, a),
            unit_b_user=add_user(s, "zj", UserRole.UNIT, b),
            unit_c_user=add_user(s, "jy", UserRole.UNIT, c),
            leader=add_user(s, "ld", UserRole.LEADER),
        )
