from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import ConfigDict, Field

from appfleet.core.schemas import Schema


class UploadCreate(Schema):
    model_config = ConfigDict(extra="forbid")

    filename: str = Field(min_length=1, max_length=200, description="The file's own name.")
    content_type: str = Field(
        min_length=3, max_length=100, pattern=r"^[a-z]+/[a-z0-9.+-]+$", examples=["image/jpeg"]
    )
    size: int = Field(gt=0, description="Bytes; the upload must be exactly this long.")
    purpose: str = Field(
        pattern=r"^[a-z][a-z0-9_]{1,39}$", description="avatar, post_image, voice, attachment…"
    )


class UploadInstructions(Schema):
    """Send the file with `method` to `url`, with exactly these headers."""

    url: str
    method: str
    headers: dict[str, str]


class UploadTicket(Schema):
    id: uuid.UUID
    key: str
    purpose: str
    status: str
    upload: UploadInstructions
    expires_at: datetime = Field(description="The upload URL works until then.")


class UploadRead(Schema):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    key: str
    purpose: str
    filename: str
    content_type: str
    size: int
    status: str
    created_at: datetime
    completed_at: datetime | None
    variant_status: str | None
    download_url: str | None = Field(None, description="Time-limited link (ready uploads).")
    variant_url: str | None = Field(None, description="The WebP variant, once made.")
    links_expire_at: datetime | None = None


class UploadPage(Schema):
    items: list[UploadRead]
    next_cursor: str | None
    used_bytes: int
    quota_bytes: int
