"""督办通知书: one or several tasks put under supervision, sent to their owner units.

主送 are the tasks' 牵头 and 责任 units (all owner units when a task names
neither); 配合 units that are not also 主送 get it as 抄送. Each task is
listed with its owners, deadline, open milestones, source and leader; the
办理要求 ask for a written progress report by `feedback_by` and weekly
after that.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from duban.reports.queries import NoticeTask
from duban.reports.word.layout import (
    HEADING2_FONT,
    Issuer,
    Letterhead,
    OfficialDocument,
    date_zh,
    ordinal_zh,
)

__all__ = ["NOTICE_TITLE", "Addressees", "addressees", "build_notice"]

NOTICE_TITLE = "督办通知书"


@dataclass(frozen=True)
class Addressees:
    main: list[tuple[int, str]]  # 主送
    copy: list[tuple[int, str]]  # 抄送

    @property
    def unit_ids(self) -> list[int]:
        return [uid for uid, _ in (*self.main, *self.copy)]


def _add(into: list[tuple[int, str]], owners: Sequence[tuple[int, str]]) -> None:
    for owner in owners:
        if owner[0] not in {uid for uid, _ in into}:
            into.append(owner)


def addressees(tasks: Sequence[NoticeTask]) -> Addressees:
    """主送 (牵头, 责任) and 抄送 (配合) units over all tasks, in task order, each once."""
    main: list[tuple[int, str]] = []
    copy: list[tuple[int, str]] = []
    for item in tasks:
        _add(main, [*item.lead, *item.responsible] or item.supporting)
    for item in tasks:
        _add(copy, [o for o in item.supporting if o[0] not in {uid for uid, _ in main}])
    return Addressees(main, copy)


def _names(owners: Sequence[tuple[int, str]]) -> str:
    return "、".join(name for _, name in owners)


def _task_lines(item: NoticeTask) -> list[str]:
    task = item.task
    owners = [
        f"{label}：{_names(units)}"
        for label, units in (
            ("牵头单位", item.lead),
            ("责任单位", item.responsible),
            ("配合单位", item.supporting),
        )
        if units
    ]
    lines = ["；".join(owners) + "。"] if owners else []
    assert task.deadline is not None  # issue_notice refuses tasks without one
    lines.append(f"完成时限：{date_zh(task.deadline)}。")
    open_milestones = [m for m in task.milestones if m.done_at is None]
    if open_milestones:
        steps = "；".join(f"{date_zh(m.due)}前{m.text.strip().rstrip('。；;')}" for m in open_milestones)
        lines.append(f"时间节点：{steps}。")
    if task.leader_name:
        lines.append(f"责任领导：{task.leader_name}。")
    if item.source:
        lines.append(f"任务来源：{item.source}。")
    return lines


def _intro(tasks: Sequence[NoticeTask]) -> str:
    sources = list(dict.fromkeys(t.source for t in tasks if t.source))
    basis = f"根据{'、'.join(sources)}确定的工作任务，" if sources else ""
    what = "以下事项" if len(tasks) == 1 else f"以下{len(tasks)}项工作"
    return f"{basis}现将{what}列入督办，请你单位高度重视，明确责任，倒排工期，按时保质完成。"


def build_notice(
    *,
    doc_number: str,
    tasks: Sequence[NoticeTask],
    issuer: Issuer,
    day: dt.date,
    feedback_by: dt.date,
    created: dt.datetime,
) -> bytes:
    """The 督办通知书 as .docx bytes."""
    to = addressees(tasks)
    doc = OfficialDocument(
        letterhead=Letterhead(issuer.org, doc_number), title=NOTICE_TITLE, author=issuer.org, created=created
    )
    doc.title(NOTICE_TITLE)
    doc.addressee([name for _, name in to.main])
    doc.body(_intro(tasks))
    doc.heading(1, "一、督办事项")
    for index, item in enumerate(tasks, start=1):
        text = " ".join(item.task.text.split())
        doc.body(text, lead=f"（{ordinal_zh(index)}）", lead_font=HEADING2_FONT)
        for line in _task_lines(item):
            doc.body(line)
    doc.heading(1, "二、办理要求")
    requirements = [
        "收到本通知后请及时签收，制定工作方案，明确责任人和时间节点。",
        f"请于{date_zh(feedback_by)}前将办理进展情况书面报送{issuer.org}，此后每周反馈一次，直至办结。",
        "任务办结后，请及时报送办结材料，申请验收销号；确需延期的，应在完成时限届满前说明理由，申请延期。",
        f"对逾期未办结、推进不力的，{issuer.org}将按有关规定予以通报。",
    ]
    for index, text in enumerate(requirements, start=1):
        doc.body(text, lead=f"{index}.")
    if issuer.contact:
        doc.blank()
        doc.body(issuer.contact)
    doc.signoff(issuer.signoff, day)
    if to.copy:
        doc.blank()
        doc.copy_to([name for _, name in to.copy])
    return doc.to_bytes()
