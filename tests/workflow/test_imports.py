"""Importing a checked ledger: all or nothing (or only the valid rows), states kept, every task audited, once."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from duban import clock
from duban.config import Settings
from duban.db.models import (
    AuditEvent,
    Document,
    Milestone,
    OutboxMessage,
    ProgressReport,
    Section,
    Task,
    TaskOwner,
)
from duban.db.models.search import SearchKind
from duban.db.repositories.tasks import TaskQuery
from duban.db.session import read_session, write_session
from duban.errors import Conflict, Forbidden, Rejected
from duban.reports.excel_export import export_ledger
from duban.reports.ledger_columns import IMPORT_READER
from duban.reports.ledger_import import check_file
from duban.search.query import search
from duban.workflow import audit, drafts
from duban.workflow.imports import PROGRESS_MARK, ImportResult, commit_import
from duban.workflow.principal import Principal
from duban.workflow.states import State
from tests.personas import World
from tests.reports.excel_ledger import TODAY, seed, workbook

ROWS = [
    [
        "1",
        "第5次党工委会议纪要",
        "完成老旧小区改造。",
        "区财政局",
        "区住建局",
        "李区长",
        "2026-12-31",
        "2026-06-01：已开工",
        "办理中",
        "重点督办",
    ],
    ["2", "第5次党工委会议纪要", "报送资金使用情况。", "区住建局", "", "", "2026-07-31", "", "已交办", ""],
    ["3", "第6次党工委会议纪要", "研究制定培训方案。", "区教育局", "", "", "10个工作日", "", "", ""],
    ["4", "", "完成学校扩建验收。", "区教育局", "", "", "2026-03-31", "已验收", "已办结", ""],
    ["5", "", "暂缓的项目。", "区财政局", "", "", "", "", "已撤销", ""],
]


def _settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path)


def _import(
    engine: Engine,
    who: Principal,
    data: bytes,
    tmp_path: Path,
    *,
    valid_only: bool = False,
    name: str = "台账.xlsx",
) -> ImportResult:
    with write_session(engine) as s:
        check = check_file(s, data, name, max_rows=5000, today=TODAY)
        return commit_import(s, who, check, data, _settings(tmp_path), valid_only=valid_only)


def _count(session: Session, model: type[object]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0  # type: ignore[arg-type]


def test_export_then_import_into_an_empty_ledger_reproduces_the_tasks(
    engine: Engine, world: World, tmp_path: Path
) -> None:
    seed(engine, world)

    def export() -> tuple[list[tuple[str, ...]], bytes]:
        with read_session(engine) as s:
            data = export_ledger(s, world.supervisor, TaskQuery(), today=TODAY, near_days=3)
        rows = load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(min_row=4, values_only=True)
        # 进展情况 gains the import mark and 备注 the new task numbers; every other column must come back as it was.
        return sorted(tuple(str(v or "") for v in r[1:7] + r[8:9]) for r in rows), data

    before, data = export()
    with write_session(engine) as s:
        for model in (ProgressReport, Milestone, TaskOwner, Task):
            s.execute(delete(model))
    result = _import(engine, world.supervisor, data, tmp_path)
    assert len(result.task_ids) == 5 and result.skipped_rows == []
    after, _ = export()
    assert after == before
    with read_session(engine) as s:
        red = s.scalars(select(Task).where(Task.text == "完成老旧小区改造一期工程。")).one()
        assert (red.status, red.leader_name, red.confirmed) == (State.IN_PROGRESS.value, "李区长", True)
        assert [(m.due, m.text) for m in red.milestones] == [
            (dt.date(2026, 3, 31), "完成设计"),
            (dt.date(2026, 5, 31), "开工建设"),
        ]
        roles = {o.unit_id: o.role for o in red.owners}
        assert roles == {world.unit_a: "lead", world.unit_b: "responsible", world.unit_c: "supporting"}
        report = s.scalars(select(ProgressReport).where(ProgressReport.task_id == red.id)).one()
        assert report.text == PROGRESS_MARK + "主体已开工" and clock.to_local(
            report.created_at
        ).date() == dt.date(2026, 6, 1)
        assert report.user_id == world.supervisor.user_id and report.unit_id == world.unit_a


def test_a_file_with_bad_rows_writes_nothing(engine: Engine, world: World, tmp_path: Path) -> None:
    data = workbook([ROWS[0], ["2", "", "", "区财政局", "", "", "", "", "", ""], ROWS[2]])
    with pytest.raises(Rejected, match="有1行存在错误（第4行），未导入任何数据"):
        _import(engine, world.supervisor, data, tmp_path)
    with read_session(engine) as s:
        assert (_count(s, Task), _count(s, Document), _count(s, AuditEvent)) == (0, 0, 0)


def test_valid_only_imports_the_valid_rows_and_names_the_skipped(
    engine: Engine, world: World, tmp_path: Path
) -> None:
    data = workbook(
        [ROWS[0], ["2", "", "", "区财政局", "", "", "", "", "", ""], ROWS[2], ["4", "", "任务。", "无此单位"]]
    )
    result = _import(engine, world.supervisor, data, tmp_path, valid_only=True)
    assert result.skipped_rows == [4, 6] and len(result.task_ids) == 2
    with read_session(engine) as s:
        texts = s.scalars(select(Task.text).order_by(Task.id)).all()
    assert texts == ["完成老旧小区改造。", "研究制定培训方案。"]


def test_a_file_without_a_single_valid_row_is_refused_even_with_valid_only(
    engine: Engine, world: World, tmp_path: Path
) -> None:
    with pytest.raises(Rejected, match="没有可导入的有效行"):
        _import(engine, world.supervisor, workbook([["1", "", "", "区财政局"]]), tmp_path, valid_only=True)


def test_every_imported_task_is_audited_as_the_importing_user(
    engine: Engine, world: World, tmp_path: Path
) -> None:
    result = _import(engine, world.supervisor, workbook(ROWS), tmp_path)
    with read_session(engine) as s:
        events = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "import").order_by(AuditEvent.seq)
        ).all()
        tasks = [e for e in events if e.entity == "task"]
        assert sorted(e.entity_id for e in tasks) == sorted(result.task_ids)
        assert {(e.actor, e.actor_id) for e in events} == {("dc", world.supervisor.user_id)}
        first = next(e for e in tasks if e.after and e.after["row"] == 3)
        assert first.after is not None
        assert (first.after["source"], first.after["note"], first.after["status"]) == (
            "第5次党工委会议纪要",
            "重点督办",
            "in_progress",
        )
        (document,) = [e for e in events if e.entity == "document"]
        assert document.after is not None and document.after["imported"] == 5
        assert audit.verify(s).ok


def test_the_same_file_cannot_be_imported_twice(engine: Engine, world: World, tmp_path: Path) -> None:
    data = workbook(ROWS)
    _import(engine, world.supervisor, data, tmp_path)
    with pytest.raises(Conflict, match="不能重复导入"):
        _import(engine, world.supervisor, data, tmp_path, name="改了名字.xlsx")
    with read_session(engine) as s:
        assert check_file(s, data, "台账.xlsx", max_rows=10, today=TODAY).prior is not None
        assert _count(s, Task) == 5


@pytest.mark.parametrize("who", ["unit_a_user", "leader"])
def test_only_the_supervision_office_imports(engine: Engine, world: World, tmp_path: Path, who: str) -> None:
    with pytest.raises(Forbidden):
        _import(engine, getattr(world, who), workbook(ROWS), tmp_path)


def test_states_from_the_ledger_are_kept(engine: Engine, world: World, tmp_path: Path) -> None:
    result = _import(engine, world.supervisor, workbook(ROWS), tmp_path)
    with read_session(engine) as s:
        tasks = {t.text: t for t in s.scalars(select(Task))}
        in_progress, assigned, draft = (
            tasks["完成老旧小区改造。"],
            tasks["报送资金使用情况。"],
            tasks["研究制定培训方案。"],
        )
        done, cancelled = tasks["完成学校扩建验收。"], tasks["暂缓的项目。"]
        assert (
            in_progress.status,
            in_progress.assigned_at is not None,
            in_progress.acknowledged_at is not None,
        ) == (
            "in_progress",
            True,
            True,
        )
        assert (assigned.status, assigned.acknowledged_at) == ("assigned", None)
        assert (draft.status, draft.confirmed, draft.deadline_workdays) == ("draft", True, 10)
        assert draft.deadline is not None and draft.deadline > TODAY
        assert (done.status, done.done_at) == ("done", None)
        assert (cancelled.status, cancelled.cancelled_at is not None) == ("cancelled", True)
        # Only the 已交办 task tells its units to 签收: the others are under way or closed already.
        messages = s.scalars(select(OutboxMessage)).all()
        assert [(m.task_id, m.unit_id, m.kind) for m in messages] == [(assigned.id, world.unit_b, "assigned")]
        document_id = assigned.document_id
        assert all(t.document_id == document_id for t in tasks.values()) and len(result.task_ids) == 5
    with write_session(engine) as s:
        report = drafts.assign_all(s, world.supervisor, document_id)
    assert report.assigned == [draft.id] and report.failed == []


def test_the_workbook_becomes_a_document_whose_text_holds_every_row(
    engine: Engine, world: World, tmp_path: Path
) -> None:
    data = workbook(ROWS)
    result = _import(engine, world.supervisor, data, tmp_path, name="2026年督办台账.xlsx")
    with read_session(engine) as s:
        document = s.get(Document, result.document_id)
        assert document is not None and document.text is not None
        assert (document.reader, document.status, document.title) == (
            IMPORT_READER,
            "parsed",
            "台账导入：2026年督办台账.xlsx",
        )
        assert (tmp_path / document.stored_path).read_bytes() == data
        assert "备注：重点督办" in document.text and "状态：已办结" in document.text
        sections = s.scalars(
            select(Section).where(Section.document_id == document.id).order_by(Section.index)
        ).all()
        assert [x.title for x in sections] == ["第5次党工委会议纪要", "第6次党工委会议纪要"]
        for task in s.scalars(select(Task).where(Task.id.in_(result.task_ids))):
            assert task.span_start is not None and task.span_end is not None
            assert document.text[task.span_start : task.span_end] == task.text
            section = s.get(Section, task.section_id) if task.section_id else None
            if section is not None:
                assert section.span_start <= task.span_start < section.span_end


def test_a_task_already_in_the_ledger_is_pointed_out_but_not_the_files_own(
    engine: Engine, world: World, tmp_path: Path
) -> None:
    data = workbook(ROWS[:1])
    result = _import(engine, world.supervisor, data, tmp_path)
    with read_session(engine) as s:
        (own,) = check_file(s, data, "台账.xlsx", max_rows=10, today=TODAY).rows
        assert own.warnings == []
        other = workbook([ROWS[0], ["2", "", "另一项任务。", "区财政局"]])
        first, second = check_file(s, other, "新台账.xlsx", max_rows=10, today=TODAY).rows
    assert [w.message for w in first.warnings] == [f"台账中已有内容相同的任务（任务{result.task_ids[0]}）"]
    assert second.warnings == []


def test_a_large_ledger_is_written_in_chunks_and_stays_audited(
    engine: Engine, world: World, tmp_path: Path
) -> None:
    rows = [
        [str(i), f"第{i % 7}次会议", f"第{i}项任务。", "区财政局", "", "", "2026-12-31", "进展", "已交办"]
        for i in range(1, 1201)
    ]
    result = _import(engine, world.supervisor, workbook(rows), tmp_path)
    assert len(result.task_ids) == 1200 == len(set(result.task_ids))
    with read_session(engine) as s:
        assert _count(s, Task) == _count(s, ProgressReport) == _count(s, OutboxMessage) == 1200
        texts = {i: t for i, t in s.execute(select(Task.id, Task.text))}
        assert [texts[i] for i in result.task_ids[:3]] == ["第1项任务。", "第2项任务。", "第3项任务。"]
        events = s.scalars(
            select(AuditEvent.entity_id).where(AuditEvent.action == "import", AuditEvent.entity == "task")
        )
        assert sorted(events) == sorted(result.task_ids)
        assert audit.verify(s).ok


def test_imported_tasks_their_progress_and_the_workbook_are_searchable_at_once(
    engine: Engine, world: World, tmp_path: Path
) -> None:
    result = _import(engine, world.supervisor, workbook(ROWS), tmp_path)
    with read_session(engine) as s:
        hits = search(s, world.supervisor, "老旧小区").hits
        progress = search(s, world.supervisor, "已开工").hits
    found = {(h.kind, h.id) for h in hits}
    assert (SearchKind.DOCUMENT, result.document_id) in found
    assert any(h.kind is SearchKind.TASK and h.id in result.task_ids for h in hits)
    assert [h.kind for h in progress if h.task_id in result.task_ids] == [SearchKind.REPORT]
