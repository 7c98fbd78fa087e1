"""Uploads under every app prefix."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from appfleet.core.deps import ClockDep, CurrentApp, DbSession
from appfleet.core.pagination import CursorPaging
from appfleet.core.routing import app_router
from appfleet.platform.auth.deps import CurrentClaims, per_user
from appfleet.platform.uploads import service
from appfleet.platform.uploads.deps import OwnedUpload, Quota, StorageDep, StorageSettingsDep
from appfleet.platform.uploads.schemas import UploadCreate, UploadPage, UploadRead, UploadTicket

router = app_router(prefix="/uploads", tags=["uploads"])


@router.post("", status_code=201, dependencies=[per_user("uploads")])
async def start_upload(
    body: UploadCreate,
    claims: CurrentClaims,
    session: DbSession,
    clock: ClockDep,
    app: CurrentApp,
    storage: StorageDep,
    settings: StorageSettingsDep,
    quota: Quota,
) -> UploadTicket:
    """A presigned URL to send the file to; then POST /uploads/{id}/complete."""
    return await service.start(
        session, clock, storage, settings, app, claims.user_id, body, quota_bytes=quota
    )


@router.post("/{upload_id}/complete")
async def complete_upload(
    upload: OwnedUpload,
    session: DbSession,
    clock: ClockDep,
    storage: StorageDep,
    settings: StorageSettingsDep,
) -> UploadRead:
    """Check the file arrived as signed; it is yours from now on."""
    await service.complete(session, clock, storage, upload)
    return service.read(upload, storage, settings, clock)


@router.get("")
async def list_uploads(
    claims: CurrentClaims,
    session: DbSession,
    clock: ClockDep,
    app: CurrentApp,
    storage: StorageDep,
    settings: StorageSettingsDep,
    quota: Quota,
    paging: CursorPaging,
    purpose: Annotated[str | None, Query(max_length=40)] = None,
) -> UploadPage:
    """Your files in this app, newest first, with the storage you use."""
    return await service.page(
        session,
        clock,
        storage,
        settings,
        app,
        claims.user_id,
        paging,
        purpose=purpose,
        quota_bytes=quota,
    )


@router.get("/{upload_id}")
async def read_upload(
    upload: OwnedUpload, clock: ClockDep, storage: StorageDep, settings: StorageSettingsDep
) -> UploadRead:
    """One file, with time-limited download links."""
    return service.read(upload, storage, settings, clock)


@router.delete("/{upload_id}", status_code=204)
async def delete_upload(upload: OwnedUpload, session: DbSession, storage: StorageDep) -> None:
    """Delete the file (and its variant)."""
    await service.remove(session, storage, upload)
