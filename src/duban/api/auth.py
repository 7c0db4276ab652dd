"""Who am I, and my API tokens."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from duban import accounts
from duban.db.models import ApiToken, User
from duban.server.auth import Viewer
from duban.server.db import ReadDb, WriteDb

router = APIRouter(tags=["账号"])


class Me(BaseModel):
    id: int
    username: str
    display_name: str
    role: str
    role_label: str
    unit_id: int | None
    unit_name: str | None


class TokenIn(BaseModel):
    name: str = Field(min_length=1, max_length=100, description="用途，如“OA 系统对接”")


class TokenOut(BaseModel):
    id: int
    name: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked: bool


class IssuedTokenOut(TokenOut):
    token: str = Field(description="令牌本身，只在此次返回")


def _token_out(token: ApiToken) -> dict[str, object]:
    return {
        "id": token.id,
        "name": token.name,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
        "revoked": token.revoked_at is not None,
    }


@router.get("/me", response_model=Me, summary="当前用户")
def me(user: Viewer) -> Me:
    return Me(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role.value,
        role_label=user.role.label,
        unit_id=user.unit_id,
        unit_name=user.unit_name,
    )


@router.get("/tokens", response_model=list[TokenOut], summary="我的接口令牌")
def list_tokens(user: Viewer, db: ReadDb) -> list[dict[str, object]]:
    return [_token_out(t) for t in accounts.list_tokens(db, user.id)]


@router.post(
    "/tokens", response_model=IssuedTokenOut, status_code=status.HTTP_201_CREATED, summary="生成接口令牌"
)
def create_token(body: TokenIn, user: Viewer, db: WriteDb) -> dict[str, object]:
    record = db.get(User, user.id)
    assert record is not None
    issued = accounts.issue_token(db, record, body.name, user.principal.actor)
    return {**_token_out(issued.token), "token": issued.secret}


@router.delete("/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT, summary="作废接口令牌")
def revoke_token(token_id: int, user: Viewer, db: WriteDb) -> None:
    accounts.revoke_token(db, token_id, user.id, user.principal.actor)
