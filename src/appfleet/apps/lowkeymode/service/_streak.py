"""The meditation streak: days in a row with a meditation, on the user's local days."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.lowkeymode.models import Meditation, Streak
from appfleet.apps.lowkeymode.schemas import MeditationCreate, StreakRead
from appfleet.apps.lowkeymode.service._common import Lowkey
from appfleet.core.clock import local_date, plausible
from appfleet.core.database import insert
from appfleet.core.streaks import StreakState, advance, alive, recompute
from appfleet.platform.users.models import User

BACKDATE = timedelta(hours=48)  # as CorpFinity's completions: older claims get our time


def _read(row: Streak | None, user: User, lk: Lowkey) -> StreakRead:
    today = local_date(lk.clock.now(), user.timezone)
    state = StreakState() if row is None else StreakState(row.current, row.longest, row.last_date)
    return StreakRead(
        current=alive(state, today),
        longest=state.longest,
        last_date=state.last,
        meditated_today=state.last == today,
        sessions=0 if row is None else row.sessions,
        total_minutes=0 if row is None else row.total_seconds // 60,
        timezone=user.timezone,
    )


async def read(session: AsyncSession, lk: Lowkey, user: User) -> StreakRead:
    return _read(await session.get(Streak, user.id), user, lk)


async def _locked(session: AsyncSession, lk: Lowkey, user_id: uuid.UUID) -> Streak:
    """The user's streak row, locked until commit (created empty the first time)."""
    await session.execute(
        insert(session, Streak.__table__)
        .values(
            user_id=user_id,
            current=0,
            longest=0,
            last_date=None,
            sessions=0,
            total_seconds=0,
            updated_at=lk.clock.now(),
        )
        .on_conflict_do_nothing()
    )
    # Inserted above or already there: `one` cannot fail.
    return (
        await session.execute(
            select(Streak)
            .where(Streak.user_id == user_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one()


async def log(session: AsyncSession, lk: Lowkey, user: User, body: MeditationCreate) -> StreakRead:
    now = lk.clock.now()
    at = plausible(body.logged_at, now, BACKDATE) or now
    day = local_date(at, user.timezone)
    row = await _locked(session, lk, user.id)
    session.add(
        Meditation(
            user_id=user.id,
            duration_seconds=body.duration_seconds,
            logged_at=at,
            local_date=day,
            created_at=now,
        )
    )
    state = advance(StreakState(row.current, row.longest, row.last_date), day)
    if state is None:  # a day before the last one: only the whole history can place it
        await session.flush()
        days = await session.scalars(
            select(Meditation.local_date).where(Meditation.user_id == user.id).distinct()
        )
        state = recompute(days)
    row.current, row.longest, row.last_date = state.current, state.longest, state.last
    row.sessions += 1
    row.total_seconds += body.duration_seconds
    row.updated_at = now
    await session.flush()
    return _read(row, user, lk)
