from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any, Literal

from pydantic import ConfigDict, Field

from appfleet.core.schemas import Schema
from appfleet.platform.admin.permissions import Role


class GrantRead(Schema):
    id: int
    user_id: uuid.UUID
    role: str
    app: str | None = Field(description="None: deployment-wide.")
    granted_at: datetime


class GrantWrite(Schema):
    model_config = ConfigDict(extra="forbid")

    user_id: uuid.UUID
    role: Role
    app: str | None = Field(None, description="Omit for deployment-wide.", examples=["healthindex"])


class AdminMe(Schema):
    user_id: uuid.UUID
    email: str | None
    grants: list[GrantRead]
    permissions: dict[str, list[str] | None] = Field(
        description="Each permission held: the apps it holds in, or null for every app."
    )


class UserSummary(Schema):
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


class UserList(Schema):
    items: list[UserSummary]
    total: int = Field(description="Users matching the filters, across all pages.")
    limit: int
    offset: int


class MembershipRead(Schema):
    app: str
    joined_at: datetime
    plan: str


class DeviceRead(Schema):
    session_id: uuid.UUID
    app: str
    device_name: str | None
    platform: str | None
    app_version: str | None
    last_ip: str | None
    last_seen_at: datetime


class ActivityRead(Schema):
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


class SuspendWrite(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=3, max_length=300, examples=["Spam in the community wall"])


class OutboxRead(Schema):
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


class DeadJobRead(Schema):
    id: uuid.UUID
    task: str
    queue: str
    attempts: int
    last_error: str | None
    finished_at: datetime | None


class FlaggedRead(Schema):
    id: str
    author_id: uuid.UUID
    author_name: str
    text: str
    flag_count: int
    reasons: list[str] = Field(description="The newest reports' reasons (ten at most).")
    created_at: datetime
    status: str
    moderation: str | None = Field(description="The last decision: approved, warned, removed.")


class FlaggedList(Schema):
    items: list[FlaggedRead]
    total: int


class ModerationDecision(Schema):
    model_config = ConfigDict(extra="forbid")

    action: Literal["approve", "remove", "warn"]
    note: str | None = Field(
        None, max_length=500, description="Told to the author with a warning or a removal."
    )


class DaySeries(Schema):
    name: str
    days: list[date] = Field(description="Every day of the window, oldest first.")
    counts: list[int]

    @classmethod
    def of(cls, name: str, start: date, days: int, counts: dict[str, int]) -> DaySeries:
        window = [start + timedelta(days=i) for i in range(days)]
        return cls(name=name, days=window, counts=[counts.get(d.isoformat(), 0) for d in window])


class Money(Schema):
    currency: str
    mrr_cents: int
    arr_cents: int


class MessageCounts(Schema):
    channel: str
    provider: str
    sent: int
    failed: int = Field(description="Failed attempts waiting to retry, and dead letters.")
    pending: int


class Dashboard(Schema):
    apps: list[str] | None = Field(description="The apps counted; null: the whole deployment.")
    day: date
    total_users: int
    active_today: int
    new_this_week: int
    dau: int
    mau: int
    dau_mau: float | None
    retention_7d: float | None
    retention_30d: float | None
    churn_rate_30d: float | None
    revenue: list[Money] = Field(description="MRR and ARR per currency.")
    daily: list[DaySeries] = Field(description="The last 30 days: signups, actives, app events.")
    messages: list[MessageCounts] = Field(description="The last 30 days, per channel/provider.")


class BreakerRead(Schema):
    name: str
    state: str = Field(description="closed, half_open or open.")
    failures: int


class HttpFigures(Schema):
    requests: int = Field(description="Answered by this process since it started.")
    server_errors: int
    error_rate: float | None
    p95_ms_at_most: float | None = Field(
        description="The latency bucket bound the 95th percentile falls in (null: above 10 s)."
    )


class SystemHealth(Schema):
    checks: dict[str, dict[str, Any]] = Field(description="Database, Redis: as /health/ready.")
    jobs: dict[str, int] = Field(description="Jobs per status: queued is the queue depth.")
    outbox: dict[str, int] = Field(description="Messages per status: dead are dead letters.")
    breakers: list[BreakerRead]
    http: HttpFigures
    database_connections: dict[str, int] = Field(
        description="This process's pool: in_use, open, pool_size (empty where not counted)."
    )


class LimitRead(Schema):
    app: str | None = Field(description="None: every app.")
    name: str
    value: str
    updated_at: datetime


class LimitWrite(Schema):
    model_config = ConfigDict(extra="forbid")

    value: str = Field(
        max_length=40,
        description="A rate (`5/minute`, `3/5minutes`) or, for an AI budget, tokens (0: no cap).",
        examples=["30/minute"],
    )


class LimitsRead(Schema):
    defaults: dict[str, str | None] = Field(description="Each limit as the settings file has it.")
    budgets: list[str] = Field(description="The names that are AI token budgets.")
    overrides: list[LimitRead]
