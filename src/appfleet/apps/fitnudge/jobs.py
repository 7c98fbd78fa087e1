"""FitNudge's scheduled work: motivation pushes every minute, and every 15 minutes the weekly
summaries due somewhere (Sunday evening, local time)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from appfleet.apps.fitnudge.service import APP, Coach, schedules, summary
from appfleet.core.registry import AppRegistry
from appfleet.core.settings import Settings
from appfleet.core.tasks import JobContext, Schedule, Task
from appfleet.platform.ai.service import AiService
from appfleet.platform.flags.service import FlagStore
from appfleet.providers.storage.base import Storage
from appfleet.runtime.cache import Cache
from appfleet.runtime.realtime import Broker


def _coach(context: JobContext) -> Coach:
    settings = context.resource(Settings)
    return Coach(
        clock=context.clock,
        cache=context.resource(Cache),
        broker=context.resource(Broker),
        ai=context.resource(AiService),
        storage=context.resource(Storage),
        storage_settings=settings.storage,
        daily_push_limit=settings.push.daily_limit,
        flags=context.resource(FlagStore),
    )


async def fire_motivation(context: JobContext, _args: dict[str, Any]) -> None:
    app = context.resource(AppRegistry).get(APP)
    await schedules.fire_due(context.session, _coach(context), app)


async def send_weekly_summaries(context: JobContext, _args: dict[str, Any]) -> None:
    app = context.resource(AppRegistry).get(APP)
    await summary.send_weekly(context.session, _coach(context), app)


MOTIVATION = Task("fitnudge.motivation", fire_motivation, queue="notifications", timeout_s=120)
WEEKLY = Task(
    "fitnudge.weekly_summary", send_weekly_summaries, queue="notifications", timeout_s=300
)
TASKS = (MOTIVATION, WEEKLY)
SCHEDULES = (
    Schedule("fitnudge.motivation", MOTIVATION.name, every=timedelta(minutes=1)),
    Schedule("fitnudge.weekly_summary", WEEKLY.name, every=timedelta(minutes=15)),
)
