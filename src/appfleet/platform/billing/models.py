from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from appfleet.core.database import Base

USER_FK = "user_account.id"


class Customer(Base):
    """The payment provider's customer for a user of an app (made at their first checkout)."""

    __tablename__ = "billing_customer"
    __table_args__ = (UniqueConstraint("provider", "customer_id"),)

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(USER_FK, ondelete="CASCADE"), primary_key=True
    )
    app: Mapped[str] = mapped_column(String(40), primary_key=True)
    provider: Mapped[str] = mapped_column(String(20))
    customer_id: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime]


class Subscription(Base):
    """A user's subscription to one of an app's plans, as the provider last reported it."""

    __tablename__ = "billing_subscription"
    __table_args__ = (
        UniqueConstraint("provider", "provider_subscription_id"),
        Index(None, "app", "user_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    app: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(USER_FK, ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(String(20))
    provider_subscription_id: Mapped[str] = mapped_column(String(255))
    plan: Mapped[str] = mapped_column(String(40))
    # trialing, active, past_due, canceled, unpaid (and Stripe's incomplete states)
    status: Mapped[str] = mapped_column(String(24))
    current_period_start: Mapped[datetime | None]
    current_period_end: Mapped[datetime | None]
    cancel_at_period_end: Mapped[bool] = mapped_column(default=False)
    trial_end: Mapped[datetime | None]
    # The provider event time of the state stored: an older event never overwrites it.
    state_at: Mapped[datetime]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class CheckoutSession(Base):
    __tablename__ = "billing_checkout_session"
    __table_args__ = (
        UniqueConstraint("provider", "provider_session_id"),
        Index(None, "app", "user_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    app: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(USER_FK, ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(String(20))
    provider_session_id: Mapped[str] = mapped_column(String(255))
    mode: Mapped[str] = mapped_column(String(20))  # subscription | payment
    plan: Mapped[str | None] = mapped_column(String(40))
    order_id: Mapped[str | None] = mapped_column(String(64))
    amount_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    description: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(2000))
    status: Mapped[str] = mapped_column(String(12))  # open | complete | expired
    created_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]


class Invoice(Base):
    """A paid (or failed) invoice, for receipts and the admin's revenue figures."""

    __tablename__ = "billing_invoice"
    __table_args__ = (UniqueConstraint("provider", "provider_invoice_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    app: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(USER_FK, ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(20))
    provider_invoice_id: Mapped[str] = mapped_column(String(255))
    provider_subscription_id: Mapped[str | None] = mapped_column(String(255))
    amount_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(12))  # paid | failed
    hosted_url: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime]


class Payment(Base):
    """A one-off order paid: at most one per order, whichever event reports it first."""

    __tablename__ = "billing_payment"
    __table_args__ = (UniqueConstraint("app", "order_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    app: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(USER_FK, ondelete="CASCADE"), index=True)
    order_id: Mapped[str] = mapped_column(String(64))
    provider: Mapped[str] = mapped_column(String(20))
    provider_ref: Mapped[str] = mapped_column(String(255))  # the payment intent (or session)
    amount_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime]


class WebhookEvent(Base):
    """The inbox: every provider event as received, then processed once by a job."""

    __tablename__ = "billing_webhook_event"
    __table_args__ = (Index(None, "status", "received_at"),)

    id: Mapped[str] = mapped_column(String(255), primary_key=True)  # the provider's event id
    provider: Mapped[str] = mapped_column(String(20))
    type: Mapped[str] = mapped_column(String(80))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]  # the provider's event time
    received_at: Mapped[datetime]
    # pending until its job ran: processed, or ignored (not ours, stale, or of no interest).
    # A failing event stays pending; its job's retries and last error are in the job table.
    status: Mapped[str] = mapped_column(String(10))
    processed_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(200))  # why it was ignored
