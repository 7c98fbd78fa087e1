"""Seed 000's scheduled notifications, each in the user's local time: streak risk (8 PM when
nothing was completed today and a streak is alive), the weekly summary (Sunday 6 PM, by push
and email) and a daily wellness quote (9 AM, never the same two days running).

A job runs every 15 minutes. For each timezone its members live in, it works out whether the
hour has come there today, and sends to the members not yet sent that notice for that local
day (`corpfinity_sent_notice`). Recording the notice commits with the job, and every
notification is keyed by its day too, so nothing goes out twice whatever runs again; a run
missed while workers were down is caught up by the next one on the same local day.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Select, and_, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.corpfinity.models import Progress, SentNotice
from appfleet.apps.corpfinity.quotes import QUOTES
from appfleet.apps.corpfinity.repository import UserData
from appfleet.apps.corpfinity.service._common import Runtime
from appfleet.core.clock import local_day_bounds, zone
from appfleet.core.registry import AppContext
from appfleet.platform.notifications import service as notifications
from appfleet.platform.notifications.service import Draft, Recipient
from appfleet.platform.users.models import Membership, User
from appfleet.providers.ai.local import language_of
from appfleet.providers.email.queue import queue_email

BATCH = 1000  # users per timezone and kind in one run; the next run takes the rest
SUNDAY = 6


@dataclass(frozen=True, slots=True)
class Due:
    timezone: str
    day: date


def _due_zones(zones: Sequence[str], now: datetime, hour: int, weekday: int | None) -> list[Due]:
    found = []
    for name in zones:
        local = now.astimezone(zone(name))
        if local.hour >= hour and (weekday is None or local.weekday() == weekday):
            found.append(Due(name, local.date()))
    return found


async def _zones(session: AsyncSession, app: AppContext) -> list[str]:
    query = (
        select(User.timezone)
        .join(Membership, and_(Membership.user_id == User.id, Membership.app == app.name))
        .where(User.is_active.is_(True))
        .distinct()
    )
    return list(await session.scalars(query))


def _members(app: AppContext, due: Due, kind: str) -> Select[User]:
    """Active members of `app` in the due timezone who have not had `kind` that local day."""
    already = exists().where(
        SentNotice.user_id == User.id, SentNotice.kind == kind, SentNotice.local_date == due.day
    )
    return (
        select(User)
        .join(Membership, and_(Membership.user_id == User.id, Membership.app == app.name))
        .where(User.is_active.is_(True), User.timezone == due.timezone, ~already)
    )


def _record(
    session: AsyncSession, user_id: uuid.UUID, kind: str, day: date, **detail: object
) -> None:
    session.add(SentNotice(user_id=user_id, kind=kind, local_date=day, detail=detail))


async def streak_risk(session: AsyncSession, rt: Runtime, app: AppContext) -> int:
    hour = rt.options(app).streak_risk_hour
    sent = 0
    for due in _due_zones(await _zones(session, app), rt.clock.now(), hour, None):
        yesterday = due.day - timedelta(days=1)
        query = (
            _members(app, due, "streak_risk")
            .add_columns(Progress.current_streak)
            .join(Progress, Progress.user_id == User.id)
            # Alive (yesterday counted) and not yet extended today.
            .where(Progress.last_completed_date == yesterday, Progress.current_streak > 0)
            .limit(BATCH)
        )
        _, midnight = local_day_bounds(due.day, due.timezone)
        for user, streak in (await session.execute(query)).all():
            await notifications.notify(
                session,
                rt.clock,
                app,
                Recipient(user.id, user.timezone),
                Draft(
                    kind="streak_risk",
                    title="Keep your streak alive 🔥",
                    body=f"Don't lose your {streak} day streak!",
                    data={"streak": str(streak)},
                    key=f"streak_risk:{due.day.isoformat()}",
                    collapse_key="streak_risk",
                    expires_at=midnight,  # worthless after midnight: not sent after quiet hours
                ),
                default_daily_limit=rt.daily_push_limit,
            )
            _record(session, user.id, "streak_risk", due.day, streak=streak)
            sent += 1
    return sent


async def weekly_summary(session: AsyncSession, rt: Runtime, app: AppContext) -> int:
    hour = rt.options(app).weekly_summary_hour
    sent = 0
    for due in _due_zones(await _zones(session, app), rt.clock.now(), hour, SUNDAY):
        monday = due.day - timedelta(days=6)
        users = list(await session.scalars(_members(app, due, "weekly_summary").limit(BATCH)))
        for user in users:
            count = await UserData(session, user.id).completed_between(monday, due.day)
            streak = await session.scalar(
                select(Progress.current_streak).where(Progress.user_id == user.id)
            )
            plural = "challenge" if count == 1 else "challenges"
            await notifications.notify(
                session,
                rt.clock,
                app,
                Recipient(user.id, user.timezone),
                Draft(
                    kind="weekly_summary",
                    title="Your week in CorpFinity",
                    body=f"You completed {count} {plural} this week!",
                    data={"count": str(count)},
                    key=f"weekly_summary:{due.day.isoformat()}",
                ),
                default_daily_limit=rt.daily_push_limit,
            )
            if user.email and not await notifications.muted(
                session, app, user.id, "weekly_summary"
            ):
                await queue_email(
                    session,
                    rt.clock,
                    app,
                    to=user.email,
                    template="weekly_summary",
                    user_id=user.id,
                    language=user.language,
                    name=user.name,
                    week_start=monday,
                    week_end=due.day,
                    count=count,
                    streak=streak or 0,
                    highlights=[],
                )
            _record(session, user.id, "weekly_summary", due.day, count=count)
            sent += 1
    return sent


def quote_for(user_id: uuid.UUID, day: date, language: str) -> str:
    """Today's quote for this user: consecutive days are consecutive quotes, so never the same
    one two days running; users start at different places in the list."""
    quotes = QUOTES[language_of(language)]
    offset = int(hashlib.sha256(user_id.bytes).hexdigest()[:8], 16)
    return quotes[(day.toordinal() + offset) % len(quotes)]


async def daily_motivation(session: AsyncSession, rt: Runtime, app: AppContext) -> int:
    hour = rt.options(app).motivation_hour
    sent = 0
    for due in _due_zones(await _zones(session, app), rt.clock.now(), hour, None):
        users = list(await session.scalars(_members(app, due, "motivation").limit(BATCH)))
        _, midnight = local_day_bounds(due.day, due.timezone)
        for user in users:
            quote = quote_for(user.id, due.day, user.language)
            await notifications.notify(
                session,
                rt.clock,
                app,
                Recipient(user.id, user.timezone),
                Draft(
                    kind="motivation",
                    title="Today's wellness thought",
                    body=quote,
                    key=f"motivation:{due.day.isoformat()}",
                    collapse_key="motivation",
                    expires_at=midnight,
                ),
                default_daily_limit=rt.daily_push_limit,
            )
            _record(session, user.id, "motivation", due.day)
            sent += 1
    return sent
