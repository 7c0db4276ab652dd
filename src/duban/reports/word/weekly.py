"""周报: one week of 督办 work, with its charts as pictures; not numbered (the ISO week names it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from duban.reports.queries import OverdueItem, UnitStatus, WeekCounts
from duban.reports.word.layout import Issuer, Letterhead, OfficialDocument, date_zh, ordinal_zh
from duban.workflow.states import State

__all__ = [
    "CHART_WIDTH_MM",
    "DUE_HEADERS",
    "UNIT_HEADERS",
    "WEEKLY_MASTHEAD",
    "WeeklyData",
    "build_weekly",
    "week_label",
    "weekly_title",
]

WEEKLY_MASTHEAD = "督办工作周报"
UNIT_HEADERS = ("单位", "待签收", "办理中", "待验收", "已办结", "逾期未办结", "办结率")
UNIT_WIDTHS_MM = (44, 17, 17, 17, 17, 22, 22)
DUE_HEADERS = ("序号", "任务内容", "责任单位", "完成时限")
DUE_WIDTHS_MM = (14, 82, 30, 30)
CHART_WIDTH_MM = 140

_STATE_SHORT = {
    State.DRAFT: "待确认",
    State.ASSIGNED: "待签收",
    State.IN_PROGRESS: "办理中",
    State.SUBMITTED: "待验收",
    State.DONE: "已办结",
    State.CANCELLED: "已撤销",
}


@dataclass(frozen=True)
class WeeklyData:
    week: WeekCounts
    as_of: dt.date
    trend: list[WeekCounts]
    statuses: dict[State, int]
    units: list[UnitStatus]
    overdue_this_week: list[OverdueItem]
    due_next_week: list[OverdueItem]


def week_label(monday: dt.date) -> str:
    year, week, _ = monday.isocalendar()
    sunday = monday + dt.timedelta(days=6)
    return f"{year}年第{week}周（{monday.month}月{monday.day}日—{sunday.month}月{sunday.day}日）"


def weekly_title(monday: dt.date) -> str:
    year, week, _ = monday.isocalendar()
    return f"督办工作周报（{year}年第{week}周）"


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{100 * rate:.1f}%"


def _overview(data: WeeklyData) -> str:
    w, s = data.week, data.statuses
    open_now = s[State.ASSIGNED] + s[State.IN_PROGRESS] + s[State.SUBMITTED]
    overdue_now = sum(u.overdue for u in data.units)
    return (
        f"本周（{w.start.month}月{w.start.day}日至{w.end.month}月{w.end.day}日）新交办任务{w.new}项，"
        f"办结{w.completed}项；本周到期仍未办结{len(data.overdue_this_week)}项。"
        f"截至{date_zh(data.as_of)}，在办任务{open_now}项（待签收{s[State.ASSIGNED]}项、"
        f"办理中{s[State.IN_PROGRESS]}项、待验收{s[State.SUBMITTED]}项），"
        f"各单位牵头或负责的逾期未办结任务合计{overdue_now}项次；另有待确认任务{s[State.DRAFT]}项。"
    )


def _charts(data: WeeklyData) -> list[tuple[bytes, str]]:
    # matplotlib is imported only when a weekly report is drawn: the web app and CLI start without it.
    from duban.reports import charts

    statuses = [(_STATE_SHORT[state], data.statuses[state]) for state in State]
    units = [
        (u.unit_name, u.done, u.assigned + u.in_progress + u.submitted - u.overdue, u.overdue)
        for u in data.units
    ]
    trend = [(w.label, w.new, w.completed, w.overdue) for w in data.trend]
    pictures = [(charts.status_chart(statuses), "任务状态分布")]
    if units:
        pictures.append((charts.unit_chart(units), "各单位任务办理情况"))
    pictures.append((charts.trend_chart(trend), f"近{len(trend)}周新交办、办结和逾期任务"))
    return pictures


def _due_rows(items: list[OverdueItem]) -> list[list[str]]:
    return [
        [str(i), item.text, "、".join(item.units) or "—", date_zh(item.deadline)]
        for i, item in enumerate(items, start=1)
    ]


def build_weekly(*, data: WeeklyData, issuer: Issuer, day: dt.date, created: dt.datetime) -> bytes:
    """The 周报 as .docx bytes."""
    monday = data.week.start
    doc = OfficialDocument(
        letterhead=Letterhead(WEEKLY_MASTHEAD, issue_line=week_label(monday)),
        title=weekly_title(monday),
        author=issuer.org,
        created=created,
    )
    doc.title("本周督办工作情况")
    sections = iter(range(1, 10))
    doc.heading(1, f"{ordinal_zh(next(sections))}、本周概况")
    doc.body(_overview(data))

    doc.heading(1, f"{ordinal_zh(next(sections))}、各单位办理情况")
    if data.units:
        rows = [
            [
                u.unit_name,
                str(u.assigned),
                str(u.in_progress),
                str(u.submitted),
                str(u.done),
                str(u.overdue),
                _percent(u.completion_rate),
            ]
            for u in data.units
        ]
        doc.table(UNIT_HEADERS, rows, UNIT_WIDTHS_MM)
    else:
        doc.body("尚无已交办的任务。")

    doc.heading(1, f"{ordinal_zh(next(sections))}、图表")
    for png, caption in _charts(data):
        doc.picture(png, width_mm=CHART_WIDTH_MM, caption=caption)

    doc.heading(1, f"{ordinal_zh(next(sections))}、本周到期未办结事项")
    if data.overdue_this_week:
        doc.table(DUE_HEADERS, _due_rows(data.overdue_this_week), DUE_WIDTHS_MM)
    else:
        doc.body("本周到期的任务均已办结。")

    doc.heading(1, f"{ordinal_zh(next(sections))}、下周到期事项")
    if data.due_next_week:
        doc.body("以下任务将于下周到期，请责任单位抓紧办理：")
        doc.table(DUE_HEADERS, _due_rows(data.due_next_week), DUE_WIDTHS_MM)
    else:
        doc.body("下周没有到期的任务。")
    doc.signoff(issuer.signoff, day)
    return doc.to_bytes()
