from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Request

from appfleet.core.deps import CurrentApp, DbSession
from appfleet.core.errors import NotFound
from appfleet.core.settings import PushSettings
from appfleet.platform.auth.deps import CurrentClaims
from appfleet.platform.notifications.models import Notification
from appfleet.platform.notifications.repository import NotificationRepository


async def get_push_settings(request: Request) -> PushSettings:
    return request.app.state.settings.push  # type: ignore[no-any-return]


async def get_owned_notification(
    notification_id: uuid.UUID, claims: CurrentClaims, session: DbSession, app: CurrentApp
) -> Notification:
    """The caller's notification in this app; anyone else's (or another app's) is a 404."""
    found = await NotificationRepository(session, app.name, claims.user_id).get(notification_id)
    if found is None:
        raise NotFound("No such notification")
    return found


PushSettingsDep = Annotated[PushSettings, Depends(get_push_settings)]
OwnedNotification = Annotated[Notification, Depends(get_owned_notification)]
