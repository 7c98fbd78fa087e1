from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from appfleet.core.database import Base


class RevokedToken(Base):
    """A revoked token or session id, kept until the tokens it covers would have expired."""

    __tablename__ = "revoked_token"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)
