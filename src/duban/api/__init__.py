"""The REST API, /api/v1: the same services and the same rules as the web pages."""

from __future__ import annotations

from fastapi import APIRouter

from duban.api import auth, documents, ledger_excel, notifications, org, reports, scores, search, tasks

router = APIRouter(prefix="/api/v1")
# ledger_excel before tasks: /tasks/export.xlsx and /tasks/imports are not /tasks/{task_id}.
for module in (auth, documents, ledger_excel, tasks, org, search, scores, notifications, reports):
    router.include_router(module.router)
