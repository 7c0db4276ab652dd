"""Reviewing drafts: merge, split, reject and assign-all, each audited and compare-and-swapped."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from duban import clock
from duban.db.models import AuditEvent, Document, OwnerRole, Task
from duban.errors import Conflict, Forbidden, InvalidTransition, NotFound, Rejected
from duban.workflow import drafts
from duban.workflow.audit import verify
from duban.workflow.states import State
from tests.personas import World, add_task


def _document(session: Session, name: str = "纪要.txt") -> Document:
    document = Document(
        sha256=name.encode().hex().ljust(64, "0")[:64],
        source_key=name,
        filename=name,
        stored_path=f"originals/{name}",
        size_bytes=1,
        status="parsed",
        text="甲" * 200,
        created_at=clock.now(),
    )
    session.add(document)
    session.flush()
    return document


def _draft(
    session: Session,
    document: Document | None,
    text: str,
    owners: list[tuple[int, OwnerRole]],
    *,
    span: tuple[int, int] | None = None,
    deadline: dt.date | None = None,
    confirmed: bool = False,
) -> Task:
    task = add_task(session, text=text, owners=owners, deadline=deadline)
    task.document_id = document.id if document else None
    task.span_start, task.span_end = span or (None, None)
    task.confirmed = confirmed
    session.flush()
    return task


def _events(session: Session, task_id: int) -> list[tuple[str, str | None]]:
    rows = session.scalars(
        select(AuditEvent).where(AuditEvent.entity == "task", AuditEvent.entity_id == task_id)
    ).all()
    return [(e.action, e.reason) for e in sorted(rows, key=lambda e: e.seq)]


def test_merge_keeps_the_first_in_document_order_and_cancels_the_others(db: Session, world: World) -> None:
    doc = _document(db)
    later = _draft(
        db,
        doc,
        "区住建局负责配套道路建设",
        [(world.unit_b, OwnerRole.LEAD), (world.unit_a, OwnerRole.SUPPORTING)],
        span=(60, 80),
        deadline=dt.date(2099, 3, 1),
    )
    first = _draft(
        db,
        doc,
        "区财政局负责资金保障。",
        [(world.unit_a, OwnerRole.LEAD)],
        span=(10, 30),
        deadline=dt.date(2099, 6, 30),
    )
    kept = drafts.merge(db, world.supervisor, [later.id, first.id])
    assert kept.id == first.id
    assert kept.text == "区财政局负责资金保障。区住建局负责配套道路建设。"
    # The strongest role per unit; the first lead stays the only lead.
    assert [(o.unit_id, o.role) for o in kept.owners] == [
        (world.unit_a, OwnerRole.LEAD),
        (world.unit_b, OwnerRole.RESPONSIBLE),
    ]
    assert kept.deadline == dt.date(2099, 3, 1)
    assert (kept.span_start, kept.span_end) == (10, 80)
    assert kept.version == 2 and kept.status == State.DRAFT
    db.refresh(later)
    assert later.status == State.CANCELLED
    assert _events(db, later.id)[-1] == ("cancel", f"合并至任务{first.id}")
    merge_event = db.scalar(select(AuditEvent).where(AuditEvent.action == "merge"))
    assert merge_event is not None and merge_event.after["merged"] == [later.id]
    assert verify(db).ok


def test_merge_needs_two_drafts_of_one_document(db: Session, world: World) -> None:
    one = _draft(db, _document(db, "a.txt"), "甲", [(world.unit_a, OwnerRole.LEAD)])
    other = _draft(db, _document(db, "b.txt"), "乙", [(world.unit_a, OwnerRole.LEAD)])
    with pytest.raises(Rejected):
        drafts.merge(db, world.supervisor, [one.id])
    with pytest.raises(Rejected, match="同一文件"):
        drafts.merge(db, world.supervisor, [one.id, other.id])


def test_merge_refuses_tasks_already_assigned(db: Session, world: World) -> None:
    doc = _document(db)
    draft = _draft(db, doc, "甲", [(world.unit_a, OwnerRole.LEAD)])
    assigned = _draft(db, doc, "乙", [(world.unit_a, OwnerRole.LEAD)])
    assigned.status = State.ASSIGNED.value
    db.flush()
    with pytest.raises(InvalidTransition):
        drafts.merge(db, world.supervisor, [draft.id, assigned.id])


def test_merge_with_a_stale_version_is_a_conflict_and_changes_nothing(db: Session, world: World) -> None:
    doc = _document(db)
    a = _draft(db, doc, "甲", [(world.unit_a, OwnerRole.LEAD)])
    b = _draft(db, doc, "乙", [(world.unit_a, OwnerRole.LEAD)])
    with pytest.raises(Conflict):
        drafts.merge(db, world.supervisor, [a.id, b.id], expected_versions={a.id: 1, b.id: 7})


def test_only_the_supervisor_merges_and_other_units_do_not_see_the_drafts(db: Session, world: World) -> None:
    doc = _document(db)
    a = _draft(db, doc, "甲", [(world.unit_a, OwnerRole.LEAD)])
    b = _draft(db, doc, "乙", [(world.unit_a, OwnerRole.LEAD)])
    with pytest.raises(Forbidden):
        drafts.merge(db, world.leader, [a.id, b.id])
    with pytest.raises(Forbidden):
        drafts.merge(db, world.unit_a_user, [a.id, b.id])
    with pytest.raises(NotFound):
        drafts.merge(db, world.unit_b_user, [a.id, b.id])


def test_split_by_sentences_makes_new_drafts_on_the_same_source(db: Session, world: World) -> None:
    doc = _document(db)
    task = _draft(
        db,
        doc,
        "区财政局负责拨付资金。区住建局负责施工！确保年底前完成",
        [(world.unit_a, OwnerRole.LEAD), (world.unit_b, OwnerRole.RESPONSIBLE)],
        span=(5, 50),
        deadline=dt.date(2099, 12, 31),
    )
    parts = drafts.split(db, world.supervisor, task.id)
    assert [p.text for p in parts] == ["区财政局负责拨付资金。", "区住建局负责施工！", "确保年底前完成"]
    assert parts[0].id == task.id and parts[0].version == 2
    for new in parts[1:]:
        assert (new.document_id, new.span_start, new.span_end) == (doc.id, 5, 50)
        assert new.status == State.DRAFT and new.deadline == dt.date(2099, 12, 31)
        assert new.unit_ids() == [world.unit_a, world.unit_b]
        assert _events(db, new.id) == [("draft", None)]
    split_event = db.scalar(select(AuditEvent).where(AuditEvent.action == "split"))
    assert split_event is not None and split_event.after["split_into"] == [p.id for p in parts[1:]]
    assert split_event.after["text"] == "区财政局负责拨付资金。"
    assert verify(db).ok


def test_split_by_the_users_lines_skips_blank_lines(db: Session, world: World) -> None:
    task = _draft(db, _document(db), "甲乙", [(world.unit_a, OwnerRole.LEAD)])
    parts = drafts.split(db, world.supervisor, task.id, ["甲方负责", "  ", "乙方配合"])
    assert [p.text for p in parts] == ["甲方负责", "乙方配合"]


def test_split_into_one_part_is_refused(db: Session, world: World) -> None:
    task = _draft(db, _document(db), "只有一句话。", [(world.unit_a, OwnerRole.LEAD)])
    with pytest.raises(Rejected, match="至少要有两条"):
        drafts.split(db, world.supervisor, task.id)


def test_reject_cancels_a_draft_with_its_reason(db: Session, world: World) -> None:
    task = _draft(db, _document(db), "会议指出，形势严峻。", [(world.unit_a, OwnerRole.LEAD)])
    with pytest.raises(Rejected):
        drafts.reject(db, world.supervisor, task.id, "  ")
    drafts.reject(db, world.supervisor, task.id, "非督办事项")
    db.refresh(task)
    assert task.status == State.CANCELLED
    assert _events(db, task.id)[-1] == ("cancel", "非督办事项")


def test_reject_refuses_an_assigned_task(db: Session, world: World) -> None:
    task = _draft(db, _document(db), "甲", [(world.unit_a, OwnerRole.LEAD)])
    task.status = State.ASSIGNED.value
    db.flush()
    with pytest.raises(InvalidTransition):
        drafts.reject(db, world.supervisor, task.id, "不要了")


def test_assign_all_assigns_confirmed_drafts_and_reports_the_ones_it_cannot(
    db: Session, world: World
) -> None:
    doc = _document(db)
    good = _draft(db, doc, "甲", [(world.unit_a, OwnerRole.LEAD)], confirmed=True)
    ownerless = _draft(db, doc, "乙", [], confirmed=True)
    unconfirmed = _draft(db, doc, "丙", [(world.unit_a, OwnerRole.LEAD)])
    elsewhere = _draft(db, _document(db, "other.txt"), "丁", [(world.unit_a, OwnerRole.LEAD)], confirmed=True)
    report = drafts.assign_all(db, world.supervisor, doc.id)
    assert report.assigned == [good.id]
    assert [(f.task_id, f.message) for f in report.failed] == [
        (ownerless.id, "交办前须指定牵头单位或责任单位")
    ]
    assert report.unconfirmed == 1
    statuses = {t.id: t.status for t in db.scalars(select(Task)).all()}
    assert statuses[good.id] == State.ASSIGNED
    assert statuses[ownerless.id] == statuses[unconfirmed.id] == statuses[elsewhere.id] == State.DRAFT
    assert _events(db, good.id)[-1] == ("assign", None)
    assert verify(db).ok


def test_assign_all_is_for_the_supervisor_only(db: Session, world: World) -> None:
    doc = _document(db)
    _draft(db, doc, "甲", [(world.unit_a, OwnerRole.LEAD)], confirmed=True)
    with pytest.raises(Forbidden):
        drafts.assign_all(db, world.leader, doc.id)
    with pytest.raises(Forbidden):
        drafts.assign_all(db, world.unit_a_user, doc.id)
