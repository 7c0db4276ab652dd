"""The server-rendered web app (Jinja2 + htmx), zh-CN, for supervisors, unit users and leaders."""

from __future__ import annotations

from fastapi import APIRouter

from duban.web import (
    admin,
    auth,
    dashboard,
    documents,
    gantt,
    inbox,
    ledger,
    ledger_import,
    notify_admin,
    org,
    ranking,
    reports,
    review,
    search,
    task_export,
    task_page,
)

router = APIRouter(include_in_schema=False)
for module in (
    auth,
    dashboard,
    ledger,
    # Before task_page: /tasks/import and /tasks/export.xlsx are not /tasks/{task_id}.
    ledger_import,
    task_export,
    task_page,
    documents,
    review,
    org,
    gantt,
    ranking,
    reports,
    search,
    admin,
    inbox,
    notify_admin,
):
    router.include_router(module.router)
