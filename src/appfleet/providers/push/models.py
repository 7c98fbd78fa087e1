from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from appfleet.core.database import Base


class PushDevice(Base):
    """A device token registered by a signed-in user of one app. A token names one app install,
    so it belongs to whoever registered it last (a shared phone changes hands)."""

    __tablename__ = "push_device"
    __table_args__ = (UniqueConstraint("app", "token"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    app: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    token: Mapped[str] = mapped_column(String(320))
    platform: Mapped[str] = mapped_column(String(10))  # ios | android | web
    service: Mapped[str] = mapped_column(String(10))  # fcm | apns
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    # The vendor called the token dead once; a second report removes it, a success clears it.
    suspect_at: Mapped[datetime | None]
    suspect_reason: Mapped[str | None] = mapped_column(String(40))
