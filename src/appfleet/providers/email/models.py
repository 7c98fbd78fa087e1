from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from appfleet.core.database import Base


class EmailSuppression(Base):
    """An address no email goes to any more: it hard-bounced or its owner marked us as spam."""

    __tablename__ = "email_suppression"

    address: Mapped[str] = mapped_column(String(320), primary_key=True)  # lower-cased
    reason: Mapped[str] = mapped_column(String(20))  # hard_bounce | complaint
    source: Mapped[str] = mapped_column(String(20))  # sendgrid | postmark
    detail: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime]
