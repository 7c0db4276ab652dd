"""The ASGI app: the REST API under /api/v1, the web pages everywhere else, one set of rules for both."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.sessions import SessionMiddleware

from duban import __version__
from duban.api import router as api_router
from duban.config import Settings, get_settings
from duban.db.session import get_engine
from duban.server import problems
from duban.server.headers import SecurityHeaders
from duban.server.limits import BodySizeLimit
from duban.server.signing_key import session_secret
from duban.server.state import AppState
from duban.server.templating import TEMPLATE_DIR
from duban.server.throttle import LoginThrottle
from duban.web import router as web_router

STATIC_DIR = TEMPLATE_DIR.parent / "static"
SESSION_COOKIE = "duban_session"
# Room for multipart framing and form fields around one file of the largest allowed size.
_MULTIPART_SLACK = 1024 * 1024


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="duban 督办 API",
        version=__version__,
        description="督办台账的 REST 接口：文件、任务及其流转、单位、人员、检索、评比。"
        "浏览器使用会话 Cookie（不安全方法须带 X-CSRF-Token），集成系统使用 Bearer 令牌。",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.duban = AppState(
        settings=settings,
        engine=engine or get_engine(settings),
        throttle=LoginThrottle(settings.login_max_failures, settings.login_window_minutes * 60),
    )
    problems.install(app)
    app.include_router(api_router)
    app.include_router(web_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    app.add_middleware(
        SessionMiddleware,
        secret_key=session_secret(settings),
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_hours * 3600,
        same_site="lax",
        https_only=settings.cookie_secure,
    )
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_upload_bytes + _MULTIPART_SLACK)
    return app
