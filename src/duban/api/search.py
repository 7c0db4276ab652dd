"""Search documents, tasks and people by a substring, title hits first, with a snippet around each hit.

Unit users find only their units' tasks, and no documents.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from duban.api.schemas import PROBLEMS
from duban.db.repositories.search import MAX_QUERY, Kind, search
from duban.server.auth import Viewer
from duban.server.db import ReadDb

router = APIRouter(tags=["检索"], responses=PROBLEMS)

_URLS = {
    Kind.DOCUMENT: "/api/v1/documents/{}",
    Kind.TASK: "/api/v1/tasks/{}",
    Kind.PERSON: "/api/v1/people/{}",
}


class HitOut(BaseModel):
    type: Kind = Field(description="document 文件 / task 任务 / person 人员")
    type_label: str
    id: int
    title: str
    field: str = Field(description="命中的字段：title 标题 / text 正文 / name 姓名")
    snippet: str = Field(description="命中处前后的一段文字（纯文本，未转义）")
    match_start: int = Field(description="命中文字在 snippet 中的起点")
    match_end: int
    url: str


class TotalOut(BaseModel):
    type: Kind
    type_label: str
    total: int


class SearchOut(BaseModel):
    q: str
    items: list[HitOut]
    totals: list[TotalOut] = Field(description="各类命中的总数（items 每类最多 limit 条）")


@router.get("/search", response_model=SearchOut, summary="检索文件、任务、人员")
def search_all(
    user: Viewer,
    db: ReadDb,
    q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY, description="检索词")],
    type: Annotated[list[Kind], Query(description="只检索这些类别，可重复；默认全部")] = [],  # noqa: B006
    limit: Annotated[int, Query(ge=1, le=100, description="每类最多返回条数")] = 20,
) -> SearchOut:
    result = search(db, user.principal, q, type, limit)
    return SearchOut(
        q=result.query,
        items=[
            HitOut(
                type=h.kind,
                type_label=h.kind.label,
                id=h.id,
                title=h.title,
                field=h.field,
                snippet=h.snippet,
                match_start=h.match_start,
                match_end=h.match_end,
                url=_URLS[h.kind].format(h.id),
            )
            for h in result.hits
        ],
        totals=[TotalOut(type=k, type_label=k.label, total=n) for k, n in result.totals.items()],
    )
