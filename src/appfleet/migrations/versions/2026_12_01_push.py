"""Push devices, notifications and their preferences; outbox provider ids, groups and tracking

Revision ID: 0009_push
Revises: 0008_outbox_reports
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from appfleet.core.database import UTCDateTime

revision: str = "0009_push"
down_revision: str | Sequence[str] | None = "0008_outbox_reports"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notification",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("app", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.String(length=1000), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("key", sa.String(length=160), nullable=True),
        sa.Column("collapse_key", sa.String(length=64), nullable=True),
        sa.Column("push_state", sa.String(length=12), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("read_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("opened_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("replaced_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_notification_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
        sa.UniqueConstraint("app", "user_id", "key", name=op.f("uq_notification_app_user_id_key")),
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notification_app"), ["app", "user_id", "created_at"], unique=False
        )
    op.create_table(
        "notification_preference",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("app", sa.String(length=40), nullable=False),
        sa.Column("quiet_start", sa.Time(), nullable=True),
        sa.Column("quiet_end", sa.Time(), nullable=True),
        sa.Column("daily_limit", sa.Integer(), nullable=True),
        sa.Column("muted_kinds", sa.JSON(), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_notification_preference_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "app", name=op.f("pk_notification_preference")),
    )
    op.create_table(
        "push_device",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("app", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token", sa.String(length=320), nullable=False),
        sa.Column("platform", sa.String(length=10), nullable=False),
        sa.Column("service", sa.String(length=10), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("suspect_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("suspect_reason", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_push_device_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_push_device")),
        sa.UniqueConstraint("app", "token", name=op.f("uq_push_device_app_token")),
    )
    with op.batch_alter_table("push_device", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_push_device_user_id"), ["user_id"], unique=False)
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("group_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("provider", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("provider_ref", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("opened_at", UTCDateTime(timezone=True), nullable=True))
        # Existing rows were never tracked: zero opens and clicks.
        batch_op.add_column(
            sa.Column("open_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("clicked_at", UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("click_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.create_index(batch_op.f("ix_outbox_message_group_id"), ["group_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_message_group_id"))
        for column in (
            "click_count",
            "clicked_at",
            "open_count",
            "opened_at",
            "provider_ref",
            "provider",
            "group_id",
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table("push_device", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_push_device_user_id"))
    op.drop_table("push_device")
    op.drop_table("notification_preference")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_app"))
    op.drop_table("notification")
