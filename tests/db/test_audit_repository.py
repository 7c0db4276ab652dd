from __future__ import annotations

from sqlalchemy import Engine

from duban.db.repositories.audit import list_events
from duban.db.session import read_session, write_session
from duban.workflow.audit import Actor, record

CLERK = Actor("督查室 张三")


def _write(engine: Engine) -> None:
    with write_session(engine) as s:
        for entity, entity_id in (("task", 1), ("task", 2), ("unit", 1), ("task", 1), ("document", None)):
            record(s, CLERK, "edit", entity, entity_id)


def test_events_come_newest_first_up_to_the_limit(engine: Engine) -> None:
    _write(engine)
    with read_session(engine) as s:
        assert [e.seq for e in list_events(s)] == [5, 4, 3, 2, 1]
        assert [e.seq for e in list_events(s, limit=2)] == [5, 4]


def test_events_filter_by_entity_and_id(engine: Engine) -> None:
    _write(engine)
    with read_session(engine) as s:
        assert [e.seq for e in list_events(s, entity="task")] == [4, 2, 1]
        assert [e.seq for e in list_events(s, entity="task", entity_id=1)] == [4, 1]
        assert [e.seq for e in list_events(s, entity="unit", entity_id=2)] == []


def test_no_events(engine: Engine) -> None:
    with read_session(engine) as s:
        assert list(list_events(s)) == []
