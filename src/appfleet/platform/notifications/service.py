"""Sending notifications, and the user's control over them.

`notify` stores the notification, then decides whether and when it is pushed: not at all when
the user muted its kind, has no device, or reached today's limit (it still shows in the inbox);
at the end of quiet hours when it arrives during them (or never, if it expires first); at once
otherwise. A collapse key withdraws older unread notifications of the same key: they leave the
inbox, their pushes that have not gone out are cancelled, and the devices replace the one
already shown. Limits and quiet hours are in the user's local time.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.core.clock import Clock, local_date, local_day_bounds, next_local_time, zone
from appfleet.core.database import insert
from appfleet.core.pagination import CursorParams, cursor_page, keyset_page
from appfleet.core.registry import AppContext
from appfleet.platform.notifications.models import Notification, NotificationPreference
from appfleet.platform.notifications.repository import NotificationRepository
from appfleet.platform.notifications.schemas import (
    DeliveryRead,
    DeviceRead,
    DeviceRegister,
    NotificationDetail,
    NotificationPage,
    NotificationRead,
    PreferencesRead,
    PreferencesUpdate,
    QuietHours,
)
from appfleet.platform.users.models import User
from appfleet.providers.push.models import PushDevice
from appfleet.runtime import outbox
from appfleet.runtime.outbox import OutboxMessage


@dataclass(frozen=True, slots=True)
class Draft:
    """What to tell the user. `key` makes sending idempotent (the same key twice is one
    notification); `urgent` pushes skip quiet hours and the daily limit (security alerts,
    something the user just asked for)."""

    kind: str
    title: str
    body: str
    data: dict[str, Any] = field(default_factory=dict)
    key: str | None = None
    collapse_key: str | None = None
    expires_at: datetime | None = None
    urgent: bool = False


# Devices


async def register_device(
    session: AsyncSession, clock: Clock, app: AppContext, user_id: uuid.UUID, body: DeviceRegister
) -> tuple[DeviceRead, bool]:
    """Register (or refresh) a token for the caller; answers whether it was new to them."""
    now = clock.now()
    device = await session.scalar(
        select(PushDevice).where(PushDevice.app == app.name, PushDevice.token == body.token)
    )
    created = device is None or device.user_id != user_id
    if device is None:
        device = PushDevice(app=app.name, token=body.token, created_at=now)
        session.add(device)
    elif device.user_id != user_id:
        device.created_at = now  # the install changed hands: the token is the new user's now
    device.user_id = user_id
    device.platform = body.platform
    device.service = body.delivery_service
    device.last_seen_at = now
    device.suspect_at = device.suspect_reason = None  # the app just proved it is installed
    await session.flush()
    return DeviceRead.model_validate(device), created


async def unregister_device(
    session: AsyncSession, app: AppContext, user_id: uuid.UUID, token: str
) -> None:
    """Forget the caller's token (signing out on that device). Someone else's token is left."""
    device = await session.scalar(
        NotificationRepository(session, app.name, user_id)
        .devices()
        .where(PushDevice.token == token)
    )
    if device is not None:
        await session.delete(device)


async def devices(session: AsyncSession, app: AppContext, user_id: uuid.UUID) -> list[DeviceRead]:
    rows = await session.scalars(
        NotificationRepository(session, app.name, user_id).devices().order_by(PushDevice.created_at)
    )
    return [DeviceRead.model_validate(d) for d in rows]


# Sending


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who a notification is for: quiet hours and daily limits are in their timezone."""

    id: uuid.UUID
    timezone: str


async def notify(
    session: AsyncSession,
    clock: Clock,
    app: AppContext,
    user: Recipient | User,
    draft: Draft,
    *,
    default_daily_limit: int,
) -> Notification:
    """Store `draft` for `user` and queue its pushes as their preferences allow."""
    notification, _ = await notify_once(
        session, clock, app, user, draft, default_daily_limit=default_daily_limit
    )
    return notification


