"""What Lowkey Mode's services share: the process services they use, and the board's keys."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from appfleet.core.clock import Clock
from appfleet.platform.users.service import ProfileCache
from appfleet.runtime.cache import Cache

APP = "lowkeymode"
BOARD_PREFIX = "cache:lowkeymode:board:"
# Boards change with every score; a few seconds stale is fine for a leaderboard, and keeps a
# busy one from being rebuilt for every reader.
BOARD_TTL_S = 15
# A user's own standing changes only by their own scores and profile, which forget it: cached
# until then (and for a day at most, when its period is over anyway).
STANDING_PREFIX = "cache:lowkeymode:standing:"
STANDING_TTL_S = 86_400
ALL_TIME = "all"


@dataclass(frozen=True, slots=True)
class Lowkey:
    clock: Clock
    cache: Cache
    profiles: ProfileCache


def day_period(moment: datetime) -> str:
    return f"d{moment.date().isoformat()}"


def week_period(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"w{year}-W{week:02d}"


def standing_key(user_id: uuid.UUID, period: str) -> str:
    return f"{STANDING_PREFIX}{user_id}:{period}"


def standing_keys(user_id: uuid.UUID, moment: datetime) -> tuple[str, ...]:
    """The user's standings a score at `moment` changes (all time, its day, its week)."""
    periods = (ALL_TIME, day_period(moment), week_period(moment))
    return tuple(standing_key(user_id, p) for p in periods)


def period_key(period: str, now: datetime) -> tuple[str, date | None]:
    """The stored period a board shows now (UTC days, ISO weeks from Monday), and its first
    day."""
    if period == "day":
        return day_period(now), now.date()
    if period == "week":
        return week_period(now), now.date() - timedelta(days=now.weekday())
    return ALL_TIME, None
