from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from appfleet.core.database import Base


class LocaleBundle(Base):
    """One app's strings in one language: its UI text (`ui`) or its shared motivational
    phrases (`common`), as flat key → text. `version` goes up by one at every change."""

    __tablename__ = "locale_bundle"

    app: Mapped[str] = mapped_column(String(40), primary_key=True)
    lang: Mapped[str] = mapped_column(String(8), primary_key=True)
    namespace: Mapped[str] = mapped_column(String(16), primary_key=True)
    messages: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime]
