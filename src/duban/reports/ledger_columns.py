"""The columns of the 台账 workbook and the names other offices give them.

Export writes `COLUMNS` in this order. Import reads a header row written by
anyone: `match_header` maps each heading to a field by the synonyms below,
ignoring spaces, line breaks, required-field stars and notes in brackets
(`完成时限（年月日）`); a heading naming two fields (`时间节点/完成时限`)
maps to the one field covering both.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

__all__ = [
    "COLUMNS",
    "IMPORT_READER",
    "REQUIRED",
    "SYNONYMS",
    "Column",
    "Field",
    "HeaderMatch",
    "match_header",
    "normalize_heading",
]


# `Document.reader` of the record an imported workbook becomes: its tasks' 任务来源 is the row's own.
IMPORT_READER = "excel-ledger"


class Field(StrEnum):
    """What a column holds, whatever its heading says."""

    SEQ = "seq"
    SOURCE = "source"
    TEXT = "text"
    LEAD = "lead"
    UNITS = "units"
    SUPPORT = "support"
    LEADER = "leader"
    SCHEDULE = "schedule"  # 时间节点 and 完成时限 in one column
    DEADLINE = "deadline"
    MILESTONES = "milestones"
    PROGRESS = "progress"
    STATUS = "status"
    NOTE = "note"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS: Mapping[Field, str] = MappingProxyType(
    {
        Field.SEQ: "序号",
        Field.SOURCE: "任务来源",
        Field.TEXT: "任务内容",
        Field.LEAD: "牵头单位",
        Field.UNITS: "责任单位",
        Field.SUPPORT: "配合单位",
        Field.LEADER: "责任领导",
        Field.SCHEDULE: "时间节点/完成时限",
        Field.DEADLINE: "完成时限",
        Field.MILESTONES: "时间节点",
        Field.PROGRESS: "进展情况",
        Field.STATUS: "状态",
        Field.NOTE: "备注",
    }
)


@dataclass(frozen=True)
class Column:
    field: Field
    width: float  # Excel character widths; a CJK character counts about two

    @property
    def title(self) -> str:
        return self.field.label


# The usual 台账 layout, in order.
COLUMNS: tuple[Column, ...] = (
    Column(Field.SEQ, 6),
    Column(Field.SOURCE, 22),
    Column(Field.TEXT, 48),
    Column(Field.LEAD, 16),
    Column(Field.UNITS, 22),
    Column(Field.LEADER, 10),
    Column(Field.SCHEDULE, 26),
    Column(Field.PROGRESS, 32),
    Column(Field.STATUS, 16),
    Column(Field.NOTE, 16),
)

SYNONYMS: Mapping[Field, tuple[str, ...]] = MappingProxyType(
    {
        Field.SEQ: ("序号", "编号", "序", "No", "No.", "NO"),
        Field.SOURCE: (
            "任务来源",
            "来源",
            "事项来源",
            "交办来源",
            "督办来源",
            "文件来源",
            "来源文件",
            "任务依据",
            "依据",
            "会议/文件",
        ),
        Field.TEXT: (
            "任务内容",
            "工作任务",
            "督办事项",
            "督办内容",
            "事项内容",
            "工作内容",
            "重点任务",
            "主要任务",
            "具体任务",
            "工作事项",
            "任务事项",
            "任务",
            "事项",
            "督办事项内容",
        ),
        Field.LEAD: ("牵头单位", "牵头部门", "主办单位", "牵头责任单位", "牵头"),
        Field.UNITS: ("责任单位", "责任部门", "承办单位", "责任主体", "落实单位"),
        Field.SUPPORT: ("配合单位", "配合部门", "协办单位", "协同单位", "参与单位"),
        Field.LEADER: ("责任领导", "分管领导", "牵头领导", "包保领导", "领导"),
        Field.SCHEDULE: ("时间节点/完成时限", "完成时限/时间节点"),
        Field.DEADLINE: (
            "完成时限",
            "完成时间",
            "完成期限",
            "办结时限",
            "办理时限",
            "截止时间",
            "截止日期",
            "时限要求",
            "时限",
        ),
        Field.MILESTONES: ("时间节点", "节点安排", "进度安排", "时间安排", "节点"),
        Field.PROGRESS: (
            "进展情况",
            "进展",
            "工作进展",
            "推进情况",
            "完成情况",
            "落实情况",
            "办理情况",
            "进度",
        ),
        Field.STATUS: ("状态", "办理状态", "任务状态", "完成状态", "办结情况", "是否办结"),
        Field.NOTE: ("备注", "说明", "其他"),
    }
)

# Without these a sheet is no ledger: what is to be done, and by whom (either unit column will do).
REQUIRED: tuple[tuple[Field, ...], ...] = ((Field.TEXT,), (Field.LEAD, Field.UNITS))

_NOISE = re.compile(r"[\s*＊:：\u3000]")
_NOTE = re.compile(r"[（(][^）)]*[）)]")
_PARTS = re.compile(r"[/／、|]|或")


def normalize_heading(value: str) -> str:
    """A heading without spaces, line breaks, stars, colons or notes in brackets; ASCII folded to upper case."""
    return _NOTE.sub("", _NOISE.sub("", value)).upper()


_BY_NAME: dict[str, Field] = {
    normalize_heading(name): field for field, names in SYNONYMS.items() for name in names
}


def _field_of(heading: str) -> Field | None:
    key = normalize_heading(heading)
    if not key:
        return None
    if key in _BY_NAME:
        return _BY_NAME[key]
    parts = {_BY_NAME.get(p) for p in _PARTS.split(key) if p}
    if parts <= {Field.DEADLINE, Field.MILESTONES, Field.SCHEDULE} and parts:
        return Field.SCHEDULE if len(parts) > 1 else parts.pop()
    return None


@dataclass(frozen=True)
class HeaderMatch:
    """Which column (0-based) holds which field, the headings as written, and the columns not understood."""

    columns: dict[Field, int]
    headings: dict[Field, str]
    extra: list[str]

    @property
    def score(self) -> int:
        return len(self.columns)

    def missing(self) -> list[str]:
        """The required fields absent, each as the names that would satisfy it (`牵头单位或责任单位`)."""
        return [
            "或".join(f.label for f in group)
            for group in REQUIRED
            if not any(f in self.columns for f in group)
        ]


def match_header(cells: Sequence[str]) -> HeaderMatch:
    """Map one row of headings to fields; the first column wins when two name the same field."""
    columns: dict[Field, int] = {}
    headings: dict[Field, str] = {}
    extra: list[str] = []
    for index, cell in enumerate(cells):
        text = cell.strip()
        if not text:
            continue
        field = _field_of(text)
        if field is None or field in columns:
            extra.append(text)
            continue
        columns[field] = index
        headings[field] = text
    return HeaderMatch(columns, headings, extra)
