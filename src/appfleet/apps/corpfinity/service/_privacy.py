"""What CorpFinity contributes to the data export, and erases in the purge."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.corpfinity.models import (
    Completion,
    DailyTracking,
    Progress,
    Reminder,
    Unlock,
)
from appfleet.apps.corpfinity.schemas import CompletionRead, ReminderRead, TrackingRead

OWNED = (Completion, Progress, Unlock, Reminder, DailyTracking)


async def export_data(session: AsyncSession, user_id: uuid.UUID) -> dict[str, Any]:
    completions = await session.scalars(
        select(Completion).where(Completion.user_id == user_id).order_by(Completion.completed_at)
    )
    progress = await session.get(Progress, user_id)
    unlocks = await session.scalars(select(Unlock).where(Unlock.user_id == user_id))
    reminders = await session.scalars(select(Reminder).where(Reminder.user_id == user_id))
    tracking = await session.scalars(
        select(DailyTracking).where(DailyTracking.user_id == user_id).order_by(DailyTracking.date)
    )
    return {
        "challenges_completed": [
            CompletionRead.model_validate(c).model_dump(mode="json") for c in completions
        ],
        "streak": {
            "current": progress.current_streak if progress else 0,
            "longest": progress.longest_streak if progress else 0,
            "last_completed_date": (
                progress.last_completed_date.isoformat()
                if progress and progress.last_completed_date
                else None
            ),
        },
        "achievements": [
            {"id": u.achievement_id, "unlocked_at": u.unlocked_at.isoformat()} for u in unlocks
        ],
        "reminders": [ReminderRead.model_validate(r).model_dump(mode="json") for r in reminders],
        "daily_tracking": [
            TrackingRead.model_validate(t).model_dump(mode="json") for t in tracking
        ],
    }


async def erase_data(session: AsyncSession, user_id: uuid.UUID) -> None:
    for model in OWNED:
        await session.execute(delete(model).where(model.user_id == user_id))
