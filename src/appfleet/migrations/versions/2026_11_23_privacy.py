"""Privacy and recovery: outbox, emailed tokens, consents, account deletion columns

Revision ID: 0004_privacy
Revises: 0003_two_factor
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import appfleet.core.database

revision: str = "0004_privacy"
down_revision: str | Sequence[str] | None = "0003_two_factor"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("app", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("sensitive", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column(
            "available_at", appfleet.core.database.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("created_at", appfleet.core.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", appfleet.core.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbox_message_status"), ["status", "available_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_outbox_message_user_id"), ["user_id"], unique=False)

    op.create_table(
        "auth_email_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", appfleet.core.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", appfleet.core.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", appfleet.core.database.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_auth_email_token_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_email_token")),
    )
    with op.batch_alter_table("auth_email_token", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_auth_email_token_token_hash"), ["token_hash"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_auth_email_token_user_id"), ["user_id"], unique=False)

    op.create_table(
        "user_consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("app", sa.String(length=40), nullable=False),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=True),
        sa.Column("recorded_at", appfleet.core.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ip", sa.String(length=45), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_user_consent_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_consent")),
    )
    with op.batch_alter_table("user_consent", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_user_consent_user_id"),
            ["user_id", "app", "purpose", "recorded_at"],
            unique=False,
        )

    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("apple_refresh_token", sa.String(length=1024), nullable=True))
        batch_op.add_column(
            sa.Column(
                "deleted_at", appfleet.core.database.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column(
                "purge_after", appfleet.core.database.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.create_index(
            batch_op.f("ix_user_account_purge_after"), ["purge_after"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_account_purge_after"))
        batch_op.drop_column("purge_after")
        batch_op.drop_column("deleted_at")
        batch_op.drop_column("apple_refresh_token")

    with op.batch_alter_table("user_consent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_consent_user_id"))

    op.drop_table("user_consent")
    with op.batch_alter_table("auth_email_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auth_email_token_user_id"))
        batch_op.drop_index(batch_op.f("ix_auth_email_token_token_hash"))

    op.drop_table("auth_email_token")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_message_user_id"))
        batch_op.drop_index(batch_op.f("ix_outbox_message_status"))

    op.drop_table("outbox_message")
