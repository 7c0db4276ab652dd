"""The Jinja2 environment for the web pages: autoescaped, with the filters the templates share.

Rendering goes through jinja2-fragments so an htmx request can ask for one
block of a page (`block_name=`) and get only that fragment.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2_fragments.fastapi import Jinja2Blocks
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from duban import clock
from duban.db.models import OwnerRole, UserRole
from duban.server.auth import csrf_token, optional_user
from duban.workflow.states import Action, State
from duban.workflow.warnings import Light

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "web" / "templates"

_WEEKDAYS = "一二三四五六日"


def local_time(value: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored UTC time as Asia/Shanghai wall-clock text."""
    return clock.to_local(value).strftime(fmt) if value else ""


def date_zh(value: dt.date | None, with_weekday: bool = False) -> str:
    if value is None:
        return ""
    text = f"{value.year}年{value.month}月{value.day}日"
    return f"{text}（周{_WEEKDAYS[value.weekday()]}）" if with_weekday else text


def state_label(value: str | State) -> str:
    return State(value).label


def light_label(value: str | Light) -> str:
    return Light(value).label


def role_label(value: str | UserRole) -> str:
    return UserRole(value).label


def owner_role_label(value: str | OwnerRole) -> str:
    return {"lead": "牵头", "responsible": "责任", "supporting": "配合"}.get(str(value), str(value))


def action_label(value: str | Action) -> str:
    return Action(value).label


def money_zh(value: float | None) -> str:
    if value is None:
        return ""
    if value >= 1e8:
        return f"{value / 1e8:g}亿元"
    if value >= 1e4:
        return f"{value / 1e4:g}万元"
    return f"{value:g}元"


def query_with(request: Request, **changes: Any) -> str:
    """This page's query string with some parameters changed (None drops one): sort and page links."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in changes]
    for key, value in changes.items():
        if value is None or value == "":
            continue
        if isinstance(value, list | tuple):
            params.extend((key, str(item)) for item in value)
        else:
            params.append((key, str(value)))
    return "?" + urlencode(params) if params else "?"


def csrf_field(request: Request) -> Markup:
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(csrf_token(request))


def build_templates() -> Jinja2Blocks:
    templates = Jinja2Blocks(directory=str(TEMPLATE_DIR))
    env = templates.env
    env.autoescape = True
    env.trim_blocks = True
    env.lstrip_blocks = True
    env.filters.update(
        local_time=local_time,
        date_zh=date_zh,
        state_label=state_label,
        light_label=light_label,
        role_label=role_label,
        owner_role_label=owner_role_label,
        action_label=action_label,
        money_zh=money_zh,
    )
    env.globals.update(
        csrf_token=csrf_token,
        csrf_field=csrf_field,
        query_with=query_with,
        today=clock.today,
        State=State,
        Light=Light,
        Action=Action,
        UserRole=UserRole,
    )
    return templates


templates = build_templates()


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    block: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """Render a page, or only `block` of it (for htmx)."""
    # Pages outside a signed-in route (error pages, 404s) still show who is signed in.
    user = optional_user(request) if "session" in request.scope else None
    ctx: dict[str, Any] = {"user": user, "flashes": pop_flashes(request)}
    ctx.update(context or {})
    extra: dict[str, Any] = {"block_name": block} if block else {}
    response: Response = templates.TemplateResponse(
        request, name, ctx, status_code=status_code, headers=headers, **extra
    )
    return response


def flash(request: Request, message: str, kind: str = "ok") -> None:
    """A one-time message shown on the next page rendered for this session."""
    request.session.setdefault("flashes", []).append([kind, message])
    request.session["flashes"] = request.session["flashes"]


def pop_flashes(request: Request) -> list[tuple[str, str]]:
    if "session" not in request.scope:
        return []
    return [(kind, message) for kind, message in request.session.pop("flashes", [])]
