"""What one running app holds: its settings, database engine and login throttle."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from starlette.requests import HTTPConnection

from duban.config import Settings
from duban.server.throttle import LoginThrottle


@dataclass
class AppState:
    settings: Settings
    engine: Engine
    throttle: LoginThrottle


def app_state(request: HTTPConnection) -> AppState:
    state: AppState = request.app.state.duban
    return state
