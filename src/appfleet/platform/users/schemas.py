from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import ConfigDict, Field

from appfleet.core.schemas import Schema


class UserRead(Schema):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str | None
    name: str
    avatar_seed: str | None
    timezone: str
    language: str
    is_anonymous: bool
    email_verified: bool
    country: str | None = Field(description="ISO 3166-1 alpha-2, when the user gave one.")
    created_at: datetime
    preferences: dict[str, Any] = Field(description="This app's preferences for the user.")


class UserUpdate(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=100)
    avatar_seed: str | None = Field(None, max_length=100)
    timezone: str | None = Field(None, max_length=64, description="IANA name, e.g. Europe/Berlin")
    language: str | None = Field(None, min_length=2, max_length=16, pattern=r"^[A-Za-z-]+$")
    country: str | None = Field(
        None, pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2, e.g. DE", examples=["DE"]
    )
    preferences: dict[str, Any] | None = Field(
        None, description="Merged into this app's preferences; a null value removes a key."
    )
