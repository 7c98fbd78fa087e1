from __future__ import annotations

from appfleet.core.schemas import Schema


class AppInfoRead(Schema):
    name: str
    display_name: str
    summary: str
    api_version: str
    identity_group: str
    features: list[str]
