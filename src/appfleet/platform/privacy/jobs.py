"""The purge of deleted accounts, run by the scheduler once their retention period ends."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from appfleet.core.registry import AppRegistry
from appfleet.core.settings import Settings
from appfleet.core.tasks import JobContext, Schedule, Task
from appfleet.platform.auth.apple import AppleGrants
from appfleet.platform.privacy.service import purge_due
from appfleet.providers.storage.base import Storage


async def purge_deleted_accounts(context: JobContext, _args: dict[str, Any]) -> None:
    settings = context.resource(Settings)
    secret = settings.secret_key.get_secret_value() if settings.secret_key else ""
    # Each account is purged in its own unit of work (one failure does not hold the others).
    await purge_due(
        context.db,
        context.clock,
        context.resource(AppRegistry),
        context.resource(AppleGrants),
        context.resource(Storage),
        secret,
    )


PURGE = Task("privacy.purge", purge_deleted_accounts, queue="cleanup", timeout_s=600)
PURGE_HOURLY = Schedule("privacy.purge", PURGE.name, every=timedelta(hours=1))
