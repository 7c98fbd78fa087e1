from __future__ import annotations

import uuid
from datetime import datetime, time
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from appfleet.core.database import Base


class Notification(Base):
    """One message to a user of one app: shown in their inbox and pushed to their devices."""

    __tablename__ = "notification"
    __table_args__ = (
        # A notification enqueued twice under one key (a scheduler that ran twice) is one.
        UniqueConstraint("app", "user_id", "key"),
        Index(None, "app", "user_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    app: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(String(1000))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    key: Mapped[str | None] = mapped_column(String(160))
    collapse_key: Mapped[str | None] = mapped_column(String(64))
    # queued (pushes written), held (quiet hours: pushes wait), capped (daily limit reached),
    # muted (the user turned this kind off), no_devices, withdrawn (replaced before it went out)
    push_state: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    read_at: Mapped[datetime | None]
    opened_at: Mapped[datetime | None]
    # A newer notification with the same collapse key took this one's place in the inbox.
    replaced_at: Mapped[datetime | None]


class NotificationPreference(Base):
    """How one user wants pushes from one app. Quiet hours are local wall times; a window that
    crosses midnight (22:00-07:00) is what most people set."""

    __tablename__ = "notification_preference"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    app: Mapped[str] = mapped_column(String(40), primary_key=True)
    quiet_start: Mapped[time | None]
    quiet_end: Mapped[time | None]
    daily_limit: Mapped[int | None]
    muted_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime]
