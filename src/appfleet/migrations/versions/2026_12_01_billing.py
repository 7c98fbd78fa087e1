"""Billing: customers, subscriptions, checkout sessions, invoices, payments, the event inbox

Revision ID: 0013_billing
Revises: 0012_corpfinity
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from appfleet.core.database import UTCDateTime

revision: str = "0013_billing"
down_revision: str | Sequence[str] | None = "0012_corpfinity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "billing_webhook_event",
        sa.Column("id", sa.String(length=255), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("type", sa.String(length=80), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("processed_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_webhook_event")),
    )
    with op.batch_alter_table("billing_webhook_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_billing_webhook_event_status"), ["status", "received_at"], unique=False
        )

    op.create_table(
        "billing_checkout_session",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("app", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("provider_session_id", sa.String(length=255), nullable=False),
        sa.Column("mode", sa.String(length=20), nullable=False),
        sa.Column("plan", sa.String(length=40), nullable=True),
        sa.Column("order_id", sa.String(length=64), nullable=True),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("completed_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_billing_checkout_session_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_checkout_session")),
        sa.UniqueConstraint(
            "provider",
            "provider_session_id",
            name=op.f("uq_billing_checkout_session_provider_provider_session_id"),
        ),
    )
    with op.batch_alter_table("billing_checkout_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_billing_checkout_session_app"), ["app", "user_id"], unique=False
        )

    op.create_table(
        "billing_customer",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("app", sa.String(length=40), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("customer_id", sa.String(length=255), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_billing_customer_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "app", name=op.f("pk_billing_customer")),
        sa.UniqueConstraint(
            "provider", "customer_id", name=op.f("uq_billing_customer_provider_customer_id")
        ),
    )
    op.create_table(
        "billing_invoice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("app", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("provider_invoice_id", sa.String(length=255), nullable=False),
        sa.Column("provider_subscription_id", sa.String(length=255), nullable=True),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("hosted_url", sa.String(length=2000), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_billing_invoice_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_invoice")),
        sa.UniqueConstraint(
            "provider",
            "provider_invoice_id",
            name=op.f("uq_billing_invoice_provider_provider_invoice_id"),
        ),
    )
    with op.batch_alter_table("billing_invoice", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_billing_invoice_user_id"), ["user_id"], unique=False)

    op.create_table(
        "billing_payment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("app", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("provider_ref", sa.String(length=255), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_billing_payment_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_payment")),
        sa.UniqueConstraint("app", "order_id", name=op.f("uq_billing_payment_app_order_id")),
    )
    with op.batch_alter_table("billing_payment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_billing_payment_user_id"), ["user_id"], unique=False)

    op.create_table(
        "billing_subscription",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("app", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("provider_subscription_id", sa.String(length=255), nullable=False),
        sa.Column("plan", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("current_period_start", UTCDateTime(timezone=True), nullable=True),
        sa.Column("current_period_end", UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancel_at_period_end", sa.Boolean(), nullable=False),
        sa.Column("trial_end", UTCDateTime(timezone=True), nullable=True),
        sa.Column("state_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_billing_subscription_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_subscription")),
        sa.UniqueConstraint(
            "provider",
            "provider_subscription_id",
            name=op.f("uq_billing_subscription_provider_provider_subscription_id"),
        ),
    )
    with op.batch_alter_table("billing_subscription", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_billing_subscription_app"), ["app", "user_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("billing_subscription", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_billing_subscription_app"))

    op.drop_table("billing_subscription")
    with op.batch_alter_table("billing_payment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_billing_payment_user_id"))

    op.drop_table("billing_payment")
    with op.batch_alter_table("billing_invoice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_billing_invoice_user_id"))

    op.drop_table("billing_invoice")
    op.drop_table("billing_customer")
    with op.batch_alter_table("billing_checkout_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_billing_checkout_session_app"))

    op.drop_table("billing_checkout_session")
    with op.batch_alter_table("billing_webhook_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_billing_webhook_event_status"))

    op.drop_table("billing_webhook_event")
