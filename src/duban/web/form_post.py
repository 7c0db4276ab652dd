"""The shape of an admin form post: make one change, then flash and redirect, or show the form with why not."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from duban.errors import DomainError
from duban.server.templating import flash, render

__all__ = ["attempt"]


def attempt(
    request: Request,
    db: Session,
    change: Callable[[], str],
    page: str,
    context: Callable[[], dict[str, Any]],
    back: str,
) -> Response:
    """Run `change` in a savepoint; on success flash its message and go back, else show why not."""
    try:
        with db.begin_nested():
            message = change()
    except DomainError as exc:
        ctx = context()
        ctx["error"] = exc.message_zh
        return render(request, page, ctx, status_code=exc.status)
    flash(request, message)
    return RedirectResponse(back, status_code=303)
