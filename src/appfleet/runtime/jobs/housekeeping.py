"""The queue's own periodic upkeep."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from appfleet.core.tasks import JobContext, Schedule, Task
from appfleet.runtime.jobs import queue

# Succeeded jobs are kept a week for `appfleet jobs` and for their idempotency keys.
KEEP_SUCCEEDED = timedelta(days=7)


async def prune_jobs(context: JobContext, _args: dict[str, Any]) -> None:
    await queue.prune(context.db, context.clock, older_than=KEEP_SUCCEEDED)


PRUNE = Task("jobs.prune", prune_jobs, queue="cleanup", max_attempts=3)
PRUNE_DAILY = Schedule("jobs.prune", PRUNE.name, cron="17 3 * * *")
