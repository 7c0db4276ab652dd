"""notification channels per unit, deliveries per message and channel, inbox read marks

Revision ID: 0005_notifications
Revises: 0004_search
Create Date: 2026-11-22 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import duban.db.base

revision: str = "0005_notifications"
down_revision: str | Sequence[str] | None = "0004_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, duban.db.base.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "notify_channels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("secret", sa.String(length=200), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        _utc("created_at"),
        _utc("updated_at"),
        _utc("last_success_at", nullable=True),
        _utc("last_failure_at", nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_notify_channels_unit_id_units"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_channels")),
    )
    with op.batch_alter_table("notify_channels", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notify_channels_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "notify_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _utc("next_attempt_at"),
        sa.Column("last_error", sa.Text(), nullable=True),
        _utc("created_at"),
        _utc("sent_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["notify_channels.id"],
            name=op.f("fk_notify_deliveries_channel_id_notify_channels"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["outbox.id"],
            name=op.f("fk_notify_deliveries_message_id_outbox"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_deliveries")),
        sa.UniqueConstraint("message_id", "channel_id", name=op.f("uq_notify_deliveries_message_id")),
    )
    with op.batch_alter_table("notify_deliveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notify_deliveries_channel_id"), ["channel_id"], unique=False)
        batch_op.create_index("ix_notify_deliveries_status_next", ["status", "next_attempt_at"], unique=False)

    op.create_table(
        "inbox_reads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        _utc("read_at"),
        sa.ForeignKeyConstraint(
            ["message_id"], ["outbox.id"], name=op.f("fk_inbox_reads_message_id_outbox"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_inbox_reads_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_reads")),
        sa.UniqueConstraint("user_id", "message_id", name=op.f("uq_inbox_reads_user_id")),
    )
    with op.batch_alter_table("inbox_reads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inbox_reads_message_id"), ["message_id"], unique=False)

    op.create_table(
        "inbox_cursors",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("read_through_id", sa.Integer(), nullable=False),
        _utc("updated_at"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_inbox_cursors_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_inbox_cursors")),
    )

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_unit_id_id", ["unit_id", "id"], unique=False)
        batch_op.create_index("ix_outbox_user_id_id", ["user_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_user_id_id")
        batch_op.drop_index("ix_outbox_unit_id_id")
    op.drop_table("inbox_cursors")
    with op.batch_alter_table("inbox_reads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbox_reads_message_id"))
    op.drop_table("inbox_reads")
    with op.batch_alter_table("notify_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_notify_deliveries_status_next")
        batch_op.drop_index(batch_op.f("ix_notify_deliveries_channel_id"))
    op.drop_table("notify_deliveries")
    with op.batch_alter_table("notify_channels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notify_channels_unit_id"))
    op.drop_table("notify_channels")
