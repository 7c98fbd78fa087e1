from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any, Literal, Self

from pydantic import ConfigDict, Field, field_validator, model_validator

from appfleet.core.clock import LocalTime
from appfleet.core.schemas import Schema

HEX_TOKEN = re.compile(r"^[0-9a-fA-F]{64,200}$")


class DeviceRegister(Schema):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=8, max_length=320, description="The device's push token.")
    platform: Literal["ios", "android", "web"]
    service: Literal["fcm", "apns"] | None = Field(
        None,
        description="Who delivers to this token. Default: APNs for an iOS token in hex (a raw "
        "APNs device token), FCM otherwise (Android, web, and iOS apps using Firebase).",
    )

    @field_validator("token")
    @classmethod
    def _no_spaces(cls, value: str) -> str:
        value = value.strip()
        if any(c.isspace() for c in value):
            raise ValueError("a push token has no spaces")
        return value

    @property
    def delivery_service(self) -> str:
        if self.service is not None:
            return self.service
        return "apns" if self.platform == "ios" and HEX_TOKEN.match(self.token) else "fcm"


class DeviceUnregister(Schema):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=8, max_length=320)


class DeviceRead(Schema):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    platform: str
    service: str
    created_at: datetime
    last_seen_at: datetime


class NotificationRead(Schema):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: str
    title: str
    body: str
    data: dict[str, Any]
    created_at: datetime
    read_at: datetime | None
    opened_at: datetime | None
    push_state: str = Field(
        description="queued, held (waiting for quiet hours to end), quiet (expired during "
        "quiet hours), capped (daily limit), muted, no_devices, withdrawn (replaced first)"
    )


class DeliveryRead(Schema):
    """One push of a notification to one device, as the delivery log records it."""

    device_id: uuid.UUID | None
    platform: str | None
    provider: str | None
    status: str = Field(
        description="pending, sent (accepted by the provider), failed (retrying), dead, cancelled"
    )
    provider_ref: str | None = Field(description="The provider's id for the accepted push.")
    attempts: int
    queued_at: datetime
    not_before: datetime
    sent_at: datetime | None
    last_error: str | None


class NotificationDetail(NotificationRead):
    deliveries: list[DeliveryRead]


class NotificationPage(Schema):
    items: list[NotificationRead]
    next_cursor: str | None
    unread: int = Field(description="Unread notifications in all (for a badge).")


class QuietHours(Schema):
    model_config = ConfigDict(extra="forbid")

    start: LocalTime = Field(description="Local time quiet hours begin, e.g. 22:00.")
    end: LocalTime = Field(description="Local time they end, e.g. 07:00 (the next day if earlier).")

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if self.start == self.end:
            raise ValueError("quiet hours must start and end at different times")
        return self


class PreferencesRead(Schema):
    quiet_hours: QuietHours | None
    daily_limit: int = Field(description="Pushes per local day; more stay in the inbox only.")
    muted_kinds: list[str]


class PreferencesUpdate(Schema):
    model_config = ConfigDict(extra="forbid")

    quiet_hours: QuietHours | None = Field(None, description="null turns quiet hours off.")
    daily_limit: int | None = Field(None, ge=0, le=100, description="null: the default.")
    muted_kinds: list[str] = Field(default_factory=list, max_length=50)

    @field_validator("muted_kinds")
    @classmethod
    def _kinds(cls, value: list[str]) -> list[str]:
        for kind in value:
            if not re.fullmatch(r"[a-z][a-z0-9_.-]{0,39}", kind):
                raise ValueError(f"{kind!r} is not a notification kind")
        return sorted(set(value))


class TestPush(Schema):
    model_config = ConfigDict(extra="forbid")

    title: str = Field("Test notification", min_length=1, max_length=200)
    body: str = Field("Push notifications reach this device.", min_length=1, max_length=1000)
