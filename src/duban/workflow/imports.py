"""Importing a checked ledger workbook: one Document for the file, one task per row, all or nothing.

What a supervision office moving its old Excel ledger into duban expects is
that the ledger goes on where it stood, so the 状态 column is honoured:

- empty or 待确认 → a *confirmed* draft: it appears on the document's review
  page, ready for 一键交办 (the owners are told then, as for any draft);
- 已交办 → assigned (the units are told to 签收 now, as 交办 would);
- 办理中 / 待验收 → in progress / submitted, with no message: the units are
  already working on them;
- 已办结 / 已撤销 → closed, kept as history. An imported 已办结 has no
  `done_at` (the old ledger did not say when), and the ranking counts such a
  task as on time (`workflow.scoring`).

The workbook itself becomes a Document (original kept, content-addressed,
like any upload), so the same file cannot be imported twice, and its text
is the ledger written out row by row: each task's source span points at its
row, the task page shows the row in context, and every column of every row
(备注 too) stays readable in duban. Each distinct 任务来源 becomes a Section
titled with it, which the Excel export prints again as the 任务来源. The old
进展情况 becomes a progress report marked 【台账导入】, dated as the cell
was (`2026-11-20：…`) or now. Every task gets an `import` audit event; the
document gets one for the whole import. Services only flush; the caller commits.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from duban import clock
from duban.config import Settings
from duban.db.models import (
    DocumentStatus,
    Milestone,
    OwnerRole,
    ProgressReport,
    Section,
    Task,
    TaskOwner,
    UserRole,
)
from duban.errors import Conflict, Forbidden, NotFound, Rejected
from duban.ingest.store import store_upload
from duban.ingest.types import Source
from duban.reports.import_store import StoredPreview, load_preview, save_preview
from duban.reports.ledger_columns import IMPORT_READER, Field
from duban.reports.ledger_import import (
    CheckedRow,
    LedgerCheck,
    ParsedRow,
    build_check,
    check_file,
    prior_import,
)
from duban.search.index import index_tasks
from duban.workflow import audit
from duban.workflow.deadlines import deadline_columns, resolve_deadline
from duban.workflow.machine import tell_assigned
from duban.workflow.principal import Principal
from duban.workflow.states import State

__all__ = [
    "IMPORTED_KIND",
    "PROGRESS_MARK",
    "ImportResult",
    "commit_import",
    "commit_preview",
    "open_preview",
    "preview_upload",
]

IMPORTED_KIND = "imported"
PROGRESS_MARK = "【台账导入】"
_DOC_TYPE = "other"
CHUNK = 500  # rows written per batch


@dataclass(frozen=True)
class ImportResult:
    document_id: int
    task_ids: list[int]
    skipped_rows: list[int]


@dataclass(frozen=True)
class _Placed:
    """Where a row's task text sits in the document text, and the section of its 任务来源."""

    row: CheckedRow
    parsed: ParsedRow
    start: int
    end: int
    section: int | None  # index into the sections list


def _detail(row: CheckedRow, headings: dict[Field, str]) -> str:
    """Every other column of the row as written, under the file's own headings: nothing of the old ledger is lost."""
    parts = [
        f"{headings.get(f, f.label)}：{' '.join(v.split())}"
        for f, v in row.values.items()
        if v and f not in (Field.TEXT, Field.SOURCE, Field.SEQ)
    ]
    return "；".join(parts)


def _layout(
    check: LedgerCheck, rows: Sequence[CheckedRow]
) -> tuple[str, list[_Placed], list[tuple[str, int, int]]]:
    """The document text, each row's span in it, and the sections (title, start, end) by 任务来源."""
    groups: dict[str, list[CheckedRow]] = {}
    for row in rows:
        assert row.parsed is not None
        groups.setdefault(row.parsed.source, []).append(row)
    header = "、".join(check.sheet.headings.values())
    out = [
        f"台账导入：{check.filename}\n",
        f"工作表“{check.sheet.sheet}”，第{check.sheet.header_row}行为表头，导入{len(rows)}行。列：{header}\n\n",
    ]
    length = sum(len(s) for s in out)
    placed: list[_Placed] = []
    sections: list[tuple[str, int, int]] = []
    for source, members in groups.items():
        start = length
        line = f"任务来源：{source or '未注明'}\n"
        out.append(line)
        length += len(line)
        for row in members:
            assert row.parsed is not None
            prefix = f"第{row.row}行　"
            detail = _detail(row, check.sheet.headings)
            text = row.parsed.text
            chunk = f"{prefix}{text}\n" + (f"　　{detail}\n" if detail else "")
            out.append(chunk)
            at = length + len(prefix)
            placed.append(_Placed(row, row.parsed, at, at + len(text), len(sections) if source else None))
            length += len(chunk)
        out.append("\n")
        length += 1
        if source:
            sections.append((source, start, length))
    return "".join(out), placed, sections


