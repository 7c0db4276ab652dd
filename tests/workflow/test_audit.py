from __future__ import annotations

import pytest
from sqlalchemy import Engine, delete, text, update
from sqlalchemy.orm import Session

from duban.db.models import AuditEvent
from duban.db.session import read_session, write_session
from duban.workflow.audit import Actor, record, record_many, verify

ALICE = Actor("督查室 张三", user_id=None)


def _write_events(engine: Engine, n: int = 5) -> None:
    for i in range(n):
        with write_session(engine) as s:
            record(
                s,
                ALICE,
                "edit",
                "task",
                i,
                before={"deadline": None},
                after={"deadline": f"2026-03-0{i + 1}"},
            )


def _verify(engine: Engine) -> tuple[bool, int | None, int]:
    with read_session(engine) as s:
        report = verify(s)
    return report.ok, report.broken_seq, report.checked


def test_untouched_chain_verifies(engine: Engine) -> None:
    _write_events(engine)
    assert _verify(engine) == (True, None, 5)


def test_empty_log_verifies(engine: Engine) -> None:
    assert _verify(engine) == (True, None, 0)


def test_edited_row_is_the_first_broken_link(engine: Engine) -> None:
    _write_events(engine)
    with engine.begin() as conn:
        conn.execute(update(AuditEvent).where(AuditEvent.seq == 3).values(reason="改过"))
    assert _verify(engine)[:2] == (False, 3)


def test_edited_json_payload_is_detected(engine: Engine) -> None:
    _write_events(engine)
    with engine.begin() as conn:
        conn.execute(update(AuditEvent).where(AuditEvent.seq == 2).values(after={"deadline": "2027-01-01"}))
    assert _verify(engine)[:2] == (False, 2)


def test_deleted_middle_row_is_detected(engine: Engine) -> None:
    _write_events(engine)
    with engine.begin() as conn:
        conn.execute(delete(AuditEvent).where(AuditEvent.seq == 2))
    assert _verify(engine)[:2] == (False, 2)


def test_deleted_newest_rows_are_detected(engine: Engine) -> None:
    _write_events(engine)
    with engine.begin() as conn:
        conn.execute(delete(AuditEvent).where(AuditEvent.seq >= 4))
    ok, broken, checked = _verify(engine)
    assert (ok, broken, checked) == (False, 4, 3)


def test_reordered_rows_are_detected(engine: Engine) -> None:
    _write_events(engine)
    # Swap the contents of events 2 and 3 (ids stay; what they say moves), hashes and all.
    with engine.begin() as conn:
        rows = {r.seq: r for r in conn.execute(text("SELECT * FROM audit_events WHERE seq IN (2, 3)"))}
        for seq in (2, 3):  # dodge the unique constraint while swapping
            conn.execute(update(AuditEvent).where(AuditEvent.id == rows[seq].id).values(seq=-seq))
        for seq, other in ((2, 3), (3, 2)):
            conn.execute(update(AuditEvent).where(AuditEvent.id == rows[seq].id).values(seq=other))
    assert _verify(engine)[:2] == (False, 2)


def test_record_joins_the_callers_transaction(engine: Engine) -> None:
    with pytest.raises(RuntimeError), write_session(engine) as s:
        record(s, ALICE, "edit", "task", 1)
        raise RuntimeError("the change failed")
    with Session(engine) as s:
        assert s.query(AuditEvent).count() == 0
    _write_events(engine, 1)
    assert _verify(engine) == (True, None, 1)


def test_system_actor_has_no_user() -> None:
    assert Actor.system("提醒扫描") == Actor("提醒扫描", None)


def test_record_many_links_like_one_record_per_event(engine: Engine) -> None:
    _write_events(engine, 2)
    with write_session(engine) as s:
        events = record_many(s, ALICE, "import", "task", [(10, {"row": 3}), (11, {"row": 4}), (12, None)])
        record(s, ALICE, "edit", "task", 10, after={"deadline": "2026-04-01"})
    assert [e.seq for e in events] == [3, 4, 5]
    assert _verify(engine) == (True, None, 6)
    with write_session(engine) as s:
        s.execute(update(AuditEvent).where(AuditEvent.seq == 4).values(entity_id=99))
    assert _verify(engine)[:2] == (False, 4)


def test_record_many_of_nothing_writes_nothing(engine: Engine) -> None:
    with write_session(engine) as s:
        assert record_many(s, ALICE, "import", "task", []) == []
    assert _verify(engine) == (True, None, 0)
