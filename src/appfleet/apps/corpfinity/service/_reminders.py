"""Reminders: kept per user, each with its next firing time computed in the user's timezone
(DST included), fired by a job every minute exactly once per occurrence."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.corpfinity.models import Reminder
from appfleet.apps.corpfinity.repository import UserData
from appfleet.apps.corpfinity.schemas import (
    ReminderCreate,
    ReminderRead,
    ReminderUpdate,
    check_days,
)
from appfleet.apps.corpfinity.service._common import Member, Runtime
from appfleet.core.clock import next_local_time_on
from appfleet.core.errors import NotFound, ValidationFailed
from appfleet.core.patching import patch_values
from appfleet.core.registry import AppContext
from appfleet.platform.notifications import service as notifications
from appfleet.platform.notifications.service import Draft, Recipient
from appfleet.platform.users.models import User

WEEKDAYS, WEEKENDS = frozenset(range(5)), frozenset({5, 6})
STALE_AFTER = timedelta(hours=1)  # a reminder missed by longer (workers down) is skipped


ALL_DAYS = frozenset(range(7))


def days_of(reminder: Reminder) -> frozenset[int]:
    if reminder.frequency == "weekdays":
        return WEEKDAYS
    if reminder.frequency == "weekends":
        return WEEKENDS
    if reminder.frequency == "custom":
        return frozenset(reminder.custom_days)
    return ALL_DAYS


def next_fire(reminder: Reminder, after: datetime, timezone: str) -> datetime | None:
    """The first time strictly after `after` when the reminder is due in `timezone`."""
    if not reminder.enabled:
        return None
    wall = time(reminder.time_hour, reminder.time_minute)
    return next_local_time_on(after, wall, timezone, days_of(reminder))


async def listing(session: AsyncSession, member: Member) -> list[ReminderRead]:
    rows = await session.scalars(
        UserData(session, member.user_id)
        .reminders()
        .order_by(Reminder.time_hour, Reminder.time_minute)
    )
    return [ReminderRead.model_validate(r) for r in rows]


async def create(
    session: AsyncSession, rt: Runtime, member: Member, body: ReminderCreate
) -> ReminderRead:
    now = rt.clock.now()
    reminder = Reminder(
        id=uuid.uuid4(),
        user_id=member.user_id,
        timezone=member.timezone,
        created_at=now,
        updated_at=now,
        **body.model_dump(),
    )
    reminder.next_fire_at = next_fire(reminder, now, member.timezone)
    session.add(reminder)
    await session.flush()
    return ReminderRead.model_validate(reminder)


async def owned(session: AsyncSession, member: Member, reminder_id: uuid.UUID) -> Reminder:
    reminder = await UserData(session, member.user_id).reminder(reminder_id)
    if reminder is None:
        raise NotFound("No such reminder")
    return reminder


async def update(
    session: AsyncSession, rt: Runtime, member: Member, reminder: Reminder, change: ReminderUpdate
) -> ReminderRead:
    values = patch_values(change, nullable=("message", "custom_days"))
    if "custom_days" in values and values["custom_days"] is None:
        values["custom_days"] = []
    frequency = values.get("frequency") or reminder.frequency
    days = values.get("custom_days", reminder.custom_days)
    try:
        check_days(frequency, days)
    except ValueError as exc:
        raise ValidationFailed(str(exc), details={"custom_days": {"message": str(exc)}}) from None
    for name, value in values.items():
        setattr(reminder, name, value)
    now = rt.clock.now()
    reminder.timezone, reminder.updated_at = member.timezone, now
    reminder.next_fire_at = next_fire(reminder, now, member.timezone)
    await session.flush()
    return ReminderRead.model_validate(reminder)


async def remove(session: AsyncSession, reminder: Reminder) -> None:
    await session.delete(reminder)


async def fire_due(session: AsyncSession, rt: Runtime, app: AppContext, limit: int = 500) -> int:
    """Push every reminder whose time has come; how many were pushed. Each occurrence is one
    notification (keyed by the reminder and its time); rows are locked (SKIP LOCKED) so two
    runs never take the same reminder."""
    now = rt.clock.now()
    due = await session.execute(
        select(Reminder, User.timezone)
        .join(User, User.id == Reminder.user_id)
        .where(Reminder.enabled.is_(True), Reminder.next_fire_at <= now, User.is_active.is_(True))
        .order_by(Reminder.next_fire_at)
        .limit(limit)
        .with_for_update(skip_locked=True, of=Reminder)
    )
    pushed = 0
    for reminder, timezone in due.all():
        scheduled = reminder.next_fire_at
        if scheduled is None:  # the query only selects scheduled ones
            continue
        if timezone != reminder.timezone:
            # The user moved timezones: their reminder keeps its local time in the new zone.
            reminder.timezone = timezone
            moved = next_fire(reminder, scheduled - timedelta(minutes=1), timezone)
            if moved is not None and moved > now:
                reminder.next_fire_at = moved
                continue
        if now - scheduled <= STALE_AFTER:
            following = next_fire(reminder, now, timezone)
            await notifications.notify(
                session,
                rt.clock,
                app,
                Recipient(reminder.user_id, timezone),
                Draft(
                    kind="reminder",
                    title=reminder.title,
                    body=reminder.message or f"Time for your {reminder.type.replace('_', ' ')}!",
                    data={"reminder_id": str(reminder.id)},
                    key=f"reminder:{reminder.id}:{scheduled.isoformat()}",
                    collapse_key=f"reminder:{reminder.id}",
                    expires_at=following,
                ),
                default_daily_limit=rt.daily_push_limit,
            )
            pushed += 1
        reminder.next_fire_at = next_fire(reminder, now, timezone)
    return pushed