def _progress_time(day: dt.date | None) -> dt.datetime:
    if day is None:
        return clock.now()
    # Noon in Beijing: the report shows on the day the ledger gave, whatever the time zone shown.
    return dt.datetime.combine(day, dt.time(12), tzinfo=clock.SHANGHAI).astimezone(dt.UTC)


def _stamps(state: State, now: dt.datetime) -> dict[str, dt.datetime | None]:
    handed_out = state in (State.ASSIGNED, State.IN_PROGRESS, State.SUBMITTED)
    return {
        "assigned_at": now if handed_out else None,
        "acknowledged_at": now if state in (State.IN_PROGRESS, State.SUBMITTED) else None,
        "submitted_at": now if state is State.SUBMITTED else None,
        "cancelled_at": now if state is State.CANCELLED else None,
        # When an imported task was finished is unknown; scoring treats a missing done_at as on time.
        "done_at": None,
    }


def _task(document_id: int, item: _Placed, section_ids: Sequence[int], now: dt.datetime) -> Task:
    parsed = item.parsed
    deadline = deadline_columns(resolve_deadline(parsed.deadline, workdays=parsed.workdays))
    task = Task(
        document_id=document_id,
        section_id=section_ids[item.section] if item.section is not None else None,
        span_start=item.start,
        span_end=item.end,
        text=parsed.text,
        kind=IMPORTED_KIND,
        status=parsed.state.value,
        version=1,
        confirmed=True,
        leader_name=parsed.leader,
        created_at=now,
        updated_at=now,
        **deadline,
        **_stamps(parsed.state, now),
    )
    task.owners = [
        TaskOwner(unit_id=o.unit_id, role=o.role.value, position=i) for i, o in enumerate(parsed.owners)
    ]
    task.milestones = [Milestone(due=due, text=text) for due, text in parsed.milestones]
    return task


def _report(principal: Principal, task: Task, parsed: ParsedRow) -> ProgressReport:
    answerable = [o.unit_id for o in parsed.owners if o.role is not OwnerRole.SUPPORTING]
    text = parsed.progress if parsed.progress.startswith(PROGRESS_MARK) else PROGRESS_MARK + parsed.progress
    return ProgressReport(
        task_id=task.id,
        user_id=principal.user_id,
        unit_id=answerable[0] if answerable else None,
        text=text,
        is_completion=False,
        created_at=_progress_time(parsed.progress_date),
    )


def _audited(task: Task, item: _Placed, document_id: int, sheet: str) -> dict[str, Any]:
    parsed = item.parsed
    return {
        "document_id": document_id,
        "sheet": sheet,
        "row": item.row.row,
        "text": task.text,
        "status": task.status,
        "owners": [{"unit_id": o.unit_id, "role": o.role.value, "written": o.written} for o in parsed.owners],
        "leader_name": task.leader_name,
        "deadline": task.deadline,
        "deadline_workdays": task.deadline_workdays,
        "milestones": [[due, text] for due, text in parsed.milestones],
        "source": parsed.source,
        "progress": parsed.progress,
        "note": parsed.note,
    }


def _write_chunk(
    session: Session,
    principal: Principal,
    document_id: int,
    sheet: str,
    items: Sequence[_Placed],
    section_ids: Sequence[int],
) -> list[int]:
    """Some rows' tasks (with owners and milestones), progress reports, audit events and 交办 messages.

    Written a chunk at a time (batched INSERTs, one audit lock), then let go of: an import of
    thousands of rows would otherwise make every flush scan an ever larger identity map.
    """
    now = clock.now()
    tasks = [_task(document_id, item, section_ids, now) for item in items]
    session.add_all(tasks)
    session.flush()
    written: list[object] = list(tasks)
    for task, item in zip(tasks, items, strict=True):
        if item.parsed.progress:
            written.append(_report(principal, task, item.parsed))
        if item.parsed.state is State.ASSIGNED:
            # What 交办 tells the units (machine.tell_owners), kept to be let go after the flush.
            written += tell_assigned(session, task)
    session.add_all(written[len(tasks) :])
    audited = [(t.id, _audited(t, item, document_id, sheet)) for t, item in zip(tasks, items, strict=True)]
    written += audit.record_many(session, principal.actor, "import", "task", audited)
    ids = [t.id for t in tasks]
    for row in written:
        session.expunge(row)
    return ids


