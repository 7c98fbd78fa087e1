"""Local storage: signed media links that cannot be altered, reused for another method or used
late, keys that cannot leave the media directory, and prefix deletion."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from appfleet.providers.storage.local import BadMediaToken, Grant, LocalStorage, MediaSigner

pytestmark = pytest.mark.anyio


def storage(tmp_path: Path) -> LocalStorage:
    return LocalStorage(tmp_path / "media", "https://api.example.com/", MediaSigner("s" * 40))


def test_a_signed_grant_opens_only_as_signed(tmp_path: Path) -> None:
    signer = MediaSigner("s" * 40)
    grant = Grant("app/private/u/avatar/1.png", "PUT", int(time.time()) + 60, "image/png", 10)
    token = signer.sign(grant)
    assert signer.open(token, "PUT") == grant
    with pytest.raises(BadMediaToken, match="for PUT"):
        signer.open(token, "GET")
    with pytest.raises(BadMediaToken, match="expired"):
        signer.open(token, "PUT", now=time.time() + 61)
    body, mac = token.split(".")
    other = signer.sign(Grant("app/private/other/x.png", "PUT", grant.expires, "image/png", 10))
    with pytest.raises(BadMediaToken, match="signature"):
        signer.open(f"{other.split('.')[0]}.{mac}", "PUT")  # another grant's body
    with pytest.raises(BadMediaToken, match="signature"):
        MediaSigner("another secret that is long").open(token, "PUT")
    with pytest.raises(BadMediaToken, match="malformed"):
        signer.open("no-dot-here", "PUT")


def test_urls_point_at_the_public_address(tmp_path: Path) -> None:
    store = storage(tmp_path)
    upload = store.presign_upload(
        "a/private/u/x/1.png", content_type="image/png", size=5, expires_s=60
    )
    assert upload.url.startswith("https://api.example.com/media/upload/")
    assert upload.headers == {"Content-Type": "image/png", "Content-Length": "5"}
    assert store.download_url("a/b.png", expires_s=60).startswith(
        "https://api.example.com/media/file/"
    )


@pytest.mark.parametrize("key", ["../outside.png", "a/../../etc/passwd", "/etc/passwd", ""])
def test_keys_cannot_leave_the_media_directory(tmp_path: Path, key: str) -> None:
    with pytest.raises(ValueError, match="leaves"):
        storage(tmp_path).path_of(key)


async def test_write_stat_read_and_delete_by_prefix(tmp_path: Path) -> None:
    store = storage(tmp_path)
    await store.write("cf/private/u1/avatar/a.png", b"one", "image/png")
    await store.write("cf/private/u1/voice/b.mp3", b"two!", "audio/mpeg")
    await store.write("cf/private/u2/avatar/c.png", b"three", "image/png")
    found = await store.stat("cf/private/u1/voice/b.mp3")
    assert found is not None and (found.size, found.content_type) == (4, "audio/mpeg")
    assert await store.read("cf/private/u1/avatar/a.png") == b"one"

    assert await store.delete_prefix("cf/private/u1/") == 2
    assert await store.stat("cf/private/u1/avatar/a.png") is None
    assert not (tmp_path / "media" / "cf" / "private" / "u1").exists()
    assert await store.read("cf/private/u2/avatar/c.png") == b"three"
    assert await store.delete_prefix("cf/private/nobody/") == 0
