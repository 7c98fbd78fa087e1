from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from appfleet.core.database import Base


class Consent(Base):
    """One consent decision (seed 001's user_consents). Append-only: the newest record per
    purpose is the current state, and the history is the proof."""

    __tablename__ = "user_consent"
    __table_args__ = (Index(None, "user_id", "app", "purpose", "recorded_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    app: Mapped[str] = mapped_column(String(40))
    purpose: Mapped[str] = mapped_column(String(40))
    granted: Mapped[bool]
    version: Mapped[str | None] = mapped_column(String(40))
    recorded_at: Mapped[datetime]
    ip: Mapped[str | None] = mapped_column(String(45))
