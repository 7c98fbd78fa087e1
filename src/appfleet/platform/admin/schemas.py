from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from appfleet.platform.admin.permissions import Role


class GrantRead(BaseModel):
    id: int
    user_id: uuid.UUID
    role: str
    app: str | None = Field(description="None: deployment-wide.")
    granted_at: datetime


class GrantWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: uuid.UUID
    role: Role
    app: str | None = Field(None, description="Omit for deployment-wide.", examples=["healthindex"])


class AdminMe(BaseModel):
    user_id: uuid.UUID
    email: str | None
    grants: list[GrantRead]
    permissions: dict[str, list[str] | None] = Field(
        description="Each permission held: the apps it holds in, or null for every app."
    )


class UserSummary(BaseModel):
    id: uuid.UUID
    email: str | None
    name: str
    identity_group: str
    apps: list[str]
    is_active: bool
    is_anonymous: bool
    suspended_at: datetime | None
    deleted_at: datetime | None
    created_at: datetime


class UserList(BaseModel):
    items: list[UserSummary]
    total: int = Field(description="Users matching the filters, across all pages.")
    limit: int
    offset: int


class MembershipRead(BaseModel):
    app: str
    joined_at: datetime
    plan: str


class DeviceRead(BaseModel):
    session_id: uuid.UUID
    app: str
    device_name: str | None
    platform: str | None
    app_version: str | None
    last_ip: str | None
    last_seen_at: datetime


class ActivityRead(BaseModel):
    at: datetime
    app: str | None
    action: str


class UserDetail(UserSummary):
    country: str | None
    timezone: str
    suspension_reason: str | None
    memberships: list[MembershipRead]
    devices: list[DeviceRead]
    recent_activity: list[ActivityRead]


class SuspendWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=3, max_length=300, examples=["Spam in the community wall"])


class OutboxRead(BaseModel):
    id: uuid.UUID
    channel: str
    app: str
    kind: str
    recipient: str
    status: str
    attempts: int
    provider: str | None
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


class OutboxDetail(OutboxRead):
    payload: dict[str, Any] = Field(description="Withheld for sensitive messages (reset links).")
    provider_ref: str | None
    delivered_at: datetime | None
    bounced_at: datetime | None


class DeadJobRead(BaseModel):
    id: uuid.UUID
    task: str
    queue: str
    attempts: int
    last_error: str | None
    finished_at: datetime | None
