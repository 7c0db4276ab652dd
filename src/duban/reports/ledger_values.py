"""Cell values of a ledger as offices write them: dates, schedules, states, unit lists, dated progress.

Pure functions, no database: each returns what it understood or raises
`ValueError` with the Chinese message to show next to the cell.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from duban.db.models import OwnerRole
from duban.ingest.extract.dates import find_dates, month_end, safe_date, task_period
from duban.workflow.states import State

__all__ = [
    "NO_DEADLINE_WORDS",
    "STATE_NAMES",
    "Schedule",
    "parse_date",
    "parse_schedule",
    "parse_state",
    "split_progress",
    "split_units",
]

_ISO = re.compile(r"(?<!\d)(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})(?!\d)")
_YEAR_MONTH = re.compile(r"^(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*月?$")
_WORKDAYS = re.compile(r"(\d{1,3})\s*个?工作日")
_DEADLINE_MARK = re.compile(r"^(?:完成时限|办结时限|截止(?:时间|日期)?|最终时限|时限)\s*[:：]?\s*")
_PARTS = re.compile(r"[\n；;]+")
# Written where a ledger has no date, meaning "no fixed deadline": not an error.
NO_DEADLINE_WORDS = frozenset(
    {"长期", "长期坚持", "持续推进", "持续", "常态化", "常态化推进", "待定", "无", "—", "-", "/", "／"}
)

STATE_NAMES: Mapping[str, State] = MappingProxyType(
    {
        **{s.label: s for s in State},
        **{s.value: s for s in State},
        "草稿": State.DRAFT,
        "未交办": State.DRAFT,
        "待交办": State.DRAFT,
        "已交办": State.ASSIGNED,
        "待签收": State.ASSIGNED,
        "交办": State.ASSIGNED,
        "已签收": State.IN_PROGRESS,
        "正在办理": State.IN_PROGRESS,
        "推进中": State.IN_PROGRESS,
        "正在推进": State.IN_PROGRESS,
        "进行中": State.IN_PROGRESS,
        "落实中": State.IN_PROGRESS,
        "持续推进": State.IN_PROGRESS,
        "序时推进": State.IN_PROGRESS,
        "未完成": State.IN_PROGRESS,
        "未办结": State.IN_PROGRESS,
        "申请办结": State.SUBMITTED,
        "已申请办结": State.SUBMITTED,
        "已办结": State.DONE,
        "办结": State.DONE,
        "已完成": State.DONE,
        "完成": State.DONE,
        "已销号": State.DONE,
        "销号": State.DONE,
        "是": State.DONE,  # under 是否办结
        "否": State.IN_PROGRESS,
        "撤销": State.CANCELLED,
        "取消": State.CANCELLED,
        "已取消": State.CANCELLED,
    }
)
_STATE_KEYS = {re.sub(r"[\s（）()]", "", k): v for k, v in STATE_NAMES.items()}


def parse_state(value: str) -> State | None:
    """The state a 状态 cell names; None for an empty cell (the caller decides the default)."""
    key = re.sub(r"[\s（）()]", "", value)
    if not key:
        return None
    state = _STATE_KEYS.get(key)
    if state is None:
        names = "、".join(s.label.split("（")[0] for s in State)
        raise ValueError(f"无法识别的状态“{value.strip()}”，可填：{names}")
    return state


def parse_date(text: str, year: int) -> dt.date | None:
    """A date as ledgers write it; `year` stands in where the text gives none. None if there is none.

    `2026-12-31`, `2026/12/31`, `2026.12.31`, `2026年12月31日`, `12月31日`,
    `2026年12月` and `2026.12` (the month's last day), `2026年底`, `年底`,
    `12月底`, `6月30日前`, `一季度` (its last day).
    """
    text = text.strip()
    if not text:
        return None
    m = _ISO.search(text)
    if m:
        found = safe_date(int(m[1]), int(m[2]), int(m[3]))
        if found is None:
            raise ValueError(f"日期不存在：{m[0]}")
        return found
    dates = find_dates(text, year)
    if dates:
        return dates[0].date
    m = _YEAR_MONTH.match(text)
    if m:
        return month_end(int(m[1]), int(m[2]))
    period = task_period(text if text.endswith("前") else text + "前", year)
    return period.deadline


@dataclass(frozen=True)
class Schedule:
    """What a 时间节点/完成时限 cell says: the deadline, the milestones before it, or N working days."""

    deadline: dt.date | None = None
    workdays: int | None = None
    milestones: list[tuple[dt.date, str]] = field(default_factory=list)
    guessed_year: bool = False


def _has_year(text: str) -> bool:
    return bool(re.search(r"\d{4}", text))


def parse_schedule(text: str, year: int, *, milestones_only: bool = False) -> Schedule:
    """One cell's dates. Parts are lines (or `；`-separated); each part is a date and what is due by then.

    A part marked `完成时限：` is the deadline; otherwise the latest date is the deadline
    and the others are milestones. `milestones_only` (a 时间节点 column beside its own
    完成时限 column) makes every dated part a milestone.
    """
    parts = [p.strip() for p in _PARTS.split(text) if p.strip()]
    if not parts or (len(parts) == 1 and parts[0] in NO_DEADLINE_WORDS):
        return Schedule()
    marked: dt.date | None = None
    dated: list[tuple[dt.date, str]] = []
    workdays: int | None = None
    guessed = False
    for part in parts:
        body = _DEADLINE_MARK.sub("", part)
        is_mark = body != part
        m = _WORKDAYS.search(body)
        if m and not milestones_only and not _ISO.search(body) and "月" not in body:
            workdays = int(m[1])
            if workdays < 1:
                raise ValueError(f"工作日天数须为正整数：{part}")
            continue
        when = parse_date(body, year)
        if when is None:
            raise ValueError(f"无法识别的日期：“{part}”（可写 2026-12-31、2026年12月31日、12月底、年底前等）")
        guessed = guessed or not _has_year(body)
        if is_mark and not milestones_only:
            marked = when
        else:
            dated.append((when, _milestone_text(body)))
    if milestones_only:
        return Schedule(milestones=sorted(dated), guessed_year=guessed)
    if workdays is not None and (marked is not None or dated):
        raise ValueError("完成时限写了工作日天数又写了日期，请只写一种")
    if marked is None and dated:
        latest = max(dated, key=lambda d: d[0])
        dated.remove(latest)
        marked = latest[0]
    return Schedule(marked, workdays, sorted(dated), guessed)


_DATE_LEAD = re.compile(
    r"^\s*(?:\d{4}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,2}|(?:\d{4}年)?\d{1,2}月(?:\d{1,2}日|底|末)?|(?:\d{4}年)?年?底)"
    r"\s*(?:之前|以前|前)?\s*[:：,，、\s]*"
)


def _milestone_text(part: str) -> str:
    """What is due by a milestone's date: the part without its leading date (the whole part if nothing remains)."""
    rest = _DATE_LEAD.sub("", part, count=1).strip()
    return rest or part.strip()


_UNIT_SEPARATORS = re.compile(r"[、,，;；/／\n]+|\s{2,}")
_SUPPORTING_MARK = re.compile(r"[（(]\s*(?:配合|协办)\s*[)）]$")


def split_units(text: str, role: OwnerRole) -> list[tuple[str, OwnerRole]]:
    """Unit names in a cell, each with its role; `某局（配合）` is a supporting unit wherever it stands."""
    names = []
    for raw in _UNIT_SEPARATORS.split(text):
        name = raw.strip()
        if not name:
            continue
        if _SUPPORTING_MARK.search(name):
            names.append((_SUPPORTING_MARK.sub("", name).strip(), OwnerRole.SUPPORTING))
        else:
            names.append((name, role))
    return [(n, r) for n, r in names if n]


_PROGRESS_DATE = re.compile(
    r"^\s*(?:(\d{4})-(\d{1,2})-(\d{1,2})|(\d{4})年(\d{1,2})月(\d{1,2})日)\s*[:：]\s*", re.DOTALL
)


def split_progress(text: str) -> tuple[dt.date | None, str]:
    """`2026-11-20：已完成招标` → (that date, the text); a progress cell without a leading date keeps None."""
    m = _PROGRESS_DATE.match(text)
    if not m:
        return None, text.strip()
    y, mo, d = (m[1], m[2], m[3]) if m[1] else (m[4], m[5], m[6])
    day = safe_date(int(y), int(mo), int(d))
    return (day, text[m.end() :].strip()) if day else (None, text.strip())
