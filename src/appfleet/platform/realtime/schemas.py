from __future__ import annotations

from pydantic import Field

from appfleet.core.schemas import Schema


class OnlineRead(Schema):
    user_id: str
    name: str
    screen: str | None = Field(description="The screen they reported last.")
    since: float = Field(description="Online since (Unix time).")
    connections: int = Field(description="Their open connections (phone, tablet...).")


class PresenceRead(Schema):
    topic: str
    count: int
    online: list[OnlineRead]
