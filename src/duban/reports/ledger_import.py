"""Checking a ledger's rows before anything is written: what each row would become, and what is wrong with it.

`check_file` reads the workbook (`excel_read`) and checks every row against
the database as it is now: units must resolve through the unit registry
(names, aliases, short forms; unknown names get the closest known names as
suggestions), dates must parse, the 状态 must be one duban knows. Problems
are per row and per column, with the row number as in the sheet, so the
preview can point at the cell. Warnings (a year assumed, a row repeated, a
task already in the ledger) do not block an import.

Checking is repeated from the raw cell text when a stored preview is shown
or committed, so a unit added or renamed meanwhile counts.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, load_only

from duban.db.models import Document, OwnerRole, Task
from duban.db.repositories.units import UnitIndex
from duban.reports.excel_read import RawRow, SheetData, read_ledger
from duban.reports.ledger_columns import Field
from duban.reports.ledger_values import parse_schedule, parse_state, split_progress, split_units
from duban.workflow.machine import MAX_TEXT
from duban.workflow.states import State

__all__ = [
    "CheckedRow",
    "LedgerCheck",
    "OwnerPick",
    "ParsedRow",
    "PriorImport",
    "Problem",
    "build_check",
    "check_file",
    "check_sheet",
    "prior_import",
]

MAX_LEADER = 50
MAX_SOURCE = 500
SUGGESTIONS = 3


@dataclass(frozen=True)
class Problem:
    """What is wrong (or worth a look) in one cell; `field` None means the row as a whole."""

    field: Field | None
    message: str


@dataclass(frozen=True)
class OwnerPick:
    unit_id: int
    name: str  # as the registry names the unit
    written: str  # as the ledger wrote it
    role: OwnerRole


@dataclass(frozen=True)
class ParsedRow:
    text: str
    source: str
    owners: list[OwnerPick]
    leader: str | None
    deadline: dt.date | None
    workdays: int | None
    milestones: list[tuple[dt.date, str]]
    progress: str
    progress_date: dt.date | None
    state: State
    note: str


@dataclass(frozen=True)
class CheckedRow:
    row: int
    values: dict[Field, str]
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    parsed: ParsedRow | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def problems_in(self, column: Field) -> list[Problem]:
        return [p for p in (*self.errors, *self.warnings) if p.field is column]


@dataclass(frozen=True)
class PriorImport:
    """The import this very file already went through (same SHA-256)."""

    document_id: int
    filename: str
    created_at: dt.datetime


@dataclass(frozen=True)
class LedgerCheck:
    filename: str
    sha256: str
    size: int
    sheet: SheetData
    rows: list[CheckedRow]
    prior: PriorImport | None = None

    @property
    def valid_rows(self) -> list[CheckedRow]:
        return [r for r in self.rows if r.ok]

    @property
    def invalid_rows(self) -> list[CheckedRow]:
        return [r for r in self.rows if not r.ok]

    @property
    def warned_rows(self) -> int:
        return sum(bool(r.warnings) for r in self.rows)

    @property
    def can_import_all(self) -> bool:
        return self.prior is None and not self.invalid_rows

    @property
    def can_import_valid(self) -> bool:
        return self.prior is None and bool(self.valid_rows)


class _Checker:
    """Per-row checks against one snapshot of the unit registry."""

    def __init__(self, session: Session, sheet: SheetData, today: dt.date) -> None:
        self.index = UnitIndex.load(session)
        self.names = sorted({*self.index.exact})
        self.year = today.year
        self.has = set(sheet.headings)

    def _suggest(self, name: str) -> str:
        close = difflib.get_close_matches(name, self.names, n=SUGGESTIONS, cutoff=0.5)
        hint = f"，是否为：{'、'.join(close)}" if close else ""
        return f"单位“{name}”不在单位名录中{hint}（可在系统管理中添加该单位或别名）"

    def owners(
        self, values: dict[Field, str], errors: list[Problem], warnings: list[Problem]
    ) -> list[OwnerPick]:
        picked: dict[int, OwnerPick] = {}
        columns = (
            (Field.LEAD, OwnerRole.LEAD),
            (Field.UNITS, OwnerRole.RESPONSIBLE),
            (Field.SUPPORT, OwnerRole.SUPPORTING),
        )
        for column, role in columns:
            names = split_units(values.get(column, ""), role)
            written_leads = [n for n, r in names if r is OwnerRole.LEAD]
            if column is Field.LEAD and len(written_leads) > 1:
                later = "、".join(written_leads[1:])
                warnings.append(Problem(column, f"牵头单位只能有一个：{later}按责任单位导入"))
            for written, written_role in names:
                unit = self.index.resolve(written)
                if unit is None:
                    errors.append(Problem(column, self._suggest(written)))
                    continue
                # A unit named twice keeps its first (strongest) role: lead, then responsible, then supporting.
                if unit.id not in picked:
                    picked[unit.id] = OwnerPick(unit.id, unit.name, written, written_role)
        leads = [p for p in picked.values() if p.role is OwnerRole.LEAD]
        for extra in leads[1:]:
            picked[extra.unit_id] = OwnerPick(extra.unit_id, extra.name, extra.written, OwnerRole.RESPONSIBLE)
        return sorted(picked.values(), key=lambda p: p.role is not OwnerRole.LEAD)

    def schedule(
        self, values: dict[Field, str], errors: list[Problem], warnings: list[Problem]
    ) -> tuple[dt.date | None, int | None, list[tuple[dt.date, str]]]:
        deadline: dt.date | None = None
        workdays: int | None = None
        milestones: list[tuple[dt.date, str]] = []
        separate = Field.DEADLINE in self.has and Field.MILESTONES in self.has
        for column in (Field.SCHEDULE, Field.DEADLINE, Field.MILESTONES):
            text = values.get(column, "")
            if column not in self.has or not text:
                continue
            try:
                found = parse_schedule(
                    text, self.year, milestones_only=separate and column is Field.MILESTONES
                )
            except ValueError as exc:
                errors.append(Problem(column, str(exc)))
                continue
            if found.guessed_year:
                warnings.append(Problem(column, f"未写年份，按{self.year}年理解"))
            deadline = found.deadline or deadline
            workdays = found.workdays or workdays
            milestones.extend(found.milestones)
        if deadline is not None and workdays is not None:
            column = Field.DEADLINE if Field.DEADLINE in self.has else Field.SCHEDULE
            errors.append(Problem(column, "完成时限写了工作日天数又写了日期，请只写一种"))
        return deadline, workdays, sorted(set(milestones))

    def row(self, raw: RawRow) -> CheckedRow:
        values = raw.values
        errors: list[Problem] = []
        warnings: list[Problem] = []
        text = values.get(Field.TEXT, "").strip()
        if not text:
            errors.append(Problem(Field.TEXT, "任务内容为空"))
        elif len(text) > MAX_TEXT:
            errors.append(Problem(Field.TEXT, f"任务内容超过{MAX_TEXT}字"))
        owners = self.owners(values, errors, warnings)
        leader = values.get(Field.LEADER, "").strip()
        if len(leader) > MAX_LEADER:
            errors.append(Problem(Field.LEADER, f"责任领导超过{MAX_LEADER}字"))
        # Line breaks stay (an exported 任务来源 is the document, then the section); spaces are tidied.
        source = "\n".join(
            " ".join(line.split()) for line in values.get(Field.SOURCE, "").splitlines() if line.strip()
        )
        if len(source) > MAX_SOURCE:
            errors.append(Problem(Field.SOURCE, f"任务来源超过{MAX_SOURCE}字"))
        deadline, workdays, milestones = self.schedule(values, errors, warnings)
        state = State.DRAFT
        try:
            state = parse_state(values.get(Field.STATUS, "")) or State.DRAFT
        except ValueError as exc:
            errors.append(Problem(Field.STATUS, str(exc)))
        unit_error = any(p.field in (Field.LEAD, Field.UNITS) for p in errors)
        answerable = any(o.role is not OwnerRole.SUPPORTING for o in owners)
        if state is not State.DRAFT and not answerable and not unit_error:
            errors.append(Problem(None, f"状态为“{state.label}”的任务须有牵头单位或责任单位"))
        if state is State.DRAFT and not owners and not errors:
            warnings.append(Problem(None, "未填写单位：导入后为待确认任务，交办前须指定单位"))
        progress_date, progress = split_progress(values.get(Field.PROGRESS, ""))
        if errors:
            return CheckedRow(raw.row, values, errors, warnings)
        parsed = ParsedRow(
            text=text,
            source=source,
            owners=owners,
            leader=leader or None,
            deadline=deadline,
            workdays=workdays,
            milestones=milestones,
            progress=progress,
            progress_date=progress_date,
            state=state,
            note=values.get(Field.NOTE, "").strip(),
        )
        return CheckedRow(raw.row, values, errors, warnings, parsed)


def _repeats(session: Session, rows: list[CheckedRow], imported_as: int | None) -> None:
    """Warn about a task written twice in the file, or already in the ledger with the same text.

    Once the file is imported, its own tasks (of document `imported_as`) are no repeats.
    """
    first: dict[str, int] = {}
    for row in rows:
        key = " ".join(row.values.get(Field.TEXT, "").split())
        if not key:
            continue
        if key in first:
            row.warnings.append(Problem(Field.TEXT, f"与第{first[key]}行的任务内容相同"))
        else:
            first[key] = row.row
    texts = list(first)
    others = [] if imported_as is None else [or_(Task.document_id.is_(None), Task.document_id != imported_as)]
    known: dict[str, int] = {}
    for start in range(0, len(texts), 500):
        chunk = texts[start : start + 500]
        known.update(
            (text, task_id)
            for task_id, text in session.execute(
                select(Task.id, Task.text).where(Task.text.in_(chunk), *others)
            )
        )
    for row in rows:
        key = " ".join(row.values.get(Field.TEXT, "").split())
        if key in known and first.get(key) == row.row:
            row.warnings.append(Problem(Field.TEXT, f"台账中已有内容相同的任务（任务{known[key]}）"))


def check_sheet(
    session: Session, sheet: SheetData, today: dt.date, *, imported_as: int | None = None
) -> list[CheckedRow]:
    checker = _Checker(session, sheet, today)
    rows = [checker.row(raw) for raw in sheet.rows]
    _repeats(session, rows, imported_as)
    return rows


def prior_import(session: Session, sha256: str) -> PriorImport | None:
    columns = load_only(Document.id, Document.filename, Document.created_at)
    found = session.scalars(select(Document).where(Document.sha256 == sha256).options(columns)).first()
    return PriorImport(found.id, found.filename, found.created_at) if found else None


def build_check(
    session: Session, *, filename: str, sha256: str, size: int, sheet: SheetData, today: dt.date
) -> LedgerCheck:
    """The rows of a read sheet checked against the database as it is now, and whether the file came before."""
    prior = prior_import(session, sha256)
    rows = check_sheet(session, sheet, today, imported_as=prior.document_id if prior else None)
    return LedgerCheck(filename, sha256, size, sheet, rows, prior)


def check_file(session: Session, data: bytes, filename: str, *, max_rows: int, today: dt.date) -> LedgerCheck:
    """Read and check a workbook; raises the file's error (not .xlsx, no header, too many rows)."""
    sheet = read_ledger(data, max_rows=max_rows)
    sha = hashlib.sha256(data).hexdigest()
    return build_check(session, filename=filename, sha256=sha, size=len(data), sheet=sheet, today=today)
