"""Check-ins: one per goal and local day (a second answer for the day replaces the first),
recorded for today or up to a week back, never for a day that has not come yet."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.fitnudge.models import Checkin, Goal
from appfleet.apps.fitnudge.schemas import CheckinCreate, CheckinRead, TodayItem
from appfleet.apps.fitnudge.service import _goals
from appfleet.apps.fitnudge.service._common import Coach
from appfleet.core.errors import Conflict, ValidationFailed
from appfleet.platform.users.models import User

BACKDATE_DAYS = 7
MAX_RANGE_DAYS = 366


def read(checkin: Checkin) -> CheckinRead:
    return CheckinRead(
        id=checkin.id,
        goal_id=checkin.goal_id,
        date=checkin.day,
        status=checkin.status,
        reflection=checkin.reflection,
        updated_at=checkin.updated_at,
    )


async def record(
    session: AsyncSession, coach: Coach, user: User, goal: Goal, body: CheckinCreate
) -> tuple[CheckinRead, bool]:
    """The check-in, and whether it is new (else it replaced the day's earlier answer)."""
    if not goal.active:
        raise Conflict("This goal is paused; resume it to check in", details={"reason": "paused"})
    today = coach.today(user)
    day = body.date or today
    if day > today or day < today - timedelta(days=BACKDATE_DAYS):
        raise ValidationFailed(
            f"date must be between {today - timedelta(days=BACKDATE_DAYS)} and {today} "
            f"(your today, {user.timezone})",
            details={"field": "date"},
        )
    now = coach.clock.now()
    for _ in range(2):  # a concurrent first answer for the day wins the insert: update it
        existing = await session.scalar(
            select(Checkin).where(Checkin.goal_id == goal.id, Checkin.day == day).with_for_update()
        )
        if existing is not None:
            existing.status, existing.reflection = body.status, body.reflection
            existing.updated_at = now
            await session.flush()
            return read(existing), False
        checkin = Checkin(
            goal_id=goal.id,
            user_id=user.id,
            day=day,
            status=body.status,
            reflection=body.reflection,
            created_at=now,
            updated_at=now,
        )
        try:
            async with session.begin_nested():
                session.add(checkin)
        except IntegrityError:
            continue
        return read(checkin), True
    raise Conflict("The check-in changed meanwhile; try again")  # pragma: no cover


async def listing(
    session: AsyncSession,
    coach: Coach,
    user: User,
    goal: Goal,
    start: date | None,
    end: date | None,
) -> list[CheckinRead]:
    end = end or coach.today(user)
    start = start or end - timedelta(days=29)
    if start > end or (end - start).days >= MAX_RANGE_DAYS:
        raise ValidationFailed(
            f"from must not be after to, and the range at most {MAX_RANGE_DAYS} days",
            details={"field": "from"},
        )
    rows = await session.scalars(
        select(Checkin)
        .where(Checkin.goal_id == goal.id, Checkin.day >= start, Checkin.day <= end)
        .order_by(Checkin.day.desc())
    )
    return [read(c) for c in rows]


async def today(session: AsyncSession, coach: Coach, user: User) -> list[TodayItem]:
    """ "Did you go today?" for every active goal."""
    goals = list(
        await session.scalars(
            select(Goal)
            .where(Goal.user_id == user.id, Goal.active.is_(True))
            .order_by(Goal.created_at, Goal.id)
        )
    )
    day = coach.today(user)
    answered = {
        c.goal_id: c
        for c in await session.scalars(
            select(Checkin).where(Checkin.user_id == user.id, Checkin.day == day)
        )
    }
    progress = await _goals.read_many(session, coach, user, goals)
    return [
        TodayItem(goal=p, checkin=read(answered[g.id]) if g.id in answered else None)
        for g, p in zip(goals, progress, strict=True)
    ]