async def notify_once(
    session: AsyncSession,
    clock: Clock,
    app: AppContext,
    user: Recipient | User,
    draft: Draft,
    *,
    default_daily_limit: int,
) -> tuple[Notification, bool]:
    """`notify`, saying whether the notification was stored now (False: one with its key was
    already, perhaps committed by a concurrent run a moment ago)."""
    repo = NotificationRepository(session, app.name, user.id)
    if draft.key is not None and (existing := await repo.by_key(draft.key)) is not None:
        return existing, False
    now = clock.now()
    if draft.collapse_key:
        await _withdraw(session, repo, draft.collapse_key, now)
    preference = await repo.preference()
    device_rows = list(await session.scalars(repo.devices()))
    state, not_before = await _push_plan(
        repo, preference, draft, user.timezone, now, bool(device_rows), default_daily_limit
    )
    notification = Notification(
        id=uuid.uuid4(),
        app=app.name,
        user_id=user.id,
        kind=draft.kind,
        title=draft.title,
        body=draft.body,
        data=draft.data,
        key=draft.key,
        collapse_key=draft.collapse_key,
        push_state=state,
        created_at=now,
        expires_at=draft.expires_at,
    )
    session.add(notification)
    if state not in ("queued", "held"):
        return notification, True
    badge = await repo.unread()  # this one included (flushed by the query)
    for device in device_rows:
        await outbox.enqueue(
            session,
            clock,
            channel="push",
            app=app.name,
            recipient=device.token,
            kind=draft.kind,
            user_id=user.id,
            group_id=notification.id,
            not_before=not_before,
            payload={
                "device_id": str(device.id),
                "service": device.service,
                "platform": device.platform,
                "title": draft.title,
                "body": draft.body,
                # What the app needs when the push is tapped (POST /notifications/{id}/opened).
                "data": {**draft.data, "notification_id": str(notification.id), "kind": draft.kind},
                "collapse_key": draft.collapse_key,
                "expires_at": draft.expires_at.isoformat() if draft.expires_at else None,
                "urgent": draft.urgent or draft.expires_at is not None,
                "badge": badge,
            },
        )
    return notification, True


async def _push_plan(
    repo: NotificationRepository,
    preference: NotificationPreference | None,
    draft: Draft,
    timezone: str,
    now: datetime,
    has_devices: bool,
    default_daily_limit: int,
) -> tuple[str, datetime | None]:
    """(push state, deliver-not-before) for a new notification."""
    if preference is not None and draft.kind in preference.muted_kinds and not draft.urgent:
        return "muted", None
    if not has_devices:
        return "no_devices", None
    if draft.urgent:
        return "queued", None
    limit = default_daily_limit
    if preference is not None and preference.daily_limit is not None:
        limit = preference.daily_limit
    start, end = local_day_bounds(local_date(now, timezone), timezone)
    if await repo.pushed_between(start, end) >= limit:
        return "capped", None
    quiet_end = _quiet_until(preference, now, timezone)
    if quiet_end is None:
        return "queued", None
    if draft.expires_at is not None and draft.expires_at <= quiet_end:
        return "quiet", None  # by the time quiet hours end it would be stale
    return "held", quiet_end


def _quiet_until(
    preference: NotificationPreference | None, now: datetime, timezone: str
) -> datetime | None:
    """When the quiet hours `now` falls in end, or None outside them."""
    if preference is None or preference.quiet_start is None or preference.quiet_end is None:
        return None
    start, end = preference.quiet_start, preference.quiet_end
    wall = now.astimezone(zone(timezone)).time().replace(tzinfo=None)
    inside = start <= wall < end if start < end else (wall >= start or wall < end)
    return next_local_time(now, end, timezone) if inside else None


async def _withdraw(
    session: AsyncSession, repo: NotificationRepository, collapse_key: str, now: datetime
) -> None:
    for older in await repo.unread_with_collapse_key(collapse_key):
        older.replaced_at = now
        if older.push_state in ("queued", "held"):
            await outbox.cancel_group(session, older.id)
            if older.push_state == "held":
                older.push_state = "withdrawn"


async def muted(session: AsyncSession, app: AppContext, user_id: uuid.UUID, kind: str) -> bool:
    """Whether the user turned `kind` off (apps skip the email of a muted kind too)."""
    preference = await NotificationRepository(session, app.name, user_id).preference()
    return preference is not None and kind in preference.muted_kinds


# The inbox


