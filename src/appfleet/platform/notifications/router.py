"""Notifications under every app prefix (seed 000's /notifications endpoints, and the inbox)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Body, Query, Response

from appfleet.core.deps import ClockDep, CurrentApp, DbSession
from appfleet.core.errors import ValidationFailed
from appfleet.core.pagination import CursorPaging
from appfleet.core.routing import app_router
from appfleet.platform.auth.deps import CurrentClaims, CurrentMember, per_user
from appfleet.platform.notifications import service
from appfleet.platform.notifications.deps import OwnedNotification, PushSettingsDep
from appfleet.platform.notifications.schemas import (
    DeviceRead,
    DeviceRegister,
    DeviceUnregister,
    NotificationDetail,
    NotificationPage,
    PreferencesRead,
    PreferencesUpdate,
    TestPush,
)

router = app_router(prefix="/notifications", tags=["notifications"])


@router.post("/register", status_code=201, responses={200: {"model": DeviceRead}})
async def register_device(
    body: DeviceRegister,
    claims: CurrentClaims,
    session: DbSession,
    clock: ClockDep,
    app: CurrentApp,
    response: Response,
) -> DeviceRead:
    """Register this device's push token (201; 200 when it was registered already)."""
    device, created = await service.register_device(session, clock, app, claims.user_id, body)
    if not created:
        response.status_code = 200
    return device


@router.delete("/unregister", status_code=204)
async def unregister_device(
    claims: CurrentClaims,
    session: DbSession,
    app: CurrentApp,
    body: Annotated[DeviceUnregister | None, Body()] = None,
    token: Annotated[str | None, Query(min_length=8, max_length=320)] = None,
) -> None:
    """Stop pushing to this device (the token in the body, or as ?token=)."""
    value = body.token if body is not None else token
    if value is None:
        raise ValidationFailed("Give the token to unregister", details={"token": "required"})
    await service.unregister_device(session, app, claims.user_id, value)


@router.get("/devices")
async def list_devices(
    claims: CurrentClaims, session: DbSession, app: CurrentApp
) -> list[DeviceRead]:
    """Your devices that receive this app's pushes."""
    return await service.devices(session, app, claims.user_id)


@router.post("/test", status_code=202, dependencies=[per_user("push_test")])
async def send_test(
    member: CurrentMember,
    session: DbSession,
    clock: ClockDep,
    app: CurrentApp,
    push: PushSettingsDep,
    body: Annotated[TestPush | None, Body()] = None,
) -> NotificationDetail:
    """Push a test notification to every device of yours (now, whatever the quiet hours)."""
    body = body or TestPush()
    draft = service.Draft(kind="test", title=body.title, body=body.body, urgent=True)
    notification = await service.notify(
        session, clock, app, member.user, draft, default_daily_limit=push.daily_limit
    )
    return await service.detail(session, notification)


@router.get("")
async def list_notifications(
    claims: CurrentClaims,
    session: DbSession,
    app: CurrentApp,
    paging: CursorPaging,
    unread: Annotated[bool, Query(description="Only unread ones.")] = False,
) -> NotificationPage:
    """Your notifications, newest first, with the unread count."""
    return await service.inbox(session, app, claims.user_id, paging, unread_only=unread)


@router.get("/preferences")
async def read_preferences(
    claims: CurrentClaims, session: DbSession, app: CurrentApp, push: PushSettingsDep
) -> PreferencesRead:
    """Quiet hours, daily push limit and muted kinds."""
    return await service.preferences(session, app, claims.user_id, push.daily_limit)


@router.put("/preferences")
async def update_preferences(
    change: PreferencesUpdate,
    claims: CurrentClaims,
    session: DbSession,
    clock: ClockDep,
    app: CurrentApp,
    push: PushSettingsDep,
) -> PreferencesRead:
    """Set quiet hours (local time), the daily push limit and muted kinds."""
    return await service.update_preferences(
        session, clock, app, claims.user_id, change, push.daily_limit
    )


@router.post("/read-all", status_code=204)
async def read_all(
    claims: CurrentClaims, session: DbSession, clock: ClockDep, app: CurrentApp
) -> None:
    """Mark every notification read."""
    await service.mark_all_read(session, clock, app, claims.user_id)


@router.get("/{notification_id}")
async def read_notification(
    notification: OwnedNotification, session: DbSession
) -> NotificationDetail:
    """One notification with its delivery log (one entry per device)."""
    return await service.detail(session, notification)


@router.post("/{notification_id}/opened", status_code=204)
async def mark_opened(notification: OwnedNotification, clock: ClockDep) -> None:
    """The push was tapped: recorded as opened (and read)."""
    service.mark_opened(notification, clock)


@router.post("/{notification_id}/read", status_code=204)
async def mark_read(notification: OwnedNotification, clock: ClockDep) -> None:
    """Mark one notification read."""
    service.mark_read(notification, clock)
