"""The weekly summary (seed 001's analytics module): a local week's check-ins, how far each
active goal got against its frequency, streaks, and the AI messages the user asked for; sent
every week by push and email in each member's local time."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.fitnudge.models import Checkin, Goal, Motivation
from appfleet.apps.fitnudge.service import _goals
from appfleet.apps.fitnudge.service._common import Coach, monday_of
from appfleet.core.clock import local_day_bounds
from appfleet.core.registry import AppContext
from appfleet.platform.locales import service as locales
from appfleet.platform.notifications.local import (
    SUNDAY,
    due_zones,
    member_zones,
    members_due,
    notice_key,
    notify_and_email,
)
from appfleet.platform.notifications.service import Draft
from appfleet.platform.users.models import User
from appfleet.providers.ai.local import language_of

KIND = "weekly_summary"
SUMMARY_HOUR = 18  # Sunday 6 PM, local: the week is done and the next one not begun
BATCH = 1000  # members per timezone in one run; the next run takes the rest


async def weekly(
    session: AsyncSession, coach: Coach, user: User, day: date | None
) -> dict[str, Any]:
    start = monday_of(day or coach.today(user))
    end = start + timedelta(days=6)
    statuses = dict(
        (
            await session.execute(
                select(Checkin.status, func.count())
                .where(Checkin.user_id == user.id, Checkin.day.between(start, end))
                .group_by(Checkin.status)
            )
        ).all()
    )
    done_by_goal = dict(
        (
            await session.execute(
                select(Checkin.goal_id, func.count())
                .where(
                    Checkin.user_id == user.id,
                    Checkin.status == "done",
                    Checkin.day.between(start, end),
                )
                .group_by(Checkin.goal_id)
            )
        ).all()
    )
    active = list(
        await session.scalars(
            select(Goal)
            .where(Goal.user_id == user.id, Goal.active.is_(True))
            .order_by(Goal.created_at, Goal.id)
        )
    )
    first, _ = local_day_bounds(start, user.timezone)
    _, last = local_day_bounds(end, user.timezone)
    motivations = await session.scalar(
        select(func.count()).where(
            Motivation.user_id == user.id,
            Motivation.created_at >= first,
            Motivation.created_at < last,
        )
    )
    goals: list[dict[str, Any]] = [
        {
            "goal_id": str(g.id),
            "title": g.title,
            "done": int(done_by_goal.get(g.id, 0)),
            "target": g.frequency,
            "met": done_by_goal.get(g.id, 0) >= g.frequency,
        }
        for g in active
    ]
    target = sum(int(g["target"]) for g in goals)
    reached = sum(min(int(g["done"]), int(g["target"])) for g in goals)
    progress = await _goals.read_many(session, coach, user, active)
    return {
        "week_start": start.isoformat(),
        "week_end": end.isoformat(),
        "timezone": user.timezone,
        "checkins": {s: int(statuses.get(s, 0)) for s in ("done", "skipped", "missed")},
        "goals": goals,
        "completion_rate": round(reached / target, 3) if target else 0.0,
        "goals_met": sum(1 for g in goals if g["met"]),
        "best_streak_days": max((p.streak_days for p in progress), default=0),
        "best_streak_weeks": max((p.streak_weeks for p in progress), default=0),
        "motivations": int(motivations or 0),
    }


async def send_weekly(session: AsyncSession, coach: Coach, app: AppContext) -> int:
    """The week's summary by push and email, on Sunday at SUMMARY_HOUR in each member's own
    timezone, worded from the app's locale bundles in their language."""
    sent = 0
    zones = await member_zones(session, app)
    due_now = due_zones(zones, coach.clock.now(), SUMMARY_HOUR, SUNDAY)
    if not due_now:
        return 0
    bundles = await locales.load(session, app.name)
    for due in due_now:
        users = await session.scalars(members_due(app, due, KIND).limit(BATCH))
        for user in list(users):
            week = await weekly(session, coach, user, due.day)
            text = locales.page(bundles, app.name, language_of(user.language)).messages
            done = week["checkins"]["done"]
            rate = round(100 * week["completion_rate"])
            completion = text.get("summary.completion", "{rate}%").format(rate=rate)
            draft = Draft(
                kind=KIND,
                title=text.get("summary.title", "Your week"),
                body=f"✅ {done} · {completion}",
                data={"week_start": week["week_start"], "completion_rate": str(rate)},
                key=notice_key(KIND, due.day),
            )
            highlights = [f"{g['title']}: {g['done']}/{g['target']}" for g in week["goals"]]
            await notify_and_email(
                session,
                coach.clock,
                app,
                user,
                draft,
                template=KIND,
                context={
                    "week_start": date.fromisoformat(week["week_start"]),
                    "week_end": date.fromisoformat(week["week_end"]),
                    "count": done,
                    "streak": week["best_streak_days"],
                    "highlights": highlights,
                },
                default_daily_limit=coach.daily_push_limit,
            )
            sent += 1
    return sent
