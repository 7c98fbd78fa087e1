"""Uploads: sign, check what arrived, hand out download links, make image variants, erase.

The phone sends the file straight to the store with a presigned PUT that fixes its size and
type; appfleet never proxies the bytes (except in embedded mode, where it is the store). Since
an S3-compatible store cannot cap a PUT by policy the way S3's POST can, the object is checked
again when the client completes the upload: its size and type must be the signed ones, and the
user's quota counts what is stored plus uploads still in flight.
"""

from __future__ import annotations

import asyncio
import io
import mimetypes
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.core.clock import Clock
from appfleet.core.logging import get_logger
from appfleet.core.pagination import CursorParams, cursor_page, keyset_page
from appfleet.core.registry import AppContext, AppRegistry
from appfleet.core.settings import StorageSettings
from appfleet.core.tasks import JobContext, Task
from appfleet.platform.uploads.errors import (
    FileTooLarge,
    NotAllowedHere,
    NotAsSigned,
    NotReceived,
    QuotaExceeded,
)
from appfleet.platform.uploads.models import Upload
from appfleet.platform.uploads.schemas import (
    UploadCreate,
    UploadInstructions,
    UploadPage,
    UploadRead,
    UploadTicket,
)
from appfleet.providers.storage.base import Storage
from appfleet.runtime.jobs import queue

log = get_logger("appfleet.uploads")
VARIANT_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif"}
EXTENSIONS = {"image/jpeg": ".jpg", "audio/mpeg": ".mp3", "audio/mp4": ".m4a"}


def _scope(app: AppContext, user_id: uuid.UUID) -> ColumnElement[bool]:
    return (Upload.app == app.name) & (Upload.user_id == user_id)


async def used_bytes(
    session: AsyncSession, app: AppContext, user_id: uuid.UUID, now: datetime
) -> int:
    """Stored files plus uploads still in flight (their URLs have not expired)."""
    query = select(func.coalesce(func.sum(Upload.size), 0)).where(
        _scope(app, user_id),
        or_(Upload.status == "ready", Upload.expires_at > now),
    )
    return int(await session.scalar(query) or 0)


def quota_for(settings: StorageSettings, paid: bool) -> int:
    return settings.quota_paid_bytes if paid else settings.quota_free_bytes


async def start(
    session: AsyncSession,
    clock: Clock,
    storage: Storage,
    settings: StorageSettings,
    app: AppContext,
    user_id: uuid.UUID,
    body: UploadCreate,
    *,
    quota_bytes: int,
) -> UploadTicket:
    allowed = settings.purposes.get(body.purpose)
    if allowed is None:
        raise NotAllowedHere(
            f"Unknown purpose {body.purpose!r}",
            details={"purpose": {"allowed": sorted(settings.purposes)}},
        )
    if body.content_type not in allowed:
        raise NotAllowedHere(details={"content_type": {"allowed": allowed}})
    if body.size > settings.max_file_bytes:
        raise FileTooLarge(details={"size": {"limit": settings.max_file_bytes}})
    now = clock.now()
    used = await used_bytes(session, app, user_id, now)
    if used + body.size > quota_bytes:
        raise QuotaExceeded(details={"used_bytes": used, "quota_bytes": quota_bytes})
    upload_id = uuid.uuid4()
    extension = EXTENSIONS.get(body.content_type) or mimetypes.guess_extension(body.content_type)
    key = f"{app.name}/private/{user_id}/{body.purpose}/{upload_id}{extension or ''}"
    signed = storage.presign_upload(
        key, content_type=body.content_type, size=body.size, expires_s=settings.upload_url_ttl_s
    )
    expires_at = now + timedelta(seconds=settings.upload_url_ttl_s)
    session.add(
        Upload(
            id=upload_id,
            app=app.name,
            user_id=user_id,
            key=key,
            purpose=body.purpose,
            filename=body.filename,
            content_type=body.content_type,
            size=body.size,
            status="pending",
            created_at=now,
            expires_at=expires_at,
        )
    )
    return UploadTicket(
        id=upload_id,
        key=key,
        purpose=body.purpose,
        status="pending",
        upload=UploadInstructions(url=signed.url, method=signed.method, headers=signed.headers),
        expires_at=expires_at,
    )


async def complete(session: AsyncSession, clock: Clock, storage: Storage, upload: Upload) -> None:
    """Accept the upload once the object is there as signed; refuse (and delete) otherwise."""
    if upload.status == "ready":
        return  # a retried completion
    # With local storage this is a file stat; with S3 a HEAD (scaled mode is PostgreSQL, so
    # no SQLite writer waits on it).
    found = await storage.stat(upload.key)
    if found is None:
        raise NotReceived(details={"key": upload.key})
    type_ok = found.content_type is None or found.content_type.split(";")[0] == upload.content_type
    if found.size != upload.size or not type_ok:
        await storage.delete(upload.key)
        await session.delete(upload)
        raise NotAsSigned(
            details={
                "expected": {"size": upload.size, "content_type": upload.content_type},
                "received": {"size": found.size, "content_type": found.content_type},
            },
            keep_changes=True,
        )
    upload.status, upload.completed_at = "ready", clock.now()
    if upload.content_type in VARIANT_TYPES:
        upload.variant_status = "pending"
        await queue.enqueue(session, clock, VARIANT, {"upload_id": str(upload.id)})


