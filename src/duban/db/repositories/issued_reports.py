"""Issued documents as each principal may see them: the 报告 list and one document.

Supervisors and leaders see every issued document. A unit user sees only
the 督办通知书 addressed to their unit (主送 or 抄送); for anything else the
answer is the same 404 as for a document that does not exist.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, false, func, select, true
from sqlalchemy.orm import Session, selectinload

from duban.db.models import IssuedReport, ReportRecipient, UserRole
from duban.db.models.reports import ReportKind
from duban.db.repositories.paging import Page
from duban.errors import NotFound
from duban.workflow.principal import Principal

__all__ = ["list_reports", "load_report", "visible_reports"]

MAX_PER_PAGE = 200


def visible_reports(principal: Principal) -> ColumnElement[bool]:
    if principal.role is not UserRole.UNIT:
        return true()
    if principal.unit_id is None:
        return false()
    return (IssuedReport.kind == ReportKind.NOTICE.value) & exists().where(
        ReportRecipient.report_id == IssuedReport.id, ReportRecipient.unit_id == principal.unit_id
    )


def list_reports(
    session: Session,
    principal: Principal,
    *,
    kind: ReportKind | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page[IssuedReport]:
    """Newest first, with their recipients' units loaded."""
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    page = max(1, page)
    where = [visible_reports(principal)]
    if kind:
        where.append(IssuedReport.kind == kind.value)
    total = session.scalar(select(func.count()).select_from(IssuedReport).where(*where)) or 0
    rows = session.scalars(
        select(IssuedReport)
        .where(*where)
        .order_by(IssuedReport.created_at.desc(), IssuedReport.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
        .options(selectinload(IssuedReport.recipients).selectinload(ReportRecipient.unit))
    ).all()
    return Page(list(rows), int(total), page, per_page)


def load_report(session: Session, principal: Principal, report_id: int) -> IssuedReport:
    report = session.scalar(
        select(IssuedReport)
        .where(IssuedReport.id == report_id, visible_reports(principal))
        .options(selectinload(IssuedReport.recipients).selectinload(ReportRecipient.unit))
    )
    if report is None:
        raise NotFound(f"文件 {report_id} 不存在", f"no report {report_id}")
    return report
