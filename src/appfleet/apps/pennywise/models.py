from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from appfleet.core.database import Base

USER_FK = "user_account.id"


class Account(Base):
    """A member's money settings: the currency every amount of theirs is in (ISO 4217)."""

    __tablename__ = "pennywise_account"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(USER_FK, ondelete="CASCADE"), primary_key=True
    )
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Category(Base):
    """A default category (no owner, shipped by migration) or one a member made."""

    __tablename__ = "pennywise_category"
    __table_args__ = (
        # One name per owner (the defaults' names are taken for everyone, checked in code).
        UniqueConstraint("user_id", "name_key"),
        Index("ix_pennywise_category_user", "user_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey(USER_FK, ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(String(100))  # casefolded, for matching by name
    icon: Mapped[str] = mapped_column(String(50))
    is_default: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]


class Transaction(Base):
    """Money in or out. `amount_minor` is signed, in the currency's minor units (cents):
    income positive, expense negative, so a balance is a SUM."""

    __tablename__ = "pennywise_transaction"
    __table_args__ = (
        # Seed 003's indexes: a user's by date, and by category.
        Index("ix_pennywise_transaction_user_date", "user_id", "occurred_on", "id"),
        Index("ix_pennywise_transaction_category", "category_id"),
        # An offline retry or a second import of the same local row is one transaction.
        UniqueConstraint("user_id", "client_id"),
        CheckConstraint("amount_minor <> 0", name="amount_not_zero"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(USER_FK, ondelete="CASCADE"))
    category_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pennywise_category.id"))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    description: Mapped[str] = mapped_column(String(500), default="")
    occurred_on: Mapped[date]
    client_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Message(Base):
    """One chat message: the member's, or the bot's answer (seed 003's messages)."""

    __tablename__ = "pennywise_message"
    __table_args__ = (
        Index("ix_pennywise_message_user_created", "user_id", "created_at", "id"),
        CheckConstraint("sender IN ('user', 'bot')", name="sender_known"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(USER_FK, ondelete="CASCADE"))
    sender: Mapped[str] = mapped_column(String(10))
    content: Mapped[str] = mapped_column(String(8000))
    source: Mapped[str | None] = mapped_column(String(20))  # the bot's: provider, local, ...
    created_at: Mapped[datetime]


class Insight(Base):
    """A finding about a member's money (seed 003's insights), until it expires."""

    __tablename__ = "pennywise_insight"
    __table_args__ = (Index("ix_pennywise_insight_user_type", "user_id", "type"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(USER_FK, ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(String(2000))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    source: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
