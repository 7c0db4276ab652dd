"""督查通报: how a period's tasks went, the units ranked, what is overdue, who is praised and criticised."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from duban.reports.queries import OverdueItem, PeriodSummary
from duban.reports.rules import Rules, Verdict, Verdicts
from duban.reports.word.layout import Issuer, Letterhead, OfficialDocument, date_zh, ordinal_zh
from duban.workflow.scoring import Period, UnitScore

__all__ = [
    "OVERDUE_HEADERS",
    "RANKING_HEADERS",
    "CircularData",
    "build_circular",
    "circular_title",
]

RANKING_HEADERS = (
    "名次",
    "单位",
    "到期任务",
    "按期办结",
    "逾期办结",
    "逾期未办结",
    "按期办结率",
    "平均逾期天数",
)
RANKING_WIDTHS_MM = (14, 38, 15, 15, 15, 17, 21, 21)
OVERDUE_HEADERS = ("序号", "任务内容", "责任单位", "完成时限", "逾期天数")
OVERDUE_WIDTHS_MM = (14, 70, 28, 30, 14)


@dataclass(frozen=True)
class CircularData:
    period: Period
    as_of: dt.date
    summary: PeriodSummary
    scores: list[UnitScore]
    overdue: list[OverdueItem]
    overdue_total: int
    verdicts: Verdicts
    rules: Rules


def circular_title(period: Period, *, break_hint: bool = False) -> str:
    """关于2026年第三季度督办事项办理情况的通报; with `break_hint`, a newline where a long title breaks."""
    return f"关于{period.label}{chr(10) if break_hint else ''}督办事项办理情况的通报"


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{100 * rate:.1f}%"


def _summary(data: CircularData, org: str) -> str:
    s, p = data.summary, data.period
    head = f"截至{date_zh(data.as_of)}，{p.label}到期的督办任务"
    if s.due == 0:
        return f"{head}共0项。期间新交办任务{s.handed_out}项。"
    return (
        f"{head}共{s.due}项。其中，按期办结{s.on_time}项，逾期办结{s.late}项，逾期未办结{s.overdue}项，"
        f"尚未到期{s.open}项；按期办结率为{_percent(s.on_time_rate)}（按期办结数÷已办结和逾期未办结数）。"
        f"期间{org}新交办任务{s.handed_out}项。"
    )


def _ranking_rows(scores: list[UnitScore]) -> list[list[str]]:
    return [
        [
            str(s.rank),
            s.unit_name,
            str(s.due),
            str(s.on_time),
            str(s.late),
            str(s.overdue),
            _percent(s.on_time_rate),
            f"{s.avg_days_late:.1f}",
        ]
        for s in scores
    ]


def _overdue_rows(items: list[OverdueItem]) -> list[list[str]]:
    return [
        [str(i), item.text, "、".join(item.units) or "—", date_zh(item.deadline), str(item.days_late)]
        for i, item in enumerate(items, start=1)
    ]


def _verdicts(doc: OfficialDocument, verdicts: list[Verdict], closing: str, none: str) -> None:
    if not verdicts:
        doc.body(none)
        return
    for verdict in verdicts:
        doc.body(f"{verdict.reason}。", lead=f"{verdict.unit_name}：")
    doc.body(closing)


def build_circular(
    *, doc_number: str, data: CircularData, issuer: Issuer, day: dt.date, created: dt.datetime
) -> bytes:
    """The 督查通报 as .docx bytes."""
    title = circular_title(data.period)
    doc = OfficialDocument(
        letterhead=Letterhead(issuer.org, doc_number), title=title, author=issuer.org, created=created
    )
    doc.title(circular_title(data.period, break_hint=True))
    doc.addressee(["各有关单位"])
    p = data.period
    doc.body(
        f"为推动各项决策部署落地见效，{issuer.org}对{p.label}（{date_zh(p.start)}至{date_zh(p.end)}）"
        "到期的督办任务办理情况进行了督查。现将有关情况通报如下："
    )
    sections = iter(range(1, 10))

    doc.heading(1, f"{ordinal_zh(next(sections))}、总体情况")
    doc.body(_summary(data, issuer.org))

    doc.heading(1, f"{ordinal_zh(next(sections))}、各单位办理情况")
    if data.scores:
        doc.body("按按期办结率（高者在前）、逾期未办结数、平均逾期天数（少者在前）排序，各单位办理情况如下：")
        doc.table(RANKING_HEADERS, _ranking_rows(data.scores), RANKING_WIDTHS_MM)
    else:
        doc.body("本期没有到期的督办任务。")

    doc.heading(1, f"{ordinal_zh(next(sections))}、逾期未办结事项")
    if data.overdue:
        doc.body(f"截至{date_zh(data.as_of)}，以下{data.overdue_total}项任务已超过完成时限仍未办结：")
        doc.table(OVERDUE_HEADERS, _overdue_rows(data.overdue), OVERDUE_WIDTHS_MM)
        if data.overdue_total > len(data.overdue):
            doc.body(f"（另有{data.overdue_total - len(data.overdue)}项，详见督办台账。）")
    else:
        doc.body("本期到期任务均已办结或尚未到期，无逾期未办结事项。")

    praise, criticism = data.rules.praise, data.rules.criticism
    if praise.enabled or criticism.enabled:
        doc.heading(
            1, f"{ordinal_zh(next(sections))}、{'和'.join(r.label for r in (praise, criticism) if r.enabled)}"
        )
        parts = iter(range(1, 3))
        if praise.enabled:
            doc.heading(2, f"（{ordinal_zh(next(parts))}）{praise.label}")
            _verdicts(
                doc,
                data.verdicts.praise,
                f"对以上单位予以{praise.label}，希望再接再厉。",
                f"本期没有符合{praise.label}条件的单位。",
            )
        if criticism.enabled:
            doc.heading(2, f"（{ordinal_zh(next(parts))}）{criticism.label}")
            _verdicts(
                doc,
                data.verdicts.criticism,
                f"对以上单位予以{criticism.label}。请其认真分析原因，于5个工作日内向{issuer.org}书面报告整改措施。",
                f"本期没有符合{criticism.label}条件的单位。",
            )

    doc.heading(1, f"{ordinal_zh(next(sections))}、下一步工作要求")
    for index, text in enumerate(
        (
            "各单位要对照本通报，认真查找问题，逾期未办结事项要明确整改时限，尽快办结。",
            "要严格落实按期反馈制度，及时报送办理进展；确需延期的，按程序提前申请。",
            f"{issuer.org}将持续跟踪督办，对连续逾期、推进不力的单位和事项，按规定予以通报。",
        ),
        start=1,
    ):
        doc.body(text, lead=f"{index}.")
    doc.signoff(issuer.signoff, day)
    return doc.to_bytes()
