"""What FitNudge's services share: the process services they use, the user's local day."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from appfleet.core.clock import Clock, local_date
from appfleet.core.settings import StorageSettings
from appfleet.platform.ai.service import AiService
from appfleet.platform.flags.service import FlagStore
from appfleet.platform.users.models import User
from appfleet.providers.storage.base import Storage
from appfleet.runtime.cache import Cache
from appfleet.runtime.realtime import Broker, topic_channel

APP = "fitnudge"
WALL_TOPIC = "wall"  # new posts, deletions and like counts, for every member following it
SEARCH_PREFIX = "cache:fitnudge:search:"  # + the query's words


@dataclass(frozen=True, slots=True)
class Coach:
    clock: Clock
    cache: Cache
    broker: Broker
    ai: AiService
    storage: Storage
    storage_settings: StorageSettings
    daily_push_limit: int
    flags: FlagStore

    def today(self, user: User) -> date:
        return local_date(self.clock.now(), user.timezone)


def coach_from(state: Any) -> Coach:
    """FitNudge's services from the process's resources (`app.state`)."""
    return Coach(
        clock=state.clock,
        cache=state.cache,
        broker=state.broker,
        ai=state.ai,
        storage=state.storage,
        storage_settings=state.settings.storage,
        daily_push_limit=state.settings.push.daily_limit,
        flags=state.flags,
    )


@dataclass(frozen=True, slots=True)
class Athlete:
    """The signed-in user as the AI routes need them, from the cached profile: those routes
    hold no database transaction while a model or a voice is working."""

    user_id: uuid.UUID
    name: str
    language: str
    timezone: str


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def wall_channel() -> str:
    return topic_channel(APP, WALL_TOPIC)
