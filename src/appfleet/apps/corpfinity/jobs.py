"""CorpFinity's scheduled work: reminders every minute, and every 15 minutes the notices due
in some timezone (streak risk, weekly summary, daily motivation)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from appfleet.apps.corpfinity.service import Runtime, notices, reminders
from appfleet.core.registry import AppRegistry
from appfleet.core.settings import Settings
from appfleet.core.tasks import JobContext, Schedule, Task
from appfleet.platform.ai.service import AiService
from appfleet.runtime.cache import Cache

APP = "corpfinity"


def _runtime(context: JobContext) -> Runtime:
    return Runtime(
        clock=context.clock,
        cache=context.resource(Cache),
        ai=context.resource(AiService),
        daily_push_limit=context.resource(Settings).push.daily_limit,
    )


async def fire_reminders(context: JobContext, _args: dict[str, Any]) -> None:
    app = context.resource(AppRegistry).get(APP)
    await reminders.fire_due(context.session, _runtime(context), app)


async def send_notices(context: JobContext, _args: dict[str, Any]) -> None:
    app = context.resource(AppRegistry).get(APP)
    runtime = _runtime(context)
    await notices.streak_risk(context.session, runtime, app)
    await notices.weekly_summary(context.session, runtime, app)
    await notices.daily_motivation(context.session, runtime, app)


REMINDERS = Task("corpfinity.reminders", fire_reminders, queue="notifications", timeout_s=120)
NOTICES = Task("corpfinity.notices", send_notices, queue="notifications", timeout_s=300)
TASKS = (REMINDERS, NOTICES)
SCHEDULES = (
    Schedule("corpfinity.reminders", REMINDERS.name, every=timedelta(minutes=1)),
    Schedule("corpfinity.notices", NOTICES.name, every=timedelta(minutes=15)),
)
