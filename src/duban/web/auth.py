"""Login, logout, change password and personal API tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from duban import accounts
from duban.db.models import User
from duban.errors import Rejected
from duban.server.auth import CsrfChecked, Viewer, login, logout
from duban.server.db import ReadDb, WriteDb
from duban.server.state import app_state
from duban.server.templating import flash, render

router = APIRouter()


def safe_next(target: str | None) -> str:
    """Only same-site paths: an open redirect after login would be a phishing aid."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/")
def home(user: Viewer) -> RedirectResponse:
    return RedirectResponse("/dashboard", status_code=303)


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    return render(request, "login.html", {"next": safe_next(next), "username": "", "error": None})


@router.post("/login")
def login_submit(
    request: Request,
    _csrf: CsrfChecked,
    db: WriteDb,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    throttle = app_state(request).throttle
    client = request.client.host if request.client else "unknown"
    keys = (f"user:{username.strip().lower()}", f"ip:{client}")
    context = {"next": safe_next(next), "username": username}
    if wait := throttle.retry_after(*keys):
        minutes = max(1, round(wait / 60))
        message = f"登录失败次数过多，请{minutes}分钟后再试"
        return render(
            request,
            "login.html",
            {**context, "error": message},
            status_code=429,
            headers={"Retry-After": str(wait)},
        )
    user = accounts.authenticate(db, username, password)
    if user is None:
        throttle.failed(*keys)
        return render(request, "login.html", {**context, "error": "用户名或密码不正确"}, status_code=401)
    throttle.succeeded(*keys)
    login(request, user)
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout")
def logout_submit(request: Request, _csrf: CsrfChecked) -> RedirectResponse:
    logout(request)
    return RedirectResponse("/login", status_code=303)


@router.get("/account/password")
def password_page(request: Request, user: Viewer) -> Response:
    return render(
        request, "account_password.html", {"min_length": accounts.MIN_PASSWORD_LENGTH, "error": None}
    )


@router.post("/account/password")
def password_submit(
    request: Request,
    user: Viewer,
    db: WriteDb,
    current_password: Annotated[str, Form(max_length=200)],
    new_password: Annotated[str, Form(max_length=200)],
    new_password_again: Annotated[str, Form(max_length=200)],
) -> Response:
    record = db.scalar(select(User).where(User.id == user.id))
    assert record is not None
    try:
        if new_password != new_password_again:
            raise Rejected("两次输入的新密码不一致", "passwords differ")
        accounts.set_password(
            db, record, new_password, user.principal.actor, current_password=current_password
        )
    except Rejected as exc:
        context = {"min_length": accounts.MIN_PASSWORD_LENGTH, "error": exc.message_zh}
        return render(request, "account_password.html", context, status_code=422)
    login(request, record)  # this browser stays signed in under the new fingerprint
    flash(request, "密码已修改")
    return RedirectResponse("/dashboard", status_code=303)


@router.get("/account/tokens")
def tokens_page(request: Request, user: Viewer, db: ReadDb) -> Response:
    return render(
        request, "account_tokens.html", {"tokens": accounts.list_tokens(db, user.id), "issued": None}
    )


@router.post("/account/tokens")
def tokens_create(
    request: Request, user: Viewer, db: WriteDb, name: Annotated[str, Form(max_length=100)]
) -> Response:
    record = db.get(User, user.id)
    assert record is not None
    issued = accounts.issue_token(db, record, name, user.principal.actor)
    # Shown in this response only: the secret is never stored, not even in the session cookie.
    context = {"tokens": accounts.list_tokens(db, user.id), "issued": issued.secret}
    return render(request, "account_tokens.html", context, status_code=201)


@router.post("/account/tokens/{token_id}/revoke")
def tokens_revoke(request: Request, token_id: int, user: Viewer, db: WriteDb) -> Response:
    accounts.revoke_token(db, token_id, user.id, user.principal.actor)
    flash(request, "令牌已作废")
    return RedirectResponse("/account/tokens", status_code=303)
