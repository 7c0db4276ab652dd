"""Full-text search over documents, tasks, progress reports and people, with highlighted snippets.

Unit users find their units' tasks and the reports on them, and people; no documents.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from duban.api.schemas import PROBLEMS
from duban.db.models.search import SearchKind
from duban.search.query import COUNT_CAP, MAX_QUERY, RANK_POOL, Filters, Hit, search
from duban.server.auth import Viewer
from duban.server.db import ReadDb

router = APIRouter(tags=["检索"], responses=PROBLEMS)


def hit_url(hit: Hit) -> str:
    if hit.kind is SearchKind.DOCUMENT:
        return f"/api/v1/documents/{hit.id}"
    if hit.kind is SearchKind.PERSON:
        return f"/api/v1/people/{hit.id}"
    return f"/api/v1/tasks/{hit.task_id if hit.kind is SearchKind.REPORT else hit.id}"


class HitOut(BaseModel):
    type: SearchKind = Field(description="document 文件 / task 任务 / report 进展反馈 / person 人员")
    type_label: str
    id: int = Field(description="文件、任务、进展反馈或人员的编号")
    task_id: int | None = Field(description="进展反馈所属的任务编号；其他类别为 null")
    title: str = Field(description="标题（纯文本，未转义）：文件标题、任务内容、反馈单位、人员姓名")
    title_highlights: list[tuple[int, int]] = Field(description="title 中命中文字的 [起点, 终点) 位置")
    snippet: str = Field(description="正文中首个命中处前后的一段文字（纯文本，未转义）")
    highlights: list[tuple[int, int]] = Field(description="snippet 中每处命中文字的 [起点, 终点) 位置")
    date: dt.date | None = Field(description="文件成文日期、任务来源日期、反馈日期；人员为 null")
    url: str = Field(description="该条目的接口地址（进展反馈指向其任务）")


class TotalOut(BaseModel):
    type: SearchKind
    type_label: str
    total: int
    capped: bool = Field(description=f"true：命中超过 {COUNT_CAP} 条，只数到这里（total 为下限）")


class SearchOut(BaseModel):
    q: str
    too_short: list[str] = Field(description="被忽略的单个汉字：检索词至少两个字")
    total: int = Field(description="所选类别的命中数（capped 时为下限）")
    ranked: int = Field(description=f"可翻页浏览的条数（每组类别最多 {RANK_POOL} 条）")
    offset: int
    items: list[HitOut]
    totals: list[TotalOut] = Field(description="可检索的每个类别的命中数（不受 type 限制，便于显示各类数目）")


@router.get("/search", response_model=SearchOut, summary="全文检索文件、任务、进展反馈、人员")
def search_all(
    user: Viewer,
    db: ReadDb,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=MAX_QUERY,
            description="检索词：多个词用空格分开，须全部出现；每个词按原文连续匹配，至少两个字",
        ),
    ],
    type: Annotated[list[SearchKind], Query(description="只检索这些类别，可重复；默认全部")] = [],  # noqa: B006
    unit_id: Annotated[int | None, Query(ge=1, description="只看该单位（任务的责任单位）的条目")] = None,
    date_from: Annotated[dt.date | None, Query(description="日期不早于（YYYY-MM-DD）")] = None,
    date_to: Annotated[dt.date | None, Query(description="日期不晚于（YYYY-MM-DD）")] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="返回条数")] = 20,
    offset: Annotated[
        int, Query(ge=0, le=RANK_POOL * len(SearchKind), description="跳过前若干条（翻页）")
    ] = 0,
) -> SearchOut:
    filters = Filters(frozenset(type), unit_id, date_from, date_to)
    result = search(db, user.principal, q, filters, offset=offset, limit=limit)
    return SearchOut(
        q=result.query.text,
        too_short=list(result.query.too_short),
        total=result.total,
        ranked=result.ranked,
        offset=result.offset,
        items=[
            HitOut(
                type=h.kind,
                type_label=h.kind.label,
                id=h.id,
                task_id=h.task_id,
                title=h.title,
                title_highlights=list(h.title_highlights),
                snippet=h.snippet,
                highlights=list(h.highlights),
                date=h.day,
                url=hit_url(h),
            )
            for h in result.hits
        ],
        totals=[
            TotalOut(type=k, type_label=k.label, total=n, capped=k in result.capped)
            for k, n in result.totals.items()
        ],
    )
