from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from appfleet.core.database import Base


class User(Base):
    """An account. Apps of one identity group share it; other groups never see it."""

    __tablename__ = "user_account"
    __table_args__ = (
        UniqueConstraint("identity_group", "email"),
        UniqueConstraint("identity_group", "apple_sub"),
        UniqueConstraint("identity_group", "google_sub"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    identity_group: Mapped[str] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(320))
    email_verified_at: Mapped[datetime | None]
    password_hash: Mapped[str | None] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(100), default="")
    avatar_seed: Mapped[str | None] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    language: Mapped[str] = mapped_column(String(16), default="en")
    country: Mapped[str | None] = mapped_column(String(2))  # ISO 3166-1 alpha-2, for targeting
    is_anonymous: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    totp_secret: Mapped[str | None] = mapped_column(String(255))  # encrypted (auth/totp.py)
    totp_enabled_at: Mapped[datetime | None]
    totp_last_step: Mapped[int | None]
    apple_sub: Mapped[str | None] = mapped_column(String(255))
    google_sub: Mapped[str | None] = mapped_column(String(255))
    # Apple's refresh token (sealed), kept only to revoke the grant when the account is deleted.
    apple_refresh_token: Mapped[str | None] = mapped_column(String(1024))
    deleted_at: Mapped[datetime | None]
    suspended_at: Mapped[datetime | None]  # by an admin: inactive until unsuspended
    suspension_reason: Mapped[str | None] = mapped_column(String(300))
    purge_after: Mapped[datetime | None] = mapped_column(index=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="raise"
    )


class Membership(Base):
    """A user's use of one app: created on first sign-up or sign-in there."""

    __tablename__ = "user_membership"
    __table_args__ = (UniqueConstraint("user_id", "app"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    app: Mapped[str] = mapped_column(String(40))
    preferences: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]

    user: Mapped[User] = relationship(back_populates="memberships", lazy="raise")


class Activity(Base):
    """A day a member used an app: written on sign-in and on each token refresh (a phone
    refreshes whenever it is opened after its access token expired), once per member and day.
    Daily and monthly actives, retention and the dashboard's charts count these rows."""

    __tablename__ = "user_activity"
    __table_args__ = (Index("ix_user_activity_user", "user_id"),)

    app: Mapped[str] = mapped_column(String(40), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)  # UTC
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
