"""Units (责任单位): list, one unit with its task counts and score, and the supervisor's edits.

Everyone signed in may read the unit list and a unit's page (the ranking is
published to all units anyway); task counts are limited to what the reader
may see, so a unit user learns nothing about another unit's own tasks.
Creating, aliasing and merging units is the supervision office's work.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from duban import clock
from duban.api import people
from duban.api.schemas import PROBLEMS
from duban.api.scores import PeriodOut, UnitScoreOut, period_of, period_out, score_out
from duban.db.models import Unit
from duban.db.repositories import units as unit_repo
from duban.db.repositories.tasks import count_tasks
from duban.errors import Conflict, NotFound
from duban.server.auth import Supervisor, Viewer
from duban.server.db import AppSettings, ReadDb, WriteDb
from duban.workflow.scoring import score_units
from duban.workflow.states import State
from duban.workflow.warnings import Light

units_router = APIRouter(tags=["单位"], responses=PROBLEMS)

NAME_MAX = unit_repo.MAX_NAME_LENGTH


class UnitOut(BaseModel):
    id: int
    name: str
    aliases: list[str]
    active: bool
    merged_into: str | None = Field(description="已并入的单位名称（如已合并）")
    open_tasks: int | None = Field(
        default=None, description="在办任务数（已交办至待验收）；他单位对单位用户不显示"
    )
    draft_tasks: int | None = Field(default=None, description="待确认草稿数；他单位对单位用户不显示")


class CountOut(BaseModel):
    key: str
    label: str
    count: int


class UnitDetailOut(UnitOut):
    parent_id: int | None
    merged_into_id: int | None
    created_at: dt.datetime
    tasks_total: int = Field(description="当前用户可见的该单位任务总数（任一角色）")
    by_status: list[CountOut]
    by_light: list[CountOut]
    period: PeriodOut
    score: UnitScoreOut | None = Field(description="该期间的评比成绩；期间内无到期任务时为 null")


class UnitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=NAME_MAX, description="单位全称")
    aliases: list[str] = Field(default=[], description="其他叫法，如简称")


class AliasIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    alias: str = Field(min_length=1, max_length=NAME_MAX)


class MergeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    into_unit_id: int = Field(description="并入哪个单位：本单位的任务、别名、用户都转过去")


class MergeOut(BaseModel):
    source: UnitOut
    target: UnitOut
    tasks_moved: int
    tasks_deduplicated: int
    aliases_moved: list[str]
    users_moved: int
    targets_moved: int


def _unit(db: Session, unit_id: int) -> Unit:
    unit = db.scalars(
        select(Unit).where(Unit.id == unit_id).options(selectinload(Unit.aliases))
    ).one_or_none()
    if unit is None:
        raise NotFound(f"单位 {unit_id} 不存在", f"unit {unit_id} not found")
    return unit


def _active(db: Session, unit_id: int) -> Unit:
    unit = _unit(db, unit_id)
    if not unit.active:
        raise Conflict(f"单位“{unit.name}”已停用或已合并，不能修改", f"unit {unit_id} is inactive")
    return unit


def _merged_name(db: Session, unit: Unit) -> str | None:
    return db.scalar(select(Unit.name).where(Unit.id == unit.merged_into_id)) if unit.merged_into_id else None


def _out(db: Session, unit: Unit, *, refresh: bool = True) -> UnitOut:
    if refresh:  # after an edit: aliases may have moved in bulk statements
        db.flush()
        db.refresh(unit, ["aliases"])
    return UnitOut(
        id=unit.id,
        name=unit.name,
        aliases=sorted(a.alias for a in unit.aliases),
        active=unit.active,
        merged_into=_merged_name(db, unit),
    )


@units_router.get("/units", response_model=list[UnitOut], summary="单位列表")
def units(
    user: Viewer,
    db: ReadDb,
    include_inactive: Annotated[bool, Query(description="true：含已停用、已合并的单位")] = False,
) -> list[UnitOut]:
    rows = unit_repo.list_units(db, include_inactive=include_inactive)
    # A unit user sees counts for their own unit only.
    counted = {r.id for r in rows if not user.is_unit or r.id == user.unit_id}
    return [
        UnitOut(
            id=r.id,
            name=r.name,
            aliases=list(r.aliases),
            active=r.active,
            merged_into=r.merged_into,
            open_tasks=r.open_tasks if r.id in counted else None,
            draft_tasks=r.draft_tasks if r.id in counted else None,
        )
        for r in rows
    ]


@units_router.get("/units/{unit_id}", response_model=UnitDetailOut, summary="单位详情：任务统计与评比成绩")
def unit(
    unit_id: int,
    user: Viewer,
    db: ReadDb,
    settings: AppSettings,
    period: Annotated[str | None, Query(max_length=20, description="评比期间，默认本季度")] = None,
) -> UnitDetailOut:
    found = _unit(db, unit_id)
    today = clock.today()
    chosen = period_of(period, today)
    counts = count_tasks(db, user.principal, today, settings.near_due_workdays, unit_id=unit_id)
    score = next((s for s in score_units(db, chosen, today) if s.unit_id == unit_id), None)
    return UnitDetailOut(
        **_out(db, found, refresh=False).model_dump(),
        parent_id=found.parent_id,
        merged_into_id=found.merged_into_id,
        created_at=found.created_at,
        tasks_total=counts.total,
        by_status=[CountOut(key=s.value, label=s.label, count=counts.by_status[s]) for s in State],
        by_light=[CountOut(key=li.value, label=li.label, count=counts.by_light[li]) for li in Light],
        period=period_out(chosen),
        score=score_out(score) if score else None,
    )


@units_router.post("/units", response_model=UnitOut, status_code=status.HTTP_201_CREATED, summary="新增单位")
def create_unit(body: UnitIn, user: Supervisor, db: WriteDb) -> UnitOut:
    actor = user.principal.actor
    name = body.name.strip()
    existing = unit_repo.UnitIndex.load(db).resolve_exact(name) or db.scalar(
        select(Unit).where(Unit.name == name)
    )
    if existing is not None:
        raise Conflict(f"单位“{existing.name}”已存在（编号 {existing.id}）", f"unit {name!r} exists")
    created = unit_repo.get_or_create(db, name, actor)
    for alias in body.aliases:
        unit_repo.add_alias(db, created.name, alias, actor)
    return _out(db, created)


@units_router.post("/units/{unit_id}/aliases", response_model=UnitOut, summary="为单位添加别名")
def add_alias(unit_id: int, body: AliasIn, user: Supervisor, db: WriteDb) -> UnitOut:
    found = _active(db, unit_id)
    unit_repo.add_alias(db, found.name, body.alias, user.principal.actor)
    return _out(db, found)


@units_router.post("/units/{unit_id}/merge", response_model=MergeOut, summary="将本单位并入另一单位")
def merge(unit_id: int, body: MergeIn, user: Supervisor, db: WriteDb) -> MergeOut:
    source = _active(db, unit_id)
    target = _active(db, body.into_unit_id)
    result = unit_repo.merge(db, source.name, target.name, user.principal.actor)
    return MergeOut(
        source=_out(db, result.source),
        target=_out(db, result.target),
        tasks_moved=result.tasks_moved,
        tasks_deduplicated=result.tasks_deduplicated,
        aliases_moved=list(result.aliases_moved),
        users_moved=result.users_moved,
        targets_moved=result.targets_moved,
    )


router = APIRouter()
router.include_router(units_router)
router.include_router(people.router)
