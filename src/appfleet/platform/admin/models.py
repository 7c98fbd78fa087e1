from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from appfleet.core.database import Base


class AdminGrant(Base):
    """A role held by a user, deployment-wide (`app` NULL) or for one app only."""

    __tablename__ = "admin_grant"
    __table_args__ = (UniqueConstraint("user_id", "app"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20))
    app: Mapped[str | None] = mapped_column(String(40))
    granted_by: Mapped[uuid.UUID | None]
    granted_at: Mapped[datetime]
