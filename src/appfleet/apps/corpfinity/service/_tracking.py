"""Daily tracking (water, mood, breathing, posture, screen breaks, stretch, reflection) for the
user's local today. Increments are applied in SQL, so two devices adding a glass at the same
moment both count."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import case, update
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.corpfinity.models import DailyTracking
from appfleet.apps.corpfinity.repository import UserData
from appfleet.apps.corpfinity.schemas import AchievementRead, TrackingRead, TrackingUpdate
from appfleet.apps.corpfinity.service import _achievements as achievements
from appfleet.apps.corpfinity.service._achievements import Event
from appfleet.apps.corpfinity.service._common import Member, Runtime, forget, stats_key
from appfleet.core.database import insert
from appfleet.core.errors import ValidationFailed

MAX_HISTORY_DAYS = 366
COUNTERS = ("water_intake", "breathing_sessions", "posture_checks", "screen_breaks")
CEILING = {"water_intake": 100}  # others: 1000
SETTABLE = (*COUNTERS, "mood", "morning_stretch", "evening_reflection")


async def today(session: AsyncSession, rt: Runtime, member: Member) -> TrackingRead:
    day = member.today(rt.clock)
    found = await UserData(session, member.user_id).tracking_on(day)
    return TrackingRead.model_validate(found) if found else TrackingRead(date=day)


async def update_today(
    session: AsyncSession, rt: Runtime, member: Member, change: TrackingUpdate
) -> tuple[TrackingRead, list[AchievementRead]]:
    day = member.today(rt.clock)
    now = rt.clock.now()
    await session.execute(
        insert(session, DailyTracking)
        .values(user_id=member.user_id, date=day, updated_at=now)
        .on_conflict_do_nothing(index_elements=["user_id", "date"])
    )
    values: dict[str, object] = {
        name: getattr(change, name) for name in SETTABLE if getattr(change, name) is not None
    }
    if change.increment is not None:
        for name in COUNTERS:
            step = getattr(change.increment, name)
            if step and name not in values:
                column = getattr(DailyTracking, name)
                # Never below zero nor above the ceiling, whatever the devices send.
                values[name] = _clamped(column + step, CEILING.get(name, 1000))
    values["updated_at"] = now
    await session.execute(
        update(DailyTracking)
        .where(DailyTracking.user_id == member.user_id, DailyTracking.date == day)
        .values(**values)
    )
    stored = await UserData(session, member.user_id).tracking_on(day)
    if stored is None:  # inserted above in this transaction
        raise RuntimeError("the day's tracking row vanished")
    await session.refresh(stored)
    unlocked = await achievements.evaluate(session, rt, member, Event("tracking"))
    forget(session, rt.cache, stats_key(member.user_id))
    return TrackingRead.model_validate(stored), unlocked


def _clamped(expression: Any, ceiling: int) -> Any:
    return case(
        (expression < 0, 0),
        (expression > ceiling, ceiling),
        else_=expression,
    )


async def history(
    session: AsyncSession, rt: Runtime, member: Member, first: date | None, last: date | None
) -> list[TrackingRead]:
    """Each day from `first` to `last` (default: the last 30 days), tracked or not."""
    last = last or member.today(rt.clock)
    first = first or last - timedelta(days=29)
    if first > last:
        raise ValidationFailed("`from` is after `to`", details={"from": {"message": "after to"}})
    if (last - first).days >= MAX_HISTORY_DAYS:
        raise ValidationFailed(
            f"Ask for at most {MAX_HISTORY_DAYS} days",
            details={"to": {"message": f"at most {MAX_HISTORY_DAYS} days after from"}},
        )
    rows = {
        r.date: r for r in await UserData(session, member.user_id).tracking_between(first, last)
    }
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return [
        TrackingRead.model_validate(rows[d]) if d in rows else TrackingRead(date=d) for d in days
    ]
