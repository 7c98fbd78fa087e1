from __future__ import annotations

from datetime import date

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from appfleet.core.database import Base


class AiUsage(Base):
    """Tokens the model used per UTC day and app, as its answers' usage fields reported."""

    __tablename__ = "ai_usage"

    day: Mapped[date] = mapped_column(primary_key=True)
    app: Mapped[str] = mapped_column(String(40), primary_key=True)
    requests: Mapped[int] = mapped_column(default=0)
    prompt_tokens: Mapped[int] = mapped_column(default=0)
    completion_tokens: Mapped[int] = mapped_column(default=0)
