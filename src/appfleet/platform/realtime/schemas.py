from __future__ import annotations

from pydantic import BaseModel, Field


class OnlineRead(BaseModel):
    user_id: str
    name: str
    screen: str | None = Field(description="The screen they reported last.")
    since: float = Field(description="Online since (Unix time).")
    connections: int = Field(description="Their open connections (phone, tablet...).")


class PresenceRead(BaseModel):
    topic: str
    count: int
    online: list[OnlineRead]
