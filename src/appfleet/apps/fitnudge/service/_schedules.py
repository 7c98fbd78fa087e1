"""Motivation schedules (seed 001's notifications flow): a push at a local time on chosen
weekdays; tapping it opens GET /motivation/latest, which writes a fresh message. Fired by a
job every minute, once per occurrence; the next time is computed in the user's timezone."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.fitnudge.models import Goal, MotivationSchedule
from appfleet.apps.fitnudge.schemas import DAY_NAMES, ScheduleCreate, ScheduleRead
from appfleet.apps.fitnudge.service import _goals
from appfleet.apps.fitnudge.service._common import Coach
from appfleet.core.clock import next_local_time_on
from appfleet.core.errors import Conflict, NotFound
from appfleet.core.registry import AppContext
from appfleet.platform.notifications import service as notifications
from appfleet.platform.notifications.service import Draft, Recipient
from appfleet.platform.users.models import User

STALE_AFTER = timedelta(hours=1)  # an occurrence missed by longer (workers down) is skipped
MAX_SCHEDULES = 20


def _next(schedule: MotivationSchedule, after: datetime, timezone: str) -> datetime | None:
    wall = time(schedule.hour, schedule.minute)
    return next_local_time_on(after, wall, timezone, frozenset(schedule.days))


def read(schedule: MotivationSchedule) -> ScheduleRead:
    return ScheduleRead(
        id=schedule.id,
        goal_id=schedule.goal_id,
        time=f"{schedule.hour:02d}:{schedule.minute:02d}",
        days=[DAY_NAMES[d] for d in sorted(schedule.days)],
        tone=schedule.tone,
        next_at=schedule.next_at,
    )


async def create(
    session: AsyncSession, coach: Coach, user: User, body: ScheduleCreate
) -> ScheduleRead:
    goal = await _goals.owned(session, user.id, body.goal_id)
    count = await session.scalar(select(func.count()).where(MotivationSchedule.user_id == user.id))
    if int(count or 0) >= MAX_SCHEDULES:
        raise Conflict(f"At most {MAX_SCHEDULES} schedules", details={"limit": MAX_SCHEDULES})
    now = coach.clock.now()
    schedule = MotivationSchedule(
        user_id=user.id,
        goal_id=goal.id,
        hour=body.time.hour,
        minute=body.time.minute,
        days=sorted({DAY_NAMES.index(d) for d in body.days}),
        tone=body.tone,
        created_at=now,
    )
    schedule.next_at = _next(schedule, now, user.timezone)
    session.add(schedule)
    await session.flush()
    return read(schedule)


async def listing(session: AsyncSession, user: User) -> list[ScheduleRead]:
    rows = await session.scalars(
        select(MotivationSchedule)
        .where(MotivationSchedule.user_id == user.id)
        .order_by(MotivationSchedule.hour, MotivationSchedule.minute, MotivationSchedule.id)
    )
    return [read(s) for s in rows]


async def remove(session: AsyncSession, user: User, schedule_id: uuid.UUID) -> None:
    schedule = await session.get(MotivationSchedule, schedule_id)
    if schedule is None or schedule.user_id != user.id:
        raise NotFound("No such schedule")
    await session.delete(schedule)


async def fire_due(session: AsyncSession, coach: Coach, app: AppContext, limit: int = 500) -> int:
    """Push every schedule whose time has come, once per occurrence (the notification is keyed
    by schedule and time; rows are locked, SKIP LOCKED, so two runs never take the same one)."""
    now = coach.clock.now()
    due = await session.execute(
        select(MotivationSchedule, Goal.title, Goal.active, User.timezone)
        .join(Goal, Goal.id == MotivationSchedule.goal_id)
        .join(User, User.id == MotivationSchedule.user_id)
        .where(MotivationSchedule.next_at <= now, User.is_active.is_(True))
        .order_by(MotivationSchedule.next_at)
        .limit(limit)
        .with_for_update(skip_locked=True, of=MotivationSchedule)
    )
    pushed = 0
    for schedule, title, active, timezone in due.all():
        scheduled = schedule.next_at
        following = _next(schedule, now, timezone)
        if active and scheduled is not None and now - scheduled <= STALE_AFTER:
            await notifications.notify(
                session,
                coach.clock,
                app,
                Recipient(schedule.user_id, timezone),
                Draft(
                    kind="motivation",
                    title=title,
                    body="Your daily nudge is ready. Tap for today's message.",
                    data={"goal_id": str(schedule.goal_id), "open": "/motivation/latest"},
                    key=f"motivation:{schedule.id}:{scheduled.isoformat()}",
                    collapse_key=f"motivation:{schedule.goal_id}",
                    expires_at=following,
                ),
                default_daily_limit=coach.daily_push_limit,
            )
            schedule.last_sent_at = now
            pushed += 1
        schedule.next_at = following
    return pushed