async def inbox(
    session: AsyncSession,
    app: AppContext,
    user_id: uuid.UUID,
    params: CursorParams,
    *,
    unread_only: bool,
) -> NotificationPage:
    repo = NotificationRepository(session, app.name, user_id)
    statement = repo.inbox()
    if unread_only:
        statement = statement.where(Notification.read_at.is_(None))
    columns: list[Any] = [Notification.created_at, Notification.id]
    rows = list(
        await session.scalars(keyset_page(statement, columns, params, [datetime, uuid.UUID]))
    )
    page, cursor = cursor_page(rows, params, lambda n: (n.created_at, str(n.id)))
    return NotificationPage(
        items=[NotificationRead.model_validate(n) for n in page],
        next_cursor=cursor,
        unread=await repo.unread(),
    )


async def detail(session: AsyncSession, notification: Notification) -> NotificationDetail:
    """The notification with its delivery log: one entry per device it was pushed to."""
    rows = await session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.group_id == notification.id, OutboxMessage.channel == "push")
        .order_by(OutboxMessage.created_at)
    )
    deliveries = [
        DeliveryRead(
            device_id=uuid.UUID(m.payload["device_id"]) if "device_id" in m.payload else None,
            platform=m.payload.get("platform"),
            provider=m.provider,
            status=m.status,
            provider_ref=m.provider_ref,
            attempts=m.attempts,
            queued_at=m.created_at,
            not_before=m.available_at,
            sent_at=m.sent_at,
            last_error=m.last_error,
        )
        for m in rows
    ]
    read = NotificationRead.model_validate(notification)
    return NotificationDetail(**read.model_dump(), deliveries=deliveries)


def mark_opened(notification: Notification, clock: Clock) -> None:
    """The user tapped the push (or the inbox entry): opened, and so read."""
    now = clock.now()
    notification.opened_at = notification.opened_at or now
    notification.read_at = notification.read_at or now


def mark_read(notification: Notification, clock: Clock) -> None:
    notification.read_at = notification.read_at or clock.now()


async def mark_all_read(
    session: AsyncSession, clock: Clock, app: AppContext, user_id: uuid.UUID
) -> None:
    await session.execute(
        update(Notification)
        .where(
            Notification.app == app.name,
            Notification.user_id == user_id,
            Notification.read_at.is_(None),
        )
        .values(read_at=clock.now())
    )


# Preferences


def _read_preferences(
    preference: NotificationPreference | None, default_daily_limit: int
) -> PreferencesRead:
    if preference is None:
        return PreferencesRead(quiet_hours=None, daily_limit=default_daily_limit, muted_kinds=[])
    quiet = None
    if preference.quiet_start is not None and preference.quiet_end is not None:
        quiet = QuietHours(start=preference.quiet_start, end=preference.quiet_end)
    limit = preference.daily_limit
    return PreferencesRead(
        quiet_hours=quiet,
        daily_limit=default_daily_limit if limit is None else limit,
        muted_kinds=list(preference.muted_kinds),
    )


async def preferences(
    session: AsyncSession, app: AppContext, user_id: uuid.UUID, default_daily_limit: int
) -> PreferencesRead:
    preference = await NotificationRepository(session, app.name, user_id).preference()
    return _read_preferences(preference, default_daily_limit)


async def update_preferences(
    session: AsyncSession,
    clock: Clock,
    app: AppContext,
    user_id: uuid.UUID,
    change: PreferencesUpdate,
    default_daily_limit: int,
) -> PreferencesRead:
    quiet = change.quiet_hours
    values: dict[str, Any] = {
        "quiet_start": _wall(quiet.start) if quiet else None,
        "quiet_end": _wall(quiet.end) if quiet else None,
        "daily_limit": change.daily_limit,
        "muted_kinds": change.muted_kinds,
        "updated_at": clock.now(),
    }
    await session.execute(
        insert(session, NotificationPreference)
        .values(user_id=user_id, app=app.name, **values)
        .on_conflict_do_update(index_elements=["user_id", "app"], set_=values)
    )
    return PreferencesRead(
        quiet_hours=quiet,
        daily_limit=default_daily_limit if change.daily_limit is None else change.daily_limit,
        muted_kinds=change.muted_kinds,
    )


def _wall(moment: time) -> time:
    return moment.replace(tzinfo=None, second=0, microsecond=0)


async def prune(session: AsyncSession, clock: Clock, *, keep_days: int) -> None:
    """Notifications older than the retention period go."""
    cutoff = clock.now() - timedelta(days=keep_days)
    await session.execute(delete(Notification).where(Notification.created_at < cutoff))
