"""Seed 000's scheduled notifications, each in the user's local time: streak risk (8 PM when
nothing was completed today and a streak is alive), the weekly summary (Sunday 6 PM, by push
and email) and a daily wellness quote (9 AM, never the same two days running).

A job runs every 15 minutes; `platform.notifications.local` finds, per timezone, the members the
hour has come for and not yet sent that day's notice.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.corpfinity.models import Progress
from appfleet.apps.corpfinity.quotes import QUOTES
from appfleet.apps.corpfinity.repository import UserData
from appfleet.apps.corpfinity.service._common import Runtime
from appfleet.core.clock import local_day_bounds
from appfleet.core.registry import AppContext
from appfleet.platform.notifications import service as notifications
from appfleet.platform.notifications.local import (
    SUNDAY,
    due_zones,
    member_zones,
    members_due,
    notice_key,
    notify_and_email,
)
from appfleet.platform.notifications.service import Draft, Recipient
from appfleet.platform.users.models import User
from appfleet.providers.ai.local import language_of

BATCH = 1000  # users per timezone and kind in one run; the next run takes the rest


async def streak_risk(session: AsyncSession, rt: Runtime, app: AppContext) -> int:
    hour = rt.options(app).streak_risk_hour
    sent = 0
    for due in due_zones(await member_zones(session, app), rt.clock.now(), hour, None):
        yesterday = due.day - timedelta(days=1)
        query = (
            members_due(app, due, "streak_risk")
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
                    key=notice_key("streak_risk", due.day),
                    collapse_key="streak_risk",
                    expires_at=midnight,  # worthless after midnight: not sent after quiet hours
                ),
                default_daily_limit=rt.daily_push_limit,
            )
            sent += 1
    return sent


async def weekly_summary(session: AsyncSession, rt: Runtime, app: AppContext) -> int:
    hour = rt.options(app).weekly_summary_hour
    sent = 0
    for due in due_zones(await member_zones(session, app), rt.clock.now(), hour, SUNDAY):
        monday = due.day - timedelta(days=6)
        users = list(await session.scalars(members_due(app, due, "weekly_summary").limit(BATCH)))
        for user in users:
            count = await UserData(session, user.id).completed_between(monday, due.day)
            streak = await session.scalar(
                select(Progress.current_streak).where(Progress.user_id == user.id)
            )
            plural = "challenge" if count == 1 else "challenges"
            await notify_and_email(
                session,
                rt.clock,
                app,
                user,
                Draft(
                    kind="weekly_summary",
                    title="Your week in CorpFinity",
                    body=f"You completed {count} {plural} this week!",
                    data={"count": str(count)},
                    key=notice_key("weekly_summary", due.day),
                ),
                template="weekly_summary",
                context={
                    "week_start": monday,
                    "week_end": due.day,
                    "count": count,
                    "streak": streak or 0,
                    "highlights": [],
                },
                default_daily_limit=rt.daily_push_limit,
            )
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
    for due in due_zones(await member_zones(session, app), rt.clock.now(), hour, None):
        users = list(await session.scalars(members_due(app, due, "motivation").limit(BATCH)))
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
                    key=notice_key("motivation", due.day),
                    collapse_key="motivation",
                    expires_at=midnight,
                ),
                default_daily_limit=rt.daily_push_limit,
            )
            sent += 1
    return sent
