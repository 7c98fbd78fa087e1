"""`/media/...`: local storage's stand-in for a bucket's presigned URLs (embedded mode).

`PUT /media/upload/{token}` takes the body of exactly the signed size and content type;
`GET /media/file/{token}` serves the file. Any other store answers 404 here."""

from __future__ import annotations

import asyncio
import os
import secrets

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse

from appfleet.core.errors import NotFound, PayloadTooLarge, ValidationFailed
from appfleet.core.http import body_limit
from appfleet.core.routing import DeferredRoute
from appfleet.providers.storage.local import BadMediaToken, LocalStorage

router = APIRouter(
    prefix="/media", tags=["media"], include_in_schema=False, route_class=DeferredRoute
)
# The signed size is the real limit (checked below); the middleware's default would refuse
# ordinary photos.
STREAM_LIMIT = 1 << 31


def _local(request: Request) -> LocalStorage:
    storage = request.app.state.storage
    if not isinstance(storage, LocalStorage):
        raise NotFound("Media is served by the object store")
    return storage


def _refused(exc: BadMediaToken) -> ValidationFailed:
    return ValidationFailed(
        "This media link is not valid", details={"reason": "bad_media_token", "why": str(exc)}
    )


@router.put("/upload/{token}", status_code=200, openapi_extra=body_limit(STREAM_LIMIT))
async def upload(token: str, request: Request) -> dict[str, str]:
    storage = _local(request)
    try:
        grant = storage.signer.open(token, "PUT")
    except BadMediaToken as exc:
        raise _refused(exc) from None
    content_type = request.headers.get("content-type", "").split(";")[0].strip()
    if content_type != grant.content_type:
        raise ValidationFailed(
            "The Content-Type differs from the one the upload was signed for",
            details={"reason": "content_type_mismatch", "expected": grant.content_type},
        )
    size = grant.size or 0
    target = storage.path_of(grant.key)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.part")
    received = 0
    try:
        with partial.open("wb") as file:
            async for chunk in request.stream():
                received += len(chunk)
                if received > size:
                    raise PayloadTooLarge(
                        "The body is larger than the upload was signed for",
                        details={"limit": size},
                    )
                file.write(chunk)
        if received != size:
            raise ValidationFailed(
                "The body is shorter than the upload was signed for",
                details={"reason": "size_mismatch", "expected": size, "received": received},
            )
        storage.commit_upload(grant.key, partial, content_type)
    finally:
        await asyncio.to_thread(partial.unlink, missing_ok=True)  # what a refused body left
    return {"key": grant.key}


@router.get("/file/{token}")
async def download(token: str, request: Request) -> FileResponse:
    storage = _local(request)
    try:
        grant = storage.signer.open(token, "GET")
    except BadMediaToken as exc:
        raise _refused(exc) from None
    stored = await storage.stat(grant.key)
    if stored is None:
        raise NotFound("No such file")
    return FileResponse(
        storage.path_of(grant.key),
        media_type=grant.content_type or stored.content_type or "application/octet-stream",
        headers={"Cache-Control": "private, max-age=300"},
    )
