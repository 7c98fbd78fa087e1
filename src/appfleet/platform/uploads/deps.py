from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Request

from appfleet.core.deps import CurrentApp, DbSession
from appfleet.core.errors import NotFound
from appfleet.core.settings import StorageSettings
from appfleet.platform.auth.deps import CurrentClaims
from appfleet.platform.billing.deps import CurrentPlan
from appfleet.platform.billing.service import FREE
from appfleet.platform.uploads.models import Upload
from appfleet.platform.uploads.service import quota_for
from appfleet.providers.storage.base import Storage


async def get_storage(request: Request) -> Storage:
    return request.app.state.storage  # type: ignore[no-any-return]


async def get_storage_settings(request: Request) -> StorageSettings:
    return request.app.state.settings.storage  # type: ignore[no-any-return]


async def get_quota(
    settings: Annotated[StorageSettings, Depends(get_storage_settings)], plan: CurrentPlan
) -> int:
    """The caller's storage quota: the larger one on any paid plan."""
    return quota_for(settings, paid=plan != FREE)


async def get_owned_upload(
    upload_id: uuid.UUID, claims: CurrentClaims, session: DbSession, app: CurrentApp
) -> Upload:
    """The caller's upload in this app; anyone else's (or another app's) is a 404."""
    upload = await session.get(Upload, upload_id)
    if upload is None or upload.user_id != claims.user_id or upload.app != app.name:
        raise NotFound("No such upload")
    return upload


StorageDep = Annotated[Storage, Depends(get_storage)]
StorageSettingsDep = Annotated[StorageSettings, Depends(get_storage_settings)]
Quota = Annotated[int, Depends(get_quota)]
OwnedUpload = Annotated[Upload, Depends(get_owned_upload)]
