"""What every CorpFinity service shares: who is asking, the process services they use, and
the cache keys (seed 000's: streak 1 min, achievements 10 min, catalog 1 h; stats 1 min)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.corpfinity.options import CorpfinityOptions
from appfleet.core.clock import Clock, local_date
from appfleet.core.registry import AppContext
from appfleet.platform.ai.service import AiService
from appfleet.runtime.analytics import Analytics
from appfleet.runtime.cache import Cache, forget_after_commit

STREAK_TTL_S = 60
ACHIEVEMENTS_TTL_S = 600
CATALOG_TTL_S = 3600
STATS_TTL_S = 60
CATALOG_PREFIX = "cache:corpfinity:challenges:"


@dataclass(frozen=True, slots=True)
class Member:
    """The signed-in user, as CorpFinity needs them (from the cached profile: no query)."""

    app: AppContext
    user_id: uuid.UUID
    timezone: str
    language: str
    name: str

    def today(self, clock: Clock) -> date:
        return local_date(clock.now(), self.timezone)


@dataclass(frozen=True, slots=True)
class Runtime:
    """The process services CorpFinity's services use (from app state, or a job's resources)."""

    clock: Clock
    cache: Cache
    ai: AiService
    daily_push_limit: int
    analytics: Analytics | None = None

    def options(self, app: AppContext) -> CorpfinityOptions:
        return app.settings_as(CorpfinityOptions)


def runtime_from(state: Any) -> Runtime:
    """CorpFinity's services from the process's resources (`app.state`)."""
    return Runtime(
        clock=state.clock,
        cache=state.cache,
        ai=state.ai,
        daily_push_limit=state.settings.push.daily_limit,
        analytics=state.analytics,
    )


def streak_key(user_id: uuid.UUID) -> str:
    return f"cache:corpfinity:streak:{user_id}"


def achievements_key(user_id: uuid.UUID) -> str:
    return f"cache:corpfinity:achievements:{user_id}"


def stats_key(user_id: uuid.UUID) -> str:
    return f"cache:corpfinity:stats:{user_id}"


def history_key(user_id: uuid.UUID, limit: int) -> str:
    """The first page of the history (what the app opens on), for one page size."""
    return f"cache:corpfinity:history:{user_id}:{limit}"


HISTORY_TTL_S = 60
HISTORY_CACHED_LIMITS = (20, 50)  # the page sizes apps ask for; others are not cached


def forget(session: AsyncSession, cache: Cache, *keys: str) -> None:
    """Drop cached values once the change that makes them stale has committed."""
    forget_after_commit(session, cache, *keys)
