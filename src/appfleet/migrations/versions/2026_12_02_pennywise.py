"""PennyWise: each member's currency, categories (the sixteen defaults seeded here, with icon
names), transactions in exact minor units, chat messages and insights

Revision ID: 0021_pennywise
Revises: 0020_locales
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from appfleet.apps.pennywise.service._common import default_categories
from appfleet.core.database import UTCDateTime

revision: str = "0021_pennywise"
down_revision: str | Sequence[str] | None = "0020_locales"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pennywise_account",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_pennywise_account_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_pennywise_account")),
    )
    categories = op.create_table(
        "pennywise_category",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("name_key", sa.String(length=100), nullable=False),
        sa.Column("icon", sa.String(length=50), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_pennywise_category_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pennywise_category")),
        sa.UniqueConstraint(
            "user_id", "name_key", name=op.f("uq_pennywise_category_user_id_name_key")
        ),
    )
    op.create_index("ix_pennywise_category_user", "pennywise_category", ["user_id"], unique=False)
    op.create_table(
        "pennywise_transaction",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("category_id", sa.Uuid(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("client_id", sa.String(length=100), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "amount_minor <> 0", name=op.f("ck_pennywise_transaction_amount_not_zero")
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["pennywise_category.id"],
            name=op.f("fk_pennywise_transaction_category_id_pennywise_category"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_pennywise_transaction_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pennywise_transaction")),
        sa.UniqueConstraint(
            "user_id", "client_id", name=op.f("uq_pennywise_transaction_user_id_client_id")
        ),
    )
    op.create_index(
        "ix_pennywise_transaction_category", "pennywise_transaction", ["category_id"], unique=False
    )
    op.create_index(
        "ix_pennywise_transaction_user_date",
        "pennywise_transaction",
        ["user_id", "occurred_on", "id"],
        unique=False,
    )
    op.create_table(
        "pennywise_insight",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=30), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("content", sa.String(length=2000), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_pennywise_insight_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pennywise_insight")),
    )
    op.create_index(
        "ix_pennywise_insight_user_type", "pennywise_insight", ["user_id", "type"], unique=False
    )
    op.create_table(
        "pennywise_message",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("sender", sa.String(length=10), nullable=False),
        sa.Column("content", sa.String(length=8000), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "sender IN ('user', 'bot')", name=op.f("ck_pennywise_message_sender_known")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_pennywise_message_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pennywise_message")),
    )
    op.create_index(
        "ix_pennywise_message_user_created",
        "pennywise_message",
        ["user_id", "created_at", "id"],
        unique=False,
    )
    assert categories is not None  # noqa: S101 - create_table returns the table it made
    now = datetime.now(UTC)
    op.bulk_insert(
        categories,
        [
            {
                **row,
                "name_key": str(row["name"]).casefold(),
                "user_id": None,
                "is_default": True,
                "created_at": now,
            }
            for row in default_categories()
        ],
    )


def downgrade() -> None:
    op.drop_table("pennywise_message")
    op.drop_table("pennywise_insight")
    op.drop_table("pennywise_transaction")
    op.drop_table("pennywise_category")
    op.drop_table("pennywise_account")
