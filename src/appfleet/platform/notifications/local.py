"""Notices sent at a local hour: "Sunday 6 PM wherever each user lives".

A scheduled job calls `due_zones` with the zones an app's members live in (`member_zones`); for
each zone where the hour has come today, `members_due` selects the members not yet sent that
notice for that local day. The notification's key (`notice_key`: kind and local day) is the
record of sending — `notify` stores it in the job's transaction and ignores a second one — so
nothing goes out twice whatever runs again, and a run missed while workers were down is caught
up by the next one on the same local day.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.core.clock import Clock, zone
from appfleet.core.registry import AppContext
from appfleet.platform.notifications.models import Notification
from appfleet.platform.notifications.service import Draft, Recipient, muted, notify_once
from appfleet.platform.users.models import Membership, User
from appfleet.providers.email.queue import queue_email

SUNDAY = 6


@dataclass(frozen=True, slots=True)
class Due:
    timezone: str
    day: date


def notice_key(kind: str, day: date) -> str:
    return f"{kind}:{day.isoformat()}"


def due_zones(zones: Sequence[str], now: datetime, hour: int, weekday: int | None) -> list[Due]:
    """The zones where it is `hour` or later today (and the day is `weekday`, when given)."""
    found = []
    for name in zones:
        local = now.astimezone(zone(name))
        if local.hour >= hour and (weekday is None or local.weekday() == weekday):
            found.append(Due(name, local.date()))
    return found


async def member_zones(session: AsyncSession, app: AppContext) -> list[str]:
    query = (
        select(User.timezone)
        .join(Membership, and_(Membership.user_id == User.id, Membership.app == app.name))
        .where(User.is_active.is_(True))
        .distinct()
    )
    return list(await session.scalars(query))


def members_due(app: AppContext, due: Due, kind: str) -> Select[User]:
    """Active members of `app` in the due timezone not yet sent `kind` that local day."""
    already = exists().where(
        Notification.app == app.name,
        Notification.user_id == User.id,
        Notification.key == notice_key(kind, due.day),
    )
    return (
        select(User)
        .join(Membership, and_(Membership.user_id == User.id, Membership.app == app.name))
        .where(User.is_active.is_(True), User.timezone == due.timezone, ~already)
        .order_by(User.id)
    )


async def notify_and_email(
    session: AsyncSession,
    clock: Clock,
    app: AppContext,
    user: User,
    draft: Draft,
    *,
    template: str,
    context: Mapping[str, Any],
    default_daily_limit: int,
) -> None:
    """The push and inbox entry, and the same news by email unless the user muted the kind —
    once per notice key: a run that finds the notice stored (another run of the job committed
    it after this one chose its members, even between two reads of this run) sends nothing."""
    _, stored_now = await notify_once(
        session,
        clock,
        app,
        Recipient(user.id, user.timezone),
        draft,
        default_daily_limit=default_daily_limit,
    )
    if not stored_now:
        return
    if user.email and not await muted(session, app, user.id, draft.kind):
        await queue_email(
            session,
            clock,
            app,
            to=user.email,
            template=template,
            user_id=user.id,
            language=user.language,
            name=user.name,
            **context,
        )
