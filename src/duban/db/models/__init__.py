"""Every table; importing this package registers them all on `Base.metadata`."""

from duban.db.models.documents import Document, DocumentStatus, Section
from duban.db.models.events import AuditEvent, AuditHead, OutboxMessage, Reminder
from duban.db.models.notify import Delivery, InboxCursor, InboxRead, NotifyChannel
from duban.db.models.org import ApiToken, Person, PersonTitle, Unit, UnitAlias, User, UserRole
from duban.db.models.reports import IssuedReport, ReportCounter, ReportRecipient
from duban.db.models.search import SearchEntry, SearchKind
from duban.db.models.tasks import (
    Attachment,
    ExtensionRequest,
    Instruction,
    Milestone,
    OwnerRole,
    ProgressReport,
    Target,
    TargetActual,
    Task,
    TaskOwner,
)

__all__ = [
    "ApiToken",
    "Attachment",
    "AuditEvent",
    "AuditHead",
    "Delivery",
    "Document",
    "DocumentStatus",
    "ExtensionRequest",
    "InboxCursor",
    "InboxRead",
    "Instruction",
    "IssuedReport",
    "Milestone",
    "NotifyChannel",
    "OutboxMessage",
    "OwnerRole",
    "Person",
    "PersonTitle",
    "ProgressReport",
    "Reminder",
    "ReportCounter",
    "ReportRecipient",
    "SearchEntry",
    "SearchKind",
    "Section",
    "Target",
    "TargetActual",
    "Task",
    "TaskOwner",
    "Unit",
    "UnitAlias",
    "User",
    "UserRole",
]
