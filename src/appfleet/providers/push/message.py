"""One push as both vendors need it, built from an outbox row's payload."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

Service = Literal["fcm", "apns"]
COLLAPSE_ID_MAX_BYTES = 64  # APNs refuses longer apns-collapse-id values


@dataclass(frozen=True, slots=True)
class PushMessage:
    id: uuid.UUID  # sent as apns-id, so the vendor's log and ours name the same push
    title: str
    body: str
    data: dict[str, str] = field(default_factory=dict)
    # A newer push with the same key replaces an older one still shown on the device.
    collapse_key: str | None = None
    # After this the push is worthless (a streak reminder after midnight): vendors drop it.
    expires_at: datetime | None = None
    urgent: bool = True
    badge: int | None = None

    @classmethod
    def from_payload(cls, message_id: uuid.UUID, payload: dict[str, Any]) -> PushMessage:
        expires = payload.get("expires_at")
        return cls(
            id=message_id,
            title=str(payload.get("title", "")),
            body=str(payload.get("body", "")),
            data={str(k): str(v) for k, v in (payload.get("data") or {}).items()},
            collapse_key=payload.get("collapse_key"),
            expires_at=datetime.fromisoformat(expires) if expires else None,
            urgent=bool(payload.get("urgent", True)),
            badge=payload.get("badge"),
        )

    def ttl_s(self, now: datetime) -> int | None:
        if self.expires_at is None:
            return None
        return max(0, int((self.expires_at - now).total_seconds()))


class DeadToken(Exception):
    """The vendor says this device token no longer reaches an app install."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
