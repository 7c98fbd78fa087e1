"""S3-compatible storage against a local S3 server: a file sent through the presigned PUT is
there to stat, read and download, and prefix deletion pages through the listing. The signature
itself is checked here because the local server accepts any."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest

from appfleet.core.settings import StorageSettings
from appfleet.providers.storage.s3 import S3Storage

pytestmark = pytest.mark.anyio


async def test_a_presigned_upload_lands_and_can_be_read_and_downloaded(
    s3_settings: StorageSettings,
) -> None:
    async with httpx2.AsyncClient() as http:
        store = S3Storage(s3_settings, http)
        key = "corpfinity/private/u1/avatar/a.png"
        ticket = store.presign_upload(key, content_type="image/png", size=5, expires_s=600)
        signed = parse_qs(urlsplit(ticket.url).query)
        # S3 and R2 refuse a PUT whose length or type differs from these signed headers.
        assert signed["X-Amz-SignedHeaders"] == ["content-length;content-type;host"]
        assert signed["X-Amz-Expires"] == ["600"]
        sent = await http.request(
            ticket.method, ticket.url, content=b"hello", headers=ticket.headers
        )
        assert sent.status_code == 200

        found = await store.stat(key)
        assert found is not None and (found.size, found.content_type) == (5, "image/png")
        assert await store.read(key) == b"hello"
        link = store.download_url(key, expires_s=60, content_type="image/png")
        downloaded = await http.get(link)
        assert (downloaded.status_code, downloaded.content) == (200, b"hello")
        assert await store.stat("corpfinity/private/u1/avatar/missing.png") is None


async def test_delete_prefix_removes_only_that_users_files(s3_settings: StorageSettings) -> None:
    async with httpx2.AsyncClient() as http:
        store = S3Storage(s3_settings, http)
        for n in range(3):
            await store.write(f"fit/private/u1/voice/{n} take.mp3", b"x" * n, "audio/mpeg")
        await store.write("fit/private/u2/voice/keep.mp3", b"keep", "audio/mpeg")
        assert await store.delete_prefix("fit/private/u1/") == 3
        assert await store.stat("fit/private/u1/voice/1 take.mp3") is None
        assert await store.read("fit/private/u2/voice/keep.mp3") == b"keep"


async def test_missing_keys_are_refused_at_start(s3_settings: StorageSettings) -> None:
    incomplete = s3_settings.model_copy(update={"s3_bucket": None})
    async with httpx2.AsyncClient() as http:
        with pytest.raises(ValueError, match="bucket"):
            S3Storage(incomplete, http)
