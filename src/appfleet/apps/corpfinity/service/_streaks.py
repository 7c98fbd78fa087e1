"""The streak row: advanced in one statement with each completion, read through the cache."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

import orjson
from sqlalchemy import Date, bindparam, case, update
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.corpfinity.models import Progress
from appfleet.apps.corpfinity.repository import UserData
from appfleet.apps.corpfinity.schemas import StreakRead
from appfleet.apps.corpfinity.service._common import (
    STREAK_TTL_S,
    Member,
    Runtime,
    forget,
    stats_key,
    streak_key,
)
from appfleet.core.database import insert_for
from appfleet.core.streaks import StreakState, alive, recompute

P = Progress.__table__.c


@dataclass(frozen=True, slots=True)
class Advanced:
    """The progress row after a completion."""

    state: StreakState
    total: int
    day_count: int  # completions on the last completed day
    categories: frozenset[str]
    energies: frozenset[str]


def _tried(column: Any, mark: str, pattern: str) -> Any:
    # ",a,b" + "," contains ",x," once x was tried; otherwise append ",x". A None category is
    # passed as the pattern "%" (always found), so nothing is appended.
    found = (column + ",").like(bindparam(pattern), escape="\\")
    return case((found, column), else_=column + bindparam(mark))


@cache
def _advance_statement(dialect: str) -> Any:
    """The upsert that applies `streaks.advance` (built once per dialect: building SQLAlchemy
    statements costs more than executing them on this hot path)."""
    yesterday, day = bindparam("yesterday", type_=Date), bindparam("day", type_=Date)
    new_current = case(
        (P.last_completed_date.is_(None) | (P.last_completed_date < yesterday), 1),
        (P.last_completed_date == yesterday, P.current_streak + 1),
        else_=P.current_streak,  # the same day, or an earlier one (recomputed by the caller)
    )
    later = P.last_completed_date.is_(None) | (P.last_completed_date < day)
    statement = insert_for(dialect, Progress.__table__).values(
        user_id=bindparam("user_id"),
        current_streak=1,
        longest_streak=1,
        last_completed_date=day,
        last_day_count=1,
        total_completions=1,
        categories_tried=bindparam("category_mark"),
        energies_tried=bindparam("energy_mark"),
        updated_at=bindparam("now"),
    )
    return statement.on_conflict_do_update(
        index_elements=["user_id"],
        set_={
            "current_streak": new_current,
            "longest_streak": case(
                (new_current > P.longest_streak, new_current), else_=P.longest_streak
            ),
            "last_completed_date": case((later, day), else_=P.last_completed_date),
            "last_day_count": case(
                (P.last_completed_date == day, P.last_day_count + 1),
                (later, 1),
                else_=P.last_day_count,
            ),
            "total_completions": P.total_completions + 1,
            "categories_tried": _tried(P.categories_tried, "category_mark", "category_pattern"),
            "energies_tried": _tried(P.energies_tried, "energy_mark", "energy_pattern"),
            "updated_at": bindparam("now"),
        },
    ).returning(
        P.current_streak,
        P.longest_streak,
        P.last_completed_date,
        P.total_completions,
        P.last_day_count,
        P.categories_tried,
        P.energies_tried,
    )


def _marks(value: str | None) -> tuple[str, str]:
    """(what to append, the LIKE pattern that finds it: `_` and `%` escaped)."""
    if not value:
        return "", "%"
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f",{value}", f"%,{escaped},%"


async def advance(
    session: AsyncSession,
    user_id: uuid.UUID,
    day: date,
    now: datetime,
    *,
    category: str | None = None,
    energy: str | None = None,
) -> Advanced:
    """Count a completion on local `day`. One INSERT ... ON CONFLICT DO UPDATE applies
    `streaks.advance` in SQL, so two devices completing at once cannot both read the old row;
    a day before the last one (an offline phone syncing late) is then folded in by
    recomputing from the history."""
    category_mark, category_pattern = _marks(category)
    energy_mark, energy_pattern = _marks(energy)
    row = (
        await session.execute(
            _advance_statement(session.get_bind().dialect.name),
            {
                "user_id": user_id,
                "day": day,
                "yesterday": day - timedelta(days=1),
                "now": now,
                "category_mark": category_mark,
                "category_pattern": category_pattern,
                "energy_mark": energy_mark,
                "energy_pattern": energy_pattern,
            },
        )
    ).one()
    state = StreakState(row.current_streak, row.longest_streak, row.last_completed_date)
    if row.last_completed_date is not None and day < row.last_completed_date:
        state = recompute(await UserData(session, user_id).completion_days())
        await session.execute(
            update(Progress)
            .where(Progress.user_id == user_id)
            .values(current_streak=state.current, longest_streak=state.longest)
        )
    return Advanced(
        state,
        int(row.total_completions),
        int(row.last_day_count),
        _listed(row.categories_tried),
        _listed(row.energies_tried),
    )


def _listed(marks: str) -> frozenset[str]:
    return frozenset(part for part in marks.split(",") if part)


def read(state: StreakState, member: Member, rt: Runtime) -> StreakRead:
    today = member.today(rt.clock)
    return StreakRead(
        current_streak=alive(state, today),
        longest_streak=state.longest,
        last_completed_date=state.last,
        completed_today=state.last == today,
        timezone=member.timezone,
    )


async def stored_state(rt: Runtime, db_session: AsyncSession, user_id: uuid.UUID) -> StreakState:
    """The streak row, through the 1-minute cache."""
    key = streak_key(user_id)
    if (hit := await rt.cache.get(key)) is not None:
        current, longest, last = orjson.loads(hit)
        return StreakState(current, longest, date.fromisoformat(last) if last else None)
    progress = await UserData(db_session, user_id).progress()
    state = (
        StreakState(progress.current_streak, progress.longest_streak, progress.last_completed_date)
        if progress
        else StreakState()
    )
    last_text = state.last.isoformat() if state.last else None
    await rt.cache.set(key, orjson.dumps([state.current, state.longest, last_text]), STREAK_TTL_S)
    return state


async def current(session: AsyncSession, rt: Runtime, member: Member) -> StreakRead:
    return read(await stored_state(rt, session, member.user_id), member, rt)


async def validate(session: AsyncSession, rt: Runtime, member: Member) -> StreakRead:
    """Recompute the streak from the history and store it (seed 000's /streaks/validate).
    The row keeps the run that ends on the last completed day; whether it is still alive is
    judged against the user's today when read, so a late-synced completion can still extend
    it."""
    state = recompute(await UserData(session, member.user_id).completion_days())
    progress = await UserData(session, member.user_id).progress()
    if progress is not None:
        progress.current_streak = state.current
        progress.longest_streak = state.longest
        progress.last_completed_date = state.last
        progress.updated_at = rt.clock.now()
    forget(session, rt.cache, streak_key(member.user_id), stats_key(member.user_id))
    return read(state, member, rt)
