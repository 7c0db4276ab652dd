"""Errors as responses: problem+json (RFC 9457) under /api, a readable page or an htmx message elsewhere."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from duban.errors import DomainError
from duban.server.auth import LoginRequired
from duban.server.templating import render

PROBLEM_TYPE = "application/problem+json"

_HTTP_TITLES = {
    400: "请求有误",
    401: "请先登录",
    403: "无权执行此操作",
    404: "未找到",
    405: "不支持此请求方法",
    409: "数据已被他人修改或状态不允许",
    413: "文件过大",
    415: "不支持的文件类型",
    422: "提交的内容有误",
    429: "尝试次数过多",
    500: "服务器内部错误",
}


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def problem(
    status: int,
    detail: str,
    *,
    code: str,
    title: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = {
        "type": f"https://duban.local/problems/{code}",
        "title": title or _HTTP_TITLES.get(status, "错误"),
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_TYPE, headers=headers)


def error_response(request: Request, status: int, message: str, code: str, **extra: Any) -> Response:
    if is_api(request):
        return problem(status, message, code=code, **extra)
    if request.headers.get("HX-Request"):
        # htmx swaps only 2xx by default; show the message in the page's flash area instead.
        return render(
            request,
            "partials/error_message.html",
            {"message": message},
            status_code=200,
            headers={"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"},
        )
    return render(
        request,
        "error.html",
        {"status": status, "title": _HTTP_TITLES.get(status, "错误"), "message": message},
        status_code=status,
    )


def _login_redirect(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    url = f"/login?next={quote(target, safe='')}"
    if request.headers.get("HX-Request"):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


async def _domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    if isinstance(exc, LoginRequired) and not is_api(request):
        return _login_redirect(request)
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, LoginRequired) else None
    if is_api(request):
        return problem(exc.status, exc.message_zh, code=exc.code, headers=headers, detail_en=exc.message_en)
    return error_response(request, exc.status, exc.message_zh, exc.code)


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(part) for part in loc if part not in ("body", "query", "path", "form"))


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"field": _field(err.get("loc", ())), "message": str(err.get("msg", ""))} for err in exc.errors()
    ]
    fields = "、".join(e["field"] for e in errors if e["field"]) or "请求体"
    message = f"提交的内容格式不正确：{fields}"
    return error_response(request, 422, message, "validation_error", errors=errors)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    message = (
        str(exc.detail)
        if exc.detail and not str(exc.detail).isascii()
        else _HTTP_TITLES.get(exc.status_code, "错误")
    )
    return error_response(request, exc.status_code, message, f"http_{exc.status_code}")


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
