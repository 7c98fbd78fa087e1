"""S3-compatible storage (Cloudflare R2, MinIO, AWS S3).

Every call is a presigned URL: boto3 computes the signature locally (no I/O, so nothing blocks
the event loop) and httpx2 makes the request. Uploads are presigned PUTs that sign the content
type and length, so the store refuses any other file; R2 has no presigned POST policies, so
the size and quota are checked again once the upload is reported complete. Checksums are only
sent when required: boto3 1.36 started adding CRC32 headers that R2 and MinIO refuse.
"""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET  # noqa: S405 - parsing our own store's listing
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

import httpx2

from appfleet.core.settings import StorageSettings
from appfleet.providers.storage.base import PresignedUpload, StorageUnavailable, StoredObject

S3_NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"
SIGNED_CALL_TTL_S = 300  # presigned URLs for our own calls are used at once


class S3Storage:
    name = "s3"

    def __init__(self, settings: StorageSettings, http: httpx2.AsyncClient) -> None:
        # Imported here: a second or so at start-up, and only S3 needs it.
        import boto3  # type: ignore[import-untyped]
        from botocore.config import Config  # type: ignore[import-untyped]

        if not (settings.s3_bucket and settings.s3_access_key_id and settings.s3_secret_access_key):
            raise ValueError("S3 storage needs a bucket, an access key id and a secret key")
        self.bucket = settings.s3_bucket
        self._http = http
        self._client: Any = boto3.client(
            "s3",
            endpoint_url=settings.s3_endpoint_url,
            region_name=settings.s3_region,
            aws_access_key_id=settings.s3_access_key_id,
            aws_secret_access_key=settings.s3_secret_access_key.get_secret_value(),
            config=Config(
                signature_version="s3v4",
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
                s3={"addressing_style": settings.s3_addressing_style},
            ),
        )

    def _sign(self, operation: str, expires_s: int = SIGNED_CALL_TTL_S, **params: Any) -> str:
        url: str = self._client.generate_presigned_url(
            operation, Params={"Bucket": self.bucket, **params}, ExpiresIn=expires_s
        )
        return url

    def presign_upload(
        self, key: str, *, content_type: str, size: int, expires_s: int
    ) -> PresignedUpload:
        url = self._sign(
            "put_object", expires_s, Key=key, ContentType=content_type, ContentLength=size
        )
        return PresignedUpload(
            url=url,
            method="PUT",
            headers={"Content-Type": content_type, "Content-Length": str(size)},
            expires_at=datetime.fromtimestamp(int(time.time()) + expires_s, UTC),
        )

    def download_url(self, key: str, *, expires_s: int, content_type: str | None = None) -> str:
        params: dict[str, Any] = {"Key": key}
        if content_type:
            params["ResponseContentType"] = content_type
        return self._sign("get_object", expires_s, **params)

    async def _call(self, method: str, url: str, **kwargs: Any) -> httpx2.Response:
        try:
            return await self._http.request(method, url, **kwargs)
        except httpx2.TransportError as exc:
            raise StorageUnavailable(f"S3 unreachable: {type(exc).__name__}") from exc

    async def stat(self, key: str) -> StoredObject | None:
        response = await self._call("HEAD", self._sign("head_object", Key=key))
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise StorageUnavailable(f"S3 HEAD {response.status_code}")
        return StoredObject(
            size=int(response.headers.get("content-length", 0)),
            content_type=response.headers.get("content-type"),
        )

    async def read(self, key: str) -> bytes:
        response = await self._call("GET", self._sign("get_object", Key=key), timeout=60)
        if response.status_code != 200:
            raise StorageUnavailable(f"S3 GET {response.status_code}")
        return response.content

    async def write(self, key: str, data: bytes, content_type: str) -> None:
        url = self._sign("put_object", Key=key, ContentType=content_type, ContentLength=len(data))
        response = await self._call(
            "PUT", url, content=data, headers={"Content-Type": content_type}, timeout=60
        )
        if response.status_code != 200:
            raise StorageUnavailable(f"S3 PUT {response.status_code}: {response.text[:200]}")

    async def delete(self, key: str) -> None:
        response = await self._call("DELETE", self._sign("delete_object", Key=key))
        if response.status_code not in (200, 204, 404):
            raise StorageUnavailable(f"S3 DELETE {response.status_code}")

    async def delete_prefix(self, prefix: str) -> int:
        deleted = 0
        token: str | None = None
        while True:
            params: dict[str, Any] = {"Prefix": prefix}
            if token:
                params["ContinuationToken"] = token
            response = await self._call("GET", self._sign("list_objects_v2", **params))
            if response.status_code != 200:
                raise StorageUnavailable(f"S3 LIST {response.status_code}")
            listing = ET.fromstring(response.content)  # noqa: S314 - our store's own XML
            for node in listing.iter(f"{S3_NS}Key"):
                await self.delete(unquote(node.text or ""))  # keys come URL-encoded
                deleted += 1
            truncated = listing.findtext(f"{S3_NS}IsTruncated") == "true"
            token = listing.findtext(f"{S3_NS}NextContinuationToken")
            if not truncated or not token:
                return deleted
