"""Extraction → the JSON contract of EXTRACTION.md (one object per input file)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from duban.ingest.types import ExtractedDoc, Extraction, Meeting, Task


def _date(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def _number(v: float | None) -> float | int | None:
    if v is None:
        return None
    return int(v) if float(v).is_integer() else round(v, 4)


def _meeting(m: Meeting | None) -> dict[str, Any] | None:
    if m is None:
        return None
    return {"date": _date(m.date), "chair": m.chair, "attendees": list(m.attendees)}


def _task(t: Task) -> dict[str, Any]:
    return {
        "text": t.text,
        "span": t.span.as_list(),
        "kind": t.kind,
        "owners": list(t.owners),
        "lead": t.lead,
        "start": _date(t.start),
        "deadline": _date(t.deadline),
        "recurrence": t.recurrence,
        "amount_yuan": _number(t.amount_yuan),
    }


def document_json(doc: ExtractedDoc) -> dict[str, Any]:
    h = doc.header
    return {
        "title": h.title,
        "type": h.doc_type,
        "doc_number": h.doc_number,
        "issuer": h.issuer,
        "date": _date(h.date),
        "span": doc.span.as_list(),
        "meeting": _meeting(doc.meeting),
        "people": [{"name": p.name, "titles": list(p.titles)} for p in doc.people],
        "tasks": [_task(t) for t in doc.tasks],
        "targets": [
            {
                "indicator": t.indicator,
                "value": _number(t.value),
                "value_max": _number(t.value_max),
                "unit": t.unit,
                "qualifier": t.qualifier,
                "kind": t.kind,
                "year": t.year,
                "text": t.text,
                "span": t.span.as_list(),
            }
            for t in doc.targets
        ],
        "amounts": [{"text": a.text, "yuan": _number(a.yuan), "span": a.span.as_list()} for a in doc.amounts],
        "groups": [
            {
                "name": g.name,
                "members": [
                    {
                        k: v
                        for k, v in (("role", m.role), ("name", m.name), ("title", m.title))
                        if v is not None
                    }
                    for m in g.members
                ],
            }
            for g in doc.groups
        ],
    }


def extraction_json(extraction: Extraction) -> dict[str, Any]:
    return {
        "source": extraction.raw.source.name,
        "documents": [document_json(d) for d in extraction.documents],
    }
