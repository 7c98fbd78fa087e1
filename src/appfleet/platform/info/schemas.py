from __future__ import annotations

from pydantic import BaseModel


class AppInfoRead(BaseModel):
    name: str
    display_name: str
    summary: str
    api_version: str
    identity_group: str
    features: list[str]
