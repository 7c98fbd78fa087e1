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


class LimitOverride(Base):
    """A rate limit or AI budget changed at run time, for one app or (`scope` "*") every app;
    it wins over the settings file until deleted."""

    __tablename__ = "limit_override"

    scope: Mapped[str] = mapped_column(String(40), primary_key=True)  # an app, or "*"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[datetime]
    updated_by: Mapped[str | None] = mapped_column(String(40))
