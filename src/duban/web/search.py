"""全文检索: one box over documents, tasks, progress reports and people; tabs per type, unit and date filters.

A GET form, so every search is a URL; with htmx the form swaps only the
results block. Snippets are cut from the stored text and arrive with the
ranges to highlight: the page escapes every piece and wraps the ranges in
<mark> (document text is untrusted). Unit users see the types and rows
`duban.search.query` lets them see.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response

from duban.db.models.search import SearchKind
from duban.db.repositories.ledger_choices import ledger_choices
from duban.errors import Rejected
from duban.search.query import COUNT_CAP, MAX_QUERY, Filters, Hit, SearchResult, search
from duban.server.auth import Viewer
from duban.server.db import ReadDb
from duban.server.templating import render

router = APIRouter()

PER_PAGE = 20
RESULTS_TARGET = "search-results"


def pieces(text: str, ranges: Sequence[tuple[int, int]]) -> list[tuple[str, bool]]:
    """`text` cut into (piece, highlighted) parts at the hit ranges, for the template to escape and mark."""
    out: list[tuple[str, bool]] = []
    at = 0
    for start, end in sorted(ranges):
        start, end = max(start, at), min(end, len(text))
        if start >= end:
            continue
        if start > at:
            out.append((text[at:start], False))
        out.append((text[start:end], True))
        at = end
    if at < len(text):
        out.append((text[at:], False))
    return out


def hit_link(hit: Hit) -> str:
    if hit.kind is SearchKind.DOCUMENT:
        return f"/documents/{hit.id}"
    if hit.kind is SearchKind.PERSON:
        return f"/people/{hit.id}"
    if hit.kind is SearchKind.REPORT:
        return f"/tasks/{hit.task_id}#report-{hit.id}"
    return f"/tasks/{hit.id}"


@dataclass(frozen=True)
class SearchForm:
    q: str = ""
    type: str = ""
    unit: int | None = None
    date_from: str = ""
    date_to: str = ""
    page: int = 1


def _date(value: str, label: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise Rejected(f"{label}“{value}”不是有效日期", f"bad date {value!r}") from None


def parse_form(params: Mapping[str, str]) -> tuple[SearchForm, Filters]:
    """The form as typed and the filters it asks for; a malformed value is Rejected with a Chinese reason."""
    kind = params.get("type", "")
    if kind and kind not in {k.value for k in SearchKind}:
        raise Rejected(f"没有“{kind}”这一类别", f"unknown type {kind!r}")
    unit_text = params.get("unit", "").strip()
    if unit_text and not unit_text.isdigit():
        raise Rejected("单位选择有误", f"bad unit {unit_text!r}")
    page_text = params.get("page", "1").strip() or "1"
    page = int(page_text) if page_text.isdigit() else 1
    form = SearchForm(
        q=params.get("q", "")[: MAX_QUERY * 2],
        type=kind,
        unit=int(unit_text) if unit_text else None,
        date_from=params.get("date_from", "").strip(),
        date_to=params.get("date_to", "").strip(),
        page=max(1, page),
    )
    filters = Filters(
        kinds=frozenset({SearchKind(kind)}) if kind else frozenset(),
        unit_id=form.unit,
        date_from=_date(form.date_from, "开始日期"),
        date_to=_date(form.date_to, "结束日期"),
    )
    return form, filters


@router.get("/search")
def search_page(request: Request, user: Viewer, db: ReadDb) -> Response:
    error = None
    result: SearchResult | None = None
    try:
        form, filters = parse_form(request.query_params)
        if form.q.strip():
            offset = (form.page - 1) * PER_PAGE
            result = search(db, user.principal, form.q, filters, offset=offset, limit=PER_PAGE)
    except Rejected as exc:
        form, error = SearchForm(q=request.query_params.get("q", "")[: MAX_QUERY * 2]), exc.message_zh
    context = {
        "form": form,
        "result": result,
        "error": error,
        "kinds": list(SearchKind),
        "units": ledger_choices(db, user.principal).units,
        "pages": math.ceil(result.ranked / PER_PAGE) if result else 0,
        "count_cap": COUNT_CAP,
        "pieces": pieces,
        "hit_link": hit_link,
        "max_query": MAX_QUERY,
    }
    partial = request.headers.get("HX-Request") and request.headers.get("HX-Target") == RESULTS_TARGET
    return render(
        request,
        "search.html",
        context,
        status_code=422 if error else 200,
        block="results" if partial else None,
    )
