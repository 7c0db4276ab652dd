"""Ledgers for the Excel tests: tasks in the database (one per light, with sources, milestones, reports)
and workbooks written the way offices write them (a title row, merged cells, columns in any order)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook, load_workbook
from sqlalchemy import Engine

from duban import clock
from duban.db.models import Document, Milestone, OwnerRole, ProgressReport, Section
from duban.db.session import write_session
from tests.personas import World, add_task

# A Monday with working days all around (no holiday within the near-due window).
TODAY = dt.date(2026, 6, 15)
HEADER = [
    "序号",
    "任务来源",
    "任务内容",
    "牵头单位",
    "责任单位",
    "责任领导",
    "时间节点/完成时限",
    "进展情况",
    "状态",
    "备注",
]
FORMULA_TEXT = '=HYPERLINK("http://example.invalid","点我")'


@dataclass(frozen=True)
class Seeded:
    red: int
    yellow: int
    green: int
    done: int
    formula: int
    document: int


def _noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=clock.SHANGHAI).astimezone(dt.UTC)


def seed(engine: Engine, world: World) -> Seeded:
    """Five tasks: red, yellow, green, done, and one whose text a spreadsheet would run as a formula."""
    lead, resp, supp = OwnerRole.LEAD, OwnerRole.RESPONSIBLE, OwnerRole.SUPPORTING
    with write_session(engine) as s:
        doc = Document(
            sha256=hashlib.sha256(b"seeded minutes").hexdigest(),
            source_key="纪要.txt",
            filename="纪要.txt",
            stored_path="originals/none",
            size_bytes=10,
            status="parsed",
            text="会议纪要全文",
            title="关于推进重点工作的会议纪要",
            doc_number="区政办〔2026〕3号",
            created_at=clock.now(),
        )
        s.add(doc)
        s.flush()
        section = Section(
            document_id=doc.id,
            index=1,
            span_start=0,
            span_end=6,
            doc_type="minutes",
            title="二、关于老旧小区改造",
        )
        s.add(section)
        s.flush()
        red = add_task(
            s,
            status="in_progress",
            owners=[(world.unit_a, lead), (world.unit_b, resp), (world.unit_c, supp)],
            deadline=TODAY - dt.timedelta(days=3),
            text="完成老旧小区改造一期工程。",
        )
        red.document_id, red.section_id, red.leader_name = doc.id, section.id, "李区长"
        red.milestones = [
            Milestone(due=dt.date(2026, 3, 31), text="完成设计"),
            Milestone(due=dt.date(2026, 5, 31), text="开工建设"),
        ]
        s.add_all(
            [
                ProgressReport(task_id=red.id, text="已完成设计招标", created_at=_noon(dt.date(2026, 4, 1))),
                ProgressReport(task_id=red.id, text="主体已开工", created_at=_noon(dt.date(2026, 6, 1))),
            ]
        )
        yellow = add_task(
            s,
            status="assigned",
            owners=[(world.unit_b, lead)],
            deadline=TODAY + dt.timedelta(days=1),
            text="报送二季度资金使用情况。",
        )
        yellow.document_id = doc.id
        green = add_task(s, owners=[(world.unit_a, lead)], text="研究制定教师培训方案。")
        done = add_task(
            s,
            status="done",
            owners=[(world.unit_c, resp)],
            deadline=TODAY - dt.timedelta(days=30),
            text="完成学校扩建验收。",
        )
        formula = add_task(
            s,
            status="in_progress",
            owners=[(world.unit_a, lead)],
            deadline=TODAY + dt.timedelta(days=90),
            text=FORMULA_TEXT,
        )
        s.flush()
        return Seeded(red.id, yellow.id, green.id, done.id, formula.id, doc.id)


def workbook(
    rows: Sequence[Sequence[Any]],
    header: Sequence[str] = HEADER,
    *,
    title: str | None = "督办事项台账",
    merges: Sequence[str] = (),
    sheet: str = "台账",
) -> bytes:
    """A workbook as an office types it: an optional title row, the header, the rows, merged ranges."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet
    if title:
        ws.append([title])
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    for ref in merges:
        ws.merge_cells(ref)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def opened(data: bytes) -> Any:
    """The workbook opened again, fully (not read-only), to check values and layout."""
    return load_workbook(io.BytesIO(data))
