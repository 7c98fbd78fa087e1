"""The weekly summary (seed 001's analytics module): a local week's check-ins, how far each
active goal got against its frequency, streaks, and the AI messages the user asked for."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.fitnudge.models import Checkin, Goal, Motivation
from appfleet.apps.fitnudge.service import _goals
from appfleet.apps.fitnudge.service._common import Coach, monday_of
from appfleet.core.clock import local_day_bounds
from appfleet.platform.users.models import User


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
