"""People named in the documents: a list by name, and one person's titles over time and documents.

Readable by everyone signed in (names and titles of officials); the
documents they appear in are listed for supervisors and leaders only, as
documents are everywhere else.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from duban.api.schemas import PROBLEMS
from duban.db.repositories.people import MAX_PER_PAGE, list_people, person_profile
from duban.server.auth import Viewer
from duban.server.db import ReadDb

router = APIRouter(tags=["人员"], responses=PROBLEMS)


class PersonOut(BaseModel):
    id: int
    name: str
    latest_title: str | None = Field(description="最近一份文件中的职务")
    titles: int = Field(description="记录在案的职务条数")


class PersonPageOut(BaseModel):
    items: list[PersonOut]
    total: int
    page: int
    per_page: int
    pages: int


class TitleOut(BaseModel):
    title: str
    observed_on: dt.date | None = Field(description="出现该职务的文件日期")
    document_id: int | None
    document_title: str | None


class PersonDocumentOut(BaseModel):
    id: int
    title: str | None
    filename: str
    doc_date: dt.date | None


class PersonDetailOut(BaseModel):
    id: int
    name: str
    titles: list[TitleOut] = Field(description="历次职务，按时间先后")
    documents: list[PersonDocumentOut] = Field(description="出现过此人的文件（单位用户不显示）")


@router.get("/people", response_model=PersonPageOut, summary="人员列表")
def people(
    user: Viewer,
    db: ReadDb,
    q: Annotated[str | None, Query(max_length=50, description="姓名包含")] = None,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = 50,
) -> PersonPageOut:
    result = list_people(db, q, page=page, per_page=per_page)
    return PersonPageOut(
        items=[
            PersonOut(id=r.id, name=r.name, latest_title=r.latest_title, titles=r.titles) for r in result.rows
        ],
        total=result.total,
        page=result.page,
        per_page=result.per_page,
        pages=result.pages,
    )


@router.get("/people/{person_id}", response_model=PersonDetailOut, summary="人员详情：历次职务与相关文件")
def person(person_id: int, user: Viewer, db: ReadDb) -> PersonDetailOut:
    profile = person_profile(db, person_id)
    documents = not user.is_unit
    return PersonDetailOut(
        id=profile.id,
        name=profile.name,
        titles=[
            TitleOut(
                title=title,
                observed_on=seen.observed_on,
                document_id=seen.document_id if documents else None,
                document_title=seen.document_title if documents else None,
            )
            for seen in profile.titles
            for title in seen.titles
        ],
        documents=[
            PersonDocumentOut(id=d.id, title=d.title, filename=d.filename, doc_date=d.doc_date)
            for d in profile.documents
        ]
        if documents
        else [],
    )
