"""Housekeeping of uploads: pending ones never completed are removed after a day, with
whatever part of the file reached the store."""

from __future__ import annotations

from typing import Any

from appfleet.core.database import unit_of_work
from appfleet.core.tasks import JobContext, Schedule, Task
from appfleet.platform.uploads import service
from appfleet.providers.storage.base import Storage


async def prune_uploads(context: JobContext, _args: dict[str, Any]) -> None:
    storage = context.resource(Storage)
    # Read and delete the objects before the job's own transaction (SQLite has one writer).
    async with unit_of_work(context.db, write=False) as reading:
        stale = await service.abandoned(reading, context.clock)
    for upload in stale:
        await storage.delete(upload.key)
    if stale:
        await service.forget(context.session, [u.id for u in stale])


PRUNE = Task("uploads.prune", prune_uploads, queue="cleanup", timeout_s=600)
PRUNE_DAILY = Schedule("uploads.prune", PRUNE.name, cron="50 3 * * *")
