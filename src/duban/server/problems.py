"""Errors as responses: problem+json (RFC 9457) under /api, a readable page or an htmx message elsewhere."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

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
    context = {"status": status, "title": _HTTP_TITLES.get(status, "错误"), "message": message}
    return render(request, "error.html", {**context, "back": _same_site_referer(request)}, status_code=status)


def _same_site_referer(request: Request) -> str | None:
    """The page the user came from, for a "back" link; only ever a path on this site."""
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc != request.url.netloc or not referer.path.startswith("/"):
        return None
    return referer.path + (f"?{referer.query}" if referer.query else "")


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


# Chinese for the pydantic error types users actually hit; anything else keeps pydantic's text.
_ERROR_TYPES_ZH = {
    "missing": "必填项缺失",
    "extra_forbidden": "不允许的字段",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "float_parsing": "应为数字",
    "bool_parsing": "应为是或否（true/false）",
    "string_type": "应为文本",
    "string_too_short": "内容过短",
    "string_too_long": "内容过长",
    "date_from_datetime_parsing": "应为日期（如 2026-06-30）",
    "date_parsing": "应为日期（如 2026-06-30）",
    "date_type": "应为日期（如 2026-06-30）",
    "enum": "不是允许的取值",
    "literal_error": "不是允许的取值",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "list_type": "应为列表",
    "model_attributes_type": "应为对象",
    "dict_type": "应为对象",
}


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(part) for part in loc if part not in ("body", "query", "path", "form", "header"))


def _explain(err: Any) -> dict[str, str]:
    kind = str(err.get("type", ""))
    message = _ERROR_TYPES_ZH.get(kind) or str(err.get("msg", ""))
    expected = (err.get("ctx") or {}).get("expected")
    if kind == "enum" and expected:
        message = f"{message}，可选：{expected}"
    return {"field": _field(err.get("loc", ())), "type": kind, "message": message}


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    raw = exc.errors()
    if any(err.get("type") == "json_invalid" for err in raw):
        return error_response(request, 422, "请求体不是有效的 JSON", "validation_error", errors=[])
    errors = [_explain(err) for err in raw]
    named = "；".join(f"{e['field']}（{e['message']}）" for e in errors if e["field"])
    message = "提交的内容格式不正确：" + (named or "；".join(e["message"] for e in errors))
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
