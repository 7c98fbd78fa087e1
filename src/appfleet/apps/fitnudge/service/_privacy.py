"""FitNudge's part of a user's data export and erasure (voice files live under the user's
private storage prefix, which the purge deletes with the account's uploads)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.fitnudge.models import (
    Checkin,
    Flag,
    Goal,
    Like,
    Motivation,
    MotivationSchedule,
    Post,
)


async def export_data(session: AsyncSession, user_id: uuid.UUID) -> dict[str, Any]:
    goals = await session.scalars(
        select(Goal).where(Goal.user_id == user_id).order_by(Goal.created_at)
    )
    checkins = await session.scalars(
        select(Checkin).where(Checkin.user_id == user_id).order_by(Checkin.day)
    )
    motivations = await session.scalars(
        select(Motivation).where(Motivation.user_id == user_id).order_by(Motivation.created_at)
    )
    schedules = await session.scalars(
        select(MotivationSchedule).where(MotivationSchedule.user_id == user_id)
    )
    posts = await session.scalars(
        select(Post).where(Post.user_id == user_id).order_by(Post.created_at)
    )
    liked = await session.scalars(select(Like.post_id).where(Like.user_id == user_id))
    return {
        "posts": [
            {"id": str(p.id), "text": p.text, "created_at": p.created_at.isoformat()} for p in posts
        ],
        "liked_posts": [str(post_id) for post_id in liked],
        "goals": [
            {
                "id": str(g.id),
                "title": g.title,
                "frequency": g.frequency,
                "active": g.active,
                "created_at": g.created_at.isoformat(),
            }
            for g in goals
        ],
        "checkins": [
            {
                "goal_id": str(c.goal_id),
                "date": c.day.isoformat(),
                "status": c.status,
                "reflection": c.reflection,
            }
            for c in checkins
        ],
        "motivations": [
            {
                "goal_id": str(m.goal_id),
                "text": m.text,
                "tone": m.tone,
                "created_at": m.created_at.isoformat(),
            }
            for m in motivations
        ],
        "schedules": [
            {"goal_id": str(s.goal_id), "time": f"{s.hour:02d}:{s.minute:02d}", "days": s.days}
            for s in schedules
        ],
    }


async def erase_data(session: AsyncSession, user_id: uuid.UUID) -> None:
    # Others' likes and flags of the user's posts go with the posts (ON DELETE CASCADE).
    for model in (Flag, Like, Post, MotivationSchedule, Motivation, Checkin, Goal):
        await session.execute(delete(model).where(model.user_id == user_id))
