from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from appfleet.core.database import Base


class Upload(Base):
    """One file a user uploads in one app. `pending` until the client reports it sent and the
    object is found with the signed size and type; then `ready`."""

    __tablename__ = "upload"
    __table_args__ = (Index(None, "app", "user_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    app: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(400), unique=True)
    purpose: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    status: Mapped[str] = mapped_column(String(10))  # pending | ready
    created_at: Mapped[datetime]
    # A pending upload whose URL expired holds no quota (and is cleaned up).
    expires_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    # Images: a resized WebP copy. pending | ready | unsupported | failed; None for others.
    variant_key: Mapped[str | None] = mapped_column(String(400))
    variant_status: Mapped[str | None] = mapped_column(String(12))