async def store_generated(
    session: AsyncSession,
    clock: Clock,
    storage: Storage,
    app: AppContext,
    user_id: uuid.UUID,
    *,
    purpose: str,
    data: bytes,
    content_type: str,
    extension: str,
    filename: str,
) -> Upload:
    """Keep a file the server made for the user (a voice message) as one of their uploads:
    listed, downloadable, counted in their quota, erased with the account. Call it before the
    unit of work has written anything (the store is written first)."""
    upload_id = uuid.uuid4()
    key = f"{app.name}/private/{user_id}/{purpose}/{upload_id}{extension}"
    await storage.write(key, data, content_type)
    now = clock.now()
    upload = Upload(
        id=upload_id,
        app=app.name,
        user_id=user_id,
        key=key,
        purpose=purpose,
        filename=filename,
        content_type=content_type,
        size=len(data),
        status="ready",
        created_at=now,
        expires_at=now,
        completed_at=now,
    )
    session.add(upload)
    return upload


def read(upload: Upload, storage: Storage, settings: StorageSettings, clock: Clock) -> UploadRead:
    body = UploadRead.model_validate(upload)
    if upload.status != "ready":
        return body
    ttl = settings.download_url_ttl_s
    body.download_url = storage.download_url(
        upload.key, expires_s=ttl, content_type=upload.content_type
    )
    if upload.variant_status == "ready" and upload.variant_key:
        body.variant_url = storage.download_url(
            upload.variant_key, expires_s=ttl, content_type="image/webp"
        )
    body.links_expire_at = clock.now() + timedelta(seconds=ttl)
    return body


async def page(
    session: AsyncSession,
    clock: Clock,
    storage: Storage,
    settings: StorageSettings,
    app: AppContext,
    user_id: uuid.UUID,
    params: CursorParams,
    *,
    purpose: str | None,
    quota_bytes: int,
) -> UploadPage:
    statement = select(Upload).where(_scope(app, user_id), Upload.status == "ready")
    if purpose:
        statement = statement.where(Upload.purpose == purpose)
    columns: list[Any] = [Upload.created_at, Upload.id]
    rows = list(
        await session.scalars(keyset_page(statement, columns, params, [datetime, uuid.UUID]))
    )
    items, cursor = cursor_page(rows, params, lambda u: (u.created_at, str(u.id)))
    return UploadPage(
        items=[read(u, storage, settings, clock) for u in items],
        next_cursor=cursor,
        used_bytes=await used_bytes(session, app, user_id, clock.now()),
        quota_bytes=quota_bytes,
    )


async def remove(session: AsyncSession, storage: Storage, upload: Upload) -> None:
    for key in (upload.key, upload.variant_key):
        if key:
            await storage.delete(key)
    await session.delete(upload)


async def erase_media(storage: Storage, registry: AppRegistry, user_id: uuid.UUID) -> None:
    """Delete every file of a purged account, in every app (its rows go with the account)."""
    for app in registry:
        await storage.delete_prefix(f"{app.name}/private/{user_id}/")


async def abandoned(session: AsyncSession, clock: Clock, *, limit: int = 500) -> list[Upload]:
    """Pending uploads whose URL expired a day ago: never completed, perhaps half-sent."""
    cutoff = clock.now() - timedelta(days=1)
    query = select(Upload).where(Upload.status == "pending", Upload.expires_at < cutoff)
    return list(await session.scalars(query.limit(limit)))


async def forget(session: AsyncSession, upload_ids: list[uuid.UUID]) -> None:
    await session.execute(delete(Upload).where(Upload.id.in_(upload_ids)))


# The WebP variant


def webp_variant(data: bytes, max_px: int) -> bytes:
    """A WebP copy at most `max_px` across, EXIF orientation applied (CPU work: run in a
    thread). Pillow's decompression-bomb guard refuses absurd pixel counts."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as image:
        image.seek(0)  # an animated GIF: its first frame
        frame = ImageOps.exif_transpose(image) or image
        frame.thumbnail((max_px, max_px))
        if frame.mode not in ("RGB", "RGBA"):
            frame = frame.convert("RGBA" if "A" in frame.getbands() else "RGB")
        out = io.BytesIO()
        frame.save(out, format="WEBP", quality=80, method=4)
        return out.getvalue()


async def make_variant(context: JobContext, args: dict[str, object]) -> None:
    from PIL import Image, UnidentifiedImageError

    storage = context.resource(Storage)
    settings = context.resource(StorageSettings)
    upload_id = uuid.UUID(str(args["upload_id"]))
    async with context.db.session(write=False) as reading:
        upload = await reading.get(Upload, upload_id)
    if upload is None or upload.status != "ready":
        return  # deleted meanwhile
    # The slow part comes before the job's transaction (SQLite has one writer).
    variant_key = f"{upload.key.rsplit('.', 1)[0]}.variant.webp"
    try:
        original = await storage.read(upload.key)
        variant = await asyncio.to_thread(webp_variant, original, settings.variant_max_px)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError) as exc:
        # Not an image Pillow can read (or a bomb): the original stays, without a variant.
        log.info("upload_variant_unsupported", upload=str(upload_id), error=type(exc).__name__)
        status, key = "unsupported", None
    else:
        await storage.write(variant_key, variant, "image/webp")
        status, key = "ready", variant_key
    stored = await context.session.get(Upload, upload_id)
    if stored is not None:
        stored.variant_status, stored.variant_key = status, key


VARIANT = Task("uploads.variant", make_variant, queue="default", timeout_s=120, max_attempts=3)
