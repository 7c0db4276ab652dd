"""A task's audit events as lines a person reads: who, what (in Chinese), when, why, and what changed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from duban.db.models import AuditEvent
from duban.workflow.states import Action, ExtensionState, State

__all__ = ["HistoryLine", "history_lines"]

# Task events not written by a workflow action.
_OTHER_LABELS = {
    "draft": "从文件中提取（草稿）",
    "spawn": "按周期生成",
    "merge": "单位合并",
    "import": "从 Excel 台账导入",
}
_ACTIONS = frozenset(a.value for a in Action)
_STATES = frozenset(s.value for s in State)
_EXTENSION_STATES = frozenset(s.value for s in ExtensionState)
MAX_DETAIL = 200


@dataclass(frozen=True)
class HistoryLine:
    at: dt.datetime
    actor: str
    label: str
    reason: str | None
    details: list[str]


def _label(action: str) -> str:
    return Action(action).label if action in _ACTIONS else _OTHER_LABELS.get(action, action)


def _state(value: Any) -> str:
    return State(value).label if value in _STATES else str(value or "—")


def _short(value: Any) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= MAX_DETAIL else text[: MAX_DETAIL - 1] + "…"


def _details(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    lines = []
    if "status" in after and "status" in before:
        lines.append(f"状态：{_state(before['status'])} → {_state(after['status'])}")
    if "deadline" in after and "deadline" in before:
        lines.append(f"完成时限：{before['deadline'] or '待定'} → {after['deadline'] or '待定'}")
    if "leader_name" in after:
        lines.append(f"责任领导：{before.get('leader_name') or '无'} → {after['leader_name'] or '无'}")
    if "text" in after and "text" in before:
        lines.append("修改了任务内容")
    if "owners" in after and "owners" in before:
        lines.append("调整了责任单位")
    if "milestones" in after and "milestones" in before:
        lines.append("调整了时间节点")
    if after.get("message"):
        lines.append(f"催办内容：{_short(after['message'])}")
    if after.get("requested_deadline"):
        lines.append(f"申请延至：{after['requested_deadline']}")
    if after.get("decision") in _EXTENSION_STATES:
        lines.append(f"延期申请：{ExtensionState(after['decision']).label}")
    if after.get("attachments"):
        lines.append("附件：" + "、".join(str(a) for a in after["attachments"]))
    if after.get("sheet") and after.get("row"):
        lines.append(f"来自工作表“{_short(after['sheet'])}”第{after['row']}行")
    if after.get("note"):
        lines.append(f"备注：{_short(after['note'])}")
    return lines


def history_lines(events: Iterable[AuditEvent]) -> list[HistoryLine]:
    return [
        HistoryLine(
            at=event.at,
            actor=event.actor,
            label=_label(event.action),
            reason=event.reason,
            details=_details(event.before or {}, event.after or {}),
        )
        for event in events
    ]
