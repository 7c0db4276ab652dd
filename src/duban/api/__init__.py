"""The REST API, /api/v1: the same services and the same rules as the web pages."""

from __future__ import annotations

from fastapi import APIRouter

from duban.api import auth, documents, org, scores, search, tasks

router = APIRouter(prefix="/api/v1")
for module in (auth, documents, tasks, org, search, scores):
    router.include_router(module.router)