def commit_import(
    session: Session,
    principal: Principal,
    check: LedgerCheck,
    data: bytes,
    settings: Settings,
    *,
    valid_only: bool = False,
) -> ImportResult:
    """Write the checked rows: every row, or with `valid_only` the rows without errors; else refuse."""
    _require_supervisor(principal)
    prior = prior_import(session, check.sha256)
    if prior is not None:
        when = clock.to_local(prior.created_at)
        raise Conflict(
            f"此文件已于{when:%Y年%m月%d日 %H:%M}导入（文件“{prior.filename}”，编号{prior.document_id}），不能重复导入",
            f"this file was imported already as document {prior.document_id}",
        )
    invalid = check.invalid_rows
    if invalid and not valid_only:
        listed = "、".join(str(r.row) for r in invalid[:20]) + ("等" if len(invalid) > 20 else "")
        raise Rejected(
            f"有{len(invalid)}行存在错误（第{listed}行），未导入任何数据。请修改后重新上传，或选择“仅导入有效行”",
            f"{len(invalid)} rows have errors; nothing imported",
        )
    rows = check.valid_rows
    if not rows:
        raise Rejected("没有可导入的有效行", "no valid rows")
    document = store_upload(session, Source(check.filename, data), principal.actor, settings)
    if document.status != DocumentStatus.PENDING or document.sha256 != check.sha256:
        raise Conflict("此文件刚刚已被导入，不能重复导入", "imported concurrently")
    text, placed, sections = _layout(check, rows)
    document.status = DocumentStatus.PARSED
    document.reader = IMPORT_READER
    document.doc_type = _DOC_TYPE
    document.title = f"台账导入：{check.filename}"
    document.text = text
    document.parsed_at = clock.now()
    section_rows = [
        Section(
            document_id=document.id, index=i, span_start=start, span_end=end, doc_type=_DOC_TYPE, title=title
        )
        for i, (title, start, end) in enumerate(sections)
    ]
    session.add_all(section_rows)
    session.flush()
    section_ids = [s.id for s in section_rows]
    # The text groups rows by 任务来源; the tasks are numbered in the sheet's order.
    placed.sort(key=lambda p: p.row.row)
    task_ids: list[int] = []
    for at in range(0, len(placed), CHUNK):
        chunk = placed[at : at + CHUNK]
        task_ids += _write_chunk(session, principal, document.id, check.sheet.sheet, chunk, section_ids)
    # Also indexes the tasks' progress reports and the imported workbook's document entry.
    index_tasks(session, task_ids)
    skipped = [r.row for r in invalid]
    audit.record(
        session,
        principal.actor,
        "import",
        "document",
        document.id,
        after={
            "filename": check.filename,
            "sha256": check.sha256,
            "sheet": check.sheet.sheet,
            "rows": len(check.rows),
            "imported": len(task_ids),
            "skipped_rows": skipped,
            "states": dict(Counter(p.parsed.state.value for p in placed)),
        },
    )
    session.flush()
    return ImportResult(document.id, task_ids, skipped)


# ---------------------------------------------------------------- the steps as the web, the API and the CLI take them


def _require_supervisor(principal: Principal) -> None:
    if principal.role is not UserRole.SUPERVISOR:
        raise Forbidden("只有督查室可以导入台账", "only the supervision office imports ledgers")


def preview_upload(
    session: Session, principal: Principal, data: bytes, filename: str, settings: Settings
) -> tuple[str, LedgerCheck]:
    """Read and check an uploaded workbook and keep it as a preview to confirm later: (preview id, check)."""
    _require_supervisor(principal)
    check = check_file(session, data, filename, max_rows=settings.import_max_rows, today=clock.today())
    preview_id = save_preview(settings.data_dir, filename, check.sha256, data, check.sheet, principal.user_id)
    return preview_id, check


def open_preview(session: Session, settings: Settings, preview_id: str) -> tuple[StoredPreview, LedgerCheck]:
    """A kept preview, its rows checked again against the database as it is now."""
    stored = load_preview(settings.data_dir, preview_id)
    check = build_check(
        session,
        filename=stored.filename,
        sha256=stored.sha256,
        size=stored.size,
        sheet=stored.sheet,
        today=clock.today(),
    )
    return stored, check


def commit_preview(
    session: Session, principal: Principal, settings: Settings, preview_id: str, *, valid_only: bool
) -> ImportResult:
    _require_supervisor(principal)
    stored, check = open_preview(session, settings, preview_id)
    try:
        data = stored.original.read_bytes()
    except OSError:
        raise NotFound("导入预览的原文件已不存在，请重新上传", "preview original missing") from None
    return commit_import(session, principal, check, data, settings, valid_only=valid_only)
