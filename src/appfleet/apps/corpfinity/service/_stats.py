"""GET /users/me/stats: totals, this week, by category and energy, streaks, achievements, and
the water and mood trends — aggregates in SQL, cached for a minute."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.corpfinity.models import Completion
from appfleet.apps.corpfinity.repository import UserData
from appfleet.apps.corpfinity.schemas import DayCount, StatsRead
from appfleet.apps.corpfinity.service._achievement_defs import definitions
from appfleet.apps.corpfinity.service._common import STATS_TTL_S, Member, Runtime, stats_key
from appfleet.core.streaks import StreakState, alive

MOOD_SCORE = {"great": 5, "good": 4, "okay": 3, "tired": 2, "low": 2, "stressed": 1}


async def stats(session: AsyncSession, rt: Runtime, member: Member) -> StatsRead:
    key = stats_key(member.user_id)
    if (hit := await rt.cache.get(key)) is not None:
        return StatsRead.model_validate_json(hit)
    data = UserData(session, member.user_id)
    today = member.today(rt.clock)
    monday = today - timedelta(days=today.weekday())
    progress = await data.progress()
    state = (
        StreakState(progress.current_streak, progress.longest_streak, progress.last_completed_date)
        if progress
        else StreakState()
    )
    water = {t.date: t for t in await data.tracking_between(today - timedelta(days=6), today)}
    moods = {t.date: t for t in await data.tracking_between(today - timedelta(days=13), today)}
    week = [today - timedelta(days=n) for n in range(6, -1, -1)]
    fortnight = [today - timedelta(days=n) for n in range(13, -1, -1)]
    water_days = [DayCount(date=d, value=water[d].water_intake if d in water else 0) for d in week]
    result = StatsRead(
        total_challenges=progress.total_completions if progress else 0,
        this_week=await data.completed_between(monday, today),
        by_category=await data.count_by(Completion.goal_category),
        by_energy_level=await data.count_by(Completion.energy_level),
        current_streak=alive(state, today),
        longest_streak=state.longest,
        achievements_unlocked=len(await data.unlocked()),
        achievements_total=len((await definitions(session, rt)).achievements),
        water_last_7_days=water_days,
        water_average_7_days=round(sum(d.value or 0 for d in water_days) / 7, 2),
        mood_last_14_days=[
            DayCount(
                date=d,
                value=MOOD_SCORE.get(moods[d].mood or "") if d in moods and moods[d].mood else None,
            )
            for d in fortnight
        ],
    )
    await rt.cache.set(key, result.model_dump_json().encode(), STATS_TTL_S)
    return result
