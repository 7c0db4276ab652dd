"""issued reports (督办通知书, 督查通报, 周报), their recipients and per-year number counters

Revision ID: 0006_report_numbers
Revises: 0005_notifications
Create Date: 2026-11-22 22:00:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import duban.db.base

revision: str = "0006_report_numbers"
down_revision: str | Sequence[str] | None = "0005_notifications"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "report_counters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_counters")),
        sa.UniqueConstraint("series", "year", name=op.f("uq_report_counters_series")),
    )
    op.create_table(
        "issued_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("series", sa.String(length=20), nullable=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("doc_number", sa.String(length=50), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("params", _json(), nullable=False),
        sa.Column("task_ids", _json(), nullable=False),
        sa.Column("filename", sa.String(length=300), nullable=False),
        sa.Column("stored_path", sa.String(length=500), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", duban.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_issued_reports_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issued_reports")),
        sa.UniqueConstraint("series", "year", "number", name=op.f("uq_issued_reports_series")),
    )
    with op.batch_alter_table("issued_reports", schema=None) as batch_op:
        batch_op.create_index("ix_issued_reports_kind_created", ["kind", "created_at"], unique=False)
    op.create_table(
        "report_recipients",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["issued_reports.id"],
            name=op.f("fk_report_recipients_report_id_issued_reports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_report_recipients_unit_id_units")),
        sa.PrimaryKeyConstraint("report_id", "unit_id", name=op.f("pk_report_recipients")),
    )
    with op.batch_alter_table("report_recipients", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_recipients_unit_id"), ["unit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("report_recipients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_recipients_unit_id"))
    op.drop_table("report_recipients")
    with op.batch_alter_table("issued_reports", schema=None) as batch_op:
        batch_op.drop_index("ix_issued_reports_kind_created")
    op.drop_table("issued_reports")
    op.drop_table("report_counters")
