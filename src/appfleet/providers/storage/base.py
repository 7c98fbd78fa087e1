from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class PresignedUpload:
    """How the client sends the file: `method` to `url` with exactly these headers."""

    url: str
    method: str
    headers: dict[str, str] = field(default_factory=dict)
    expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class StoredObject:
    size: int
    content_type: str | None


@runtime_checkable
class Storage(Protocol):
    name: str

    def presign_upload(
        self, key: str, *, content_type: str, size: int, expires_s: int
    ) -> PresignedUpload: ...

    def download_url(self, key: str, *, expires_s: int, content_type: str | None = None) -> str: ...

    async def stat(self, key: str) -> StoredObject | None: ...

    async def read(self, key: str) -> bytes: ...

    async def write(self, key: str, data: bytes, content_type: str) -> None: ...

    async def delete(self, key: str) -> None: ...

    async def delete_prefix(self, prefix: str) -> int:
        """Delete every object under `prefix`; how many were deleted."""
        ...


class StorageUnavailable(Exception):
    """The store did not answer as it should (down, refusing our keys)."""
