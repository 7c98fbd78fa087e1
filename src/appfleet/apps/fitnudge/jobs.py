"""FitNudge's scheduled work: motivation pushes, every minute."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from appfleet.apps.fitnudge.service import APP, Coach, schedules
from appfleet.core.registry import AppRegistry
from appfleet.core.settings import Settings
from appfleet.core.tasks import JobContext, Schedule, Task
from appfleet.platform.ai.service import AiService
from appfleet.providers.storage.base import Storage
from appfleet.runtime.cache import Cache
from appfleet.runtime.realtime import Broker


async def fire_motivation(context: JobContext, _args: dict[str, Any]) -> None:
    settings = context.resource(Settings)
    coach = Coach(
        clock=context.clock,
        cache=context.resource(Cache),
        broker=context.resource(Broker),
        ai=context.resource(AiService),
        storage=context.resource(Storage),
        storage_settings=settings.storage,
        daily_push_limit=settings.push.daily_limit,
    )
    app = context.resource(AppRegistry).get(APP)
    await schedules.fire_due(context.session, coach, app)


MOTIVATION = Task("fitnudge.motivation", fire_motivation, queue="notifications", timeout_s=120)
TASKS = (MOTIVATION,)
SCHEDULES = (Schedule("fitnudge.motivation", MOTIVATION.name, every=timedelta(minutes=1)),)
