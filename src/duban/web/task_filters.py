"""The ledger's query string → a TaskQuery, forgiving: a value it cannot read is ignored, not a 422.

The same parsing serves the page and the CSV export, so an export honours
exactly the filters on screen. `LedgerForm` keeps what was typed, to refill
the filter form.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from starlette.datastructures import QueryParams

from duban.db.repositories.tasks import SortKey, TaskQuery
from duban.workflow.states import State
from duban.workflow.warnings import Light

__all__ = ["PER_PAGE", "SORT_LABELS", "LedgerForm", "parse_ledger"]

PER_PAGE = 50
MAX_SEARCH = 200
_STATES = frozenset(s.value for s in State)
_LIGHTS = frozenset(li.value for li in Light)

SORT_LABELS: dict[SortKey, str] = {
    SortKey.DEADLINE: "完成时限（由近到远）",
    SortKey.DEADLINE_DESC: "完成时限（由远到近）",
    SortKey.UPDATED: "最近更新",
    SortKey.CREATED: "创建时间",
}


@dataclass(frozen=True)
class LedgerForm:
    statuses: list[str] = field(default_factory=list)
    lights: list[str] = field(default_factory=list)
    unit: int | None = None
    leader: str = ""
    document: int | None = None
    due_from: str = ""
    due_to: str = ""
    q: str = ""
    sort: str = SortKey.DEADLINE.value

    @property
    def active(self) -> bool:
        """Whether any filter narrows the ledger (sorting does not)."""
        return bool(
            self.statuses
            or self.lights
            or self.unit is not None
            or self.leader
            or self.document is not None
            or self.due_from
            or self.due_to
            or self.q
        )


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def parse_ledger(params: QueryParams) -> tuple[TaskQuery, LedgerForm]:
    statuses = [State(v) for v in dict.fromkeys(params.getlist("status")) if v in _STATES]
    lights = [Light(v) for v in dict.fromkeys(params.getlist("light")) if v in _LIGHTS]
    sort_value = params.get("sort", "")
    sort = SortKey(sort_value) if sort_value in SORT_LABELS else SortKey.DEADLINE
    # `unit_id` too: the unit pages link to the ledger with that name.
    unit = _int(params.get("unit") or params.get("unit_id"))
    document = _int(params.get("document"))
    due_from, due_to = _date(params.get("due_from")), _date(params.get("due_to"))
    leader = params.get("leader", "").strip()[:MAX_SEARCH]
    text = params.get("q", "").strip()[:MAX_SEARCH]
    page = max(1, _int(params.get("page")) or 1)
    query = TaskQuery(
        statuses=statuses,
        unit_id=unit,
        leader=leader or None,
        document_id=document,
        due_from=due_from,
        due_to=due_to,
        lights=lights,
        text=text or None,
        sort=sort,
        page=page,
        per_page=PER_PAGE,
    )
    form = LedgerForm(
        statuses=[s.value for s in statuses],
        lights=[li.value for li in lights],
        unit=unit,
        leader=leader,
        document=document,
        due_from=due_from.isoformat() if due_from else "",
        due_to=due_to.isoformat() if due_to else "",
        q=text,
        sort=sort.value,
    )
    return query, form
