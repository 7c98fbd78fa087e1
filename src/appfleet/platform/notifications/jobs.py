"""Housekeeping of notifications: the inbox keeps `push.keep_days` (90) days."""

from __future__ import annotations

from typing import Any

from appfleet.core.settings import Settings
from appfleet.core.tasks import JobContext, Schedule, Task
from appfleet.platform.notifications.service import prune


async def prune_notifications(context: JobContext, _args: dict[str, Any]) -> None:
    keep_days = context.resource(Settings).push.keep_days
    await prune(context.session, context.clock, keep_days=keep_days)


PRUNE = Task("notifications.prune", prune_notifications, queue="cleanup", timeout_s=600)
PRUNE_DAILY = Schedule("notifications.prune", PRUNE.name, cron="40 3 * * *")
