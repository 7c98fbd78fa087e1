"""Local-disk storage for embedded mode. Upload and download URLs point at appfleet itself
(`/media/...`, see router.py) and carry a signed token naming the key, the method, the expiry
and, for uploads, the exact size and content type, so they work like presigned S3 URLs:
unguessable, time-limited, and good for one object only."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from appfleet.providers.storage.base import PresignedUpload, StoredObject

UPLOAD_PATH = "/media/upload/"
DOWNLOAD_PATH = "/media/file/"


class BadMediaToken(Exception):
    """The media URL was tampered with, is for another method, or has expired."""


@dataclass(frozen=True, slots=True)
class Grant:
    key: str
    method: str  # PUT | GET
    expires: int
    content_type: str | None = None
    size: int | None = None


class MediaSigner:
    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(f"{secret}:media".encode()).digest()

    def sign(self, grant: Grant) -> str:
        body = json.dumps(
            [grant.key, grant.method, grant.expires, grant.content_type, grant.size],
            separators=(",", ":"),
        ).encode()
        mac = hmac.new(self._key, body, hashlib.sha256).digest()[:20]
        return f"{_b64(body)}.{_b64(mac)}"

    def open(self, token: str, method: str, now: float | None = None) -> Grant:
        try:
            body_part, mac_part = token.split(".", 1)
            body, mac = _unb64(body_part), _unb64(mac_part)
        except ValueError:
            raise BadMediaToken("malformed") from None
        expected = hmac.new(self._key, body, hashlib.sha256).digest()[:20]
        if not hmac.compare_digest(mac, expected):
            raise BadMediaToken("bad signature")
        key, granted_method, expires, content_type, size = json.loads(body)
        if granted_method != method:
            raise BadMediaToken(f"this link is for {granted_method}")
        if (now if now is not None else time.time()) > expires:
            raise BadMediaToken("expired")
        return Grant(key, granted_method, expires, content_type, size)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise ValueError("not base64") from exc


class LocalStorage:
    name = "local"

    def __init__(self, root: Path, public_url: str, signer: MediaSigner) -> None:
        self.root = root.resolve()
        self._public = public_url.rstrip("/")
        self.signer = signer

    def path_of(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root) or path == self.root:
            raise ValueError(f"{key!r} leaves the media directory")
        return path

    def presign_upload(
        self, key: str, *, content_type: str, size: int, expires_s: int
    ) -> PresignedUpload:
        expires = int(time.time()) + expires_s
        token = self.signer.sign(Grant(key, "PUT", expires, content_type, size))
        return PresignedUpload(
            url=f"{self._public}{UPLOAD_PATH}{token}",
            method="PUT",
            headers={"Content-Type": content_type, "Content-Length": str(size)},
            expires_at=datetime.fromtimestamp(expires, UTC),
        )

    def download_url(self, key: str, *, expires_s: int, content_type: str | None = None) -> str:
        grant = Grant(key, "GET", int(time.time()) + expires_s, content_type)
        return f"{self._public}{DOWNLOAD_PATH}{self.signer.sign(grant)}"

    async def stat(self, key: str) -> StoredObject | None:
        path = self.path_of(key)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            return None
        meta = _read_meta(path)
        return StoredObject(size=size, content_type=meta.get("content_type"))

    async def read(self, key: str) -> bytes:
        return await asyncio.to_thread(self.path_of(key).read_bytes)

    async def write(self, key: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(self._write, self.path_of(key), data, content_type)

    def _write(self, path: Path, data: bytes, content_type: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}.part")
        partial.write_bytes(data)
        _meta_path(path).write_text(json.dumps({"content_type": content_type}))
        partial.replace(path)  # readers see the whole file or none

    def commit_upload(self, key: str, partial: Path, content_type: str) -> None:
        """Move a streamed upload into place (the media router writes it to `partial`)."""
        path = self.path_of(key)
        _meta_path(path).write_text(json.dumps({"content_type": content_type}))
        partial.replace(path)

    async def delete(self, key: str) -> None:
        path = self.path_of(key)
        path.unlink(missing_ok=True)
        _meta_path(path).unlink(missing_ok=True)

    async def delete_prefix(self, prefix: str) -> int:
        return await asyncio.to_thread(self._delete_tree, self.path_of(prefix.rstrip("/")))

    @staticmethod
    def _delete_tree(base: Path) -> int:
        if not base.exists():
            return 0
        files = [p for p in base.rglob("*") if p.is_file() and not p.name.startswith(".")]
        for path in base.rglob("*"):
            if path.is_file():
                path.unlink(missing_ok=True)
        for directory in sorted((p for p in base.rglob("*") if p.is_dir()), reverse=True):
            directory.rmdir()
        base.rmdir()
        return len(files)


def _meta_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.meta")


def _read_meta(path: Path) -> dict[str, Any]:
    try:
        meta = json.loads(_meta_path(path).read_text())
    except (FileNotFoundError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}
