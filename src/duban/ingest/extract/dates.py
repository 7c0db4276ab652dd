"""Dates as official documents write them, resolved against a reference year.

`2026年4月17日上午`, `3月6日下午` (year from context), `2026年10月至2029年9月` (a period),
`一季度` / `第一季度` (the quarter's last day), `年底前`, `6月底前`, `5月31日前`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass

from duban.ingest.types import Span

_CN_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}

_NUM = r"[0-9]{1,2}|[一二三四五六七八九十]{1,3}"
FULL_DATE = re.compile(rf"(?P<y>[0-9]{{4}}|[〇零一二三四五六七八九]{{4}})年(?P<m>{_NUM})月(?P<d>{_NUM})日")
MONTH_DAY = re.compile(r"(?<![0-9年])(?P<m>[0-9]{1,2})月(?P<d>[0-9]{1,2})日")
YEAR_MENTION = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})\s*年")
_PERIOD = re.compile(
    rf"(?P<y1>[0-9]{{4}})年(?P<m1>{_NUM})月(?:(?P<d1>{_NUM})日)?\s*(?:至|到|—|－|-|~)\s*"
    rf"(?:(?P<y2>[0-9]{{4}})年)?(?P<m2>{_NUM})月(?:(?P<d2>{_NUM})日)?"
)
_QUARTER = re.compile(r"(?:(?P<y>[0-9]{4})年)?(?:第)?(?P<q>[一二三四1-4])季度")
_QUARTER_PAYMENT = re.compile(r"^.{0,6}?(?:工资|费|款|资金|补贴)")
_DEADLINE = re.compile(
    rf"(?:(?P<y>[0-9]{{4}})年)?(?:(?P<yend>底|末)|(?P<m>{_NUM})月(?:(?P<d>{_NUM})日|(?P<end>底|末))?|(?P<ye>年底|年末))"
    r"(?:之前|以前|前)"
)


def cn_int(text: str) -> int:
    """`12` or `十二` or `二〇二六` → int."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)
    value = 0
    for ch in text:
        value = value * 10 + _CN_DIGITS[ch]
    return value


def safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def month_end(year: int, month: int) -> dt.date | None:
    if not 1 <= month <= 12:
        return None
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def quarter_end(year: int, quarter: int) -> dt.date:
    end = month_end(year, quarter * 3)
    assert end is not None
    return end


@dataclass(frozen=True)
class FoundDate:
    date: dt.date
    span: Span


def find_dates(text: str, year: int | None, start: int = 0, end: int | None = None) -> list[FoundDate]:
    """Every calendar date in text[start:end], with or without its year (the year comes from `year`)."""
    end = len(text) if end is None else end
    found: list[FoundDate] = []
    taken: list[tuple[int, int]] = []
    for m in FULL_DATE.finditer(text, start, end):
        d = safe_date(cn_int(m["y"]), cn_int(m["m"]), cn_int(m["d"]))
        if d:
            found.append(FoundDate(d, Span(m.start(), m.end())))
            taken.append((m.start(), m.end()))
    if year is not None:
        for m in MONTH_DAY.finditer(text, start, end):
            if any(s <= m.start() < e for s, e in taken):
                continue
            d = safe_date(year, int(m["m"]), int(m["d"]))
            if d:
                found.append(FoundDate(d, Span(m.start(), m.end())))
    found.sort(key=lambda f: f.span.start)
    return found


def reference_year(text: str) -> int | None:
    """The year a text is about when it omits it: the most mentioned year, the latest on a tie."""
    years = Counter(int(y) for y in YEAR_MENTION.findall(text))
    if not years:
        return None
    best = max(years.values())
    return max(y for y, n in years.items() if n == best)


@dataclass(frozen=True)
class Period:
    start: dt.date | None
    deadline: dt.date | None


def task_period(clause: str, year: int | None) -> Period:
    """The period or deadline a task clause states: a range, a `…前` deadline, or a quarter."""
    m = _PERIOD.search(clause)
    if m:
        y1 = int(m["y1"])
        y2 = int(m["y2"]) if m["y2"] else y1
        m1, m2 = cn_int(m["m1"]), cn_int(m["m2"])
        start = safe_date(y1, m1, cn_int(m["d1"])) if m["d1"] else safe_date(y1, m1, 1)
        stop = safe_date(y2, m2, cn_int(m["d2"])) if m["d2"] else month_end(y2, m2)
        if start and stop and start <= stop:
            return Period(start, stop)
    m = _DEADLINE.search(clause)
    if m:
        y = int(m["y"]) if m["y"] else year
        if y is not None:
            if m["ye"] or m["yend"]:
                return Period(None, dt.date(y, 12, 31))
            month = cn_int(m["m"])
            if m["d"]:
                return Period(None, safe_date(y, month, cn_int(m["d"])))
            return Period(None, month_end(y, month))
    quarters = {(q["y"], q["q"]) for q in _QUARTER.finditer(clause)}
    if len(quarters) == 1:
        q = next(_QUARTER.finditer(clause))
        # `四季度工资`, `一季度保安服务费` name what is paid for, not when the work is due.
        if not _QUARTER_PAYMENT.match(clause[q.end() :]):
            y = int(q["y"]) if q["y"] else year
            if y is not None:
                return Period(None, quarter_end(y, cn_int(q["q"]) if not q["q"].isdigit() else int(q["q"])))
    return Period(None, None)


RECURRENCE = (
    (re.compile(r"每(?:个)?(?:星期|周)"), "weekly"),
    (re.compile(r"每(?:个)?月"), "monthly"),
    (re.compile(r"每(?:个)?季度?"), "quarterly"),
    (re.compile(r"每半年"), "semiannual"),
    (re.compile(r"每(?:一)?年(?:度)?"), "annual"),
)


def recurrence(clause: str) -> str | None:
    """`每季度召开一次` → quarterly. The first rhythm named in the clause wins."""
    best: tuple[int, str] | None = None
    for pattern, name in RECURRENCE:
        m = pattern.search(clause)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), name)
    return best[1] if best else None
