"""What to highlight in a document's text: its tasks (from the ledger) and the targets, amounts and
people its extraction found (`Document.extraction`, the JSON of EXTRACTION.md).

The extraction is read defensively: a document stored by an older pipeline,
or a hand-edited one, may lack fields or carry spans that no longer fit.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from duban.db.models import Document, Task
from duban.server.templating import money_zh
from duban.web.highlight import KINDS, Mark
from duban.workflow.machine import summary
from duban.workflow.states import State

__all__ = ["LEGEND", "document_marks", "kind_counts"]

LEGEND = {"task": "任务", "target": "指标", "money": "金额", "person": "人员"}
_QUALIFIERS = {"about": "左右", "at_least": "以上", "at_most": "以内", "exact": "", "range": "区间"}


def _span(value: Any) -> tuple[int, int] | None:
    if isinstance(value, list | tuple) and len(value) == 2 and all(isinstance(v, int) for v in value):
        return int(value[0]), int(value[1])
    return None


def _documents(document: Document) -> list[dict[str, Any]]:
    extraction = document.extraction if isinstance(document.extraction, dict) else {}
    found = extraction.get("documents")
    return [d for d in found if isinstance(d, dict)] if isinstance(found, list) else []


def _items(doc: dict[str, Any], key: str) -> list[dict[str, Any]]:
    found = doc.get(key)
    return [i for i in found if isinstance(i, dict)] if isinstance(found, list) else []


def _task_marks(tasks: Iterable[Task]) -> list[Mark]:
    """One mark per source span: drafts split from one sentence share it, and its tooltip names each."""
    by_span: dict[tuple[int, int], list[Task]] = {}
    for task in tasks:
        if task.status == State.CANCELLED.value or task.span_start is None or task.span_end is None:
            continue
        by_span.setdefault((task.span_start, task.span_end), []).append(task)
    marks = []
    for (start, end), group in by_span.items():
        lines = []
        for task in group:
            units = "、".join(o.unit.name for o in task.owners if o.unit is not None)
            line = f"任务{task.id}（{State(task.status).label}）：{summary(task, 40)}"
            lines.append(f"{line}；责任单位：{units}" if units else line)
        marks.append(Mark(start, end, "task", "\n".join(lines), f"/tasks/{group[0].id}"))
    return marks


def _target_title(target: dict[str, Any]) -> str:
    value = target.get("value")
    if target.get("value_max") is not None:
        value = f"{value}–{target['value_max']}"
    qualifier = _QUALIFIERS.get(str(target.get("qualifier")), "")
    kind = "实际完成" if target.get("kind") == "actual" else "目标"
    year = f"{target['year']}年" if target.get("year") else ""
    return f"{kind}指标：{target.get('indicator', '')} {value}{target.get('unit', '')}{qualifier}（{year}）"


def _people_marks(text: str, doc: dict[str, Any]) -> list[Mark]:
    """Every occurrence, inside this document's span, of a person it names."""
    titles: dict[str, list[str]] = {}
    for person in _items(doc, "people"):
        name = person.get("name")
        if isinstance(name, str) and name.strip():
            raw = person.get("titles")
            titles[name.strip()] = [t for t in raw if isinstance(t, str)] if isinstance(raw, list) else []
    found = doc.get("meeting")
    meeting: dict[str, Any] = found if isinstance(found, dict) else {}
    for name in [meeting.get("chair"), *(meeting.get("attendees") or [])]:
        if isinstance(name, str) and name.strip():
            titles.setdefault(name.strip(), [])
    span = _span(doc.get("span")) or (0, len(text))
    marks = []
    for name, held in titles.items():
        label = f"人员：{name}" + (f"（{'、'.join(held)}）" if held else "")
        for found in re.finditer(re.escape(name), text[span[0] : span[1]]):
            marks.append(Mark(span[0] + found.start(), span[0] + found.end(), "person", label))
    return marks


def document_marks(document: Document, tasks: Sequence[Task]) -> list[Mark]:
    """Every highlight of the document's text, in no particular order."""
    text = document.text or ""
    marks = _task_marks(tasks)
    for doc in _documents(document):
        for target in _items(doc, "targets"):
            if span := _span(target.get("span")):
                marks.append(Mark(*span, "target", _target_title(target)))
        for amount in _items(doc, "amounts"):
            if span := _span(amount.get("span")):
                yuan = amount.get("yuan")
                worth = money_zh(float(yuan)) if isinstance(yuan, int | float) else ""
                marks.append(Mark(*span, "money", f"金额：{amount.get('text', '')}（{worth}）"))
        marks.extend(_people_marks(text, doc))
    return marks


def kind_counts(marks: Iterable[Mark]) -> dict[str, int]:
    """How many highlights of each kind, for the legend."""
    counts = Counter(m.kind for m in marks)
    return {kind: counts.get(kind, 0) for kind in KINDS}
