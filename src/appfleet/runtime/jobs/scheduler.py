"""The scheduler: enqueues each schedule's task once per period.

Any number of processes may run one; the holder of the lease row ticks, the others wait, and a
crashed holder is replaced when its lease runs out. Each period's job is enqueued under the key
`schedule:<name>:<period start>`, so even two ticking schedulers (a lease that expired under a
stalled holder) enqueue it once. Only the current period is enqueued: work missed while nothing
ran is found by the task itself from database state (due reminders, accounts past retention).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from cronsim import CronSim, CronSimError
from sqlalchemy import CursorResult, update

from appfleet.core.clock import Clock
from appfleet.core.database import Database, insert, unit_of_work
from appfleet.core.logging import get_logger
from appfleet.core.secrets import ConfigurationError
from appfleet.core.tasks import Schedule, Task
from appfleet.runtime.jobs import queue
from appfleet.runtime.jobs.models import SchedulerLease

log = get_logger("appfleet.scheduler")
LEASE_NAME = "scheduler"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def period_start(schedule: Schedule, now: datetime) -> datetime:
    """The start of the period `now` falls in: the last fire time at or before `now`."""
    if schedule.every is not None:
        step = schedule.every.total_seconds()
        return EPOCH + timedelta(seconds=(now - EPOCH).total_seconds() // step * step)
    # cronsim walks backwards from strictly before its start; cron has minute resolution.
    minute = now.astimezone(UTC).replace(second=0, microsecond=0)
    return next(CronSim(str(schedule.cron), minute + timedelta(seconds=1), reverse=True))


def check_schedules(schedules: Sequence[Schedule], tasks: Mapping[str, Task]) -> None:
    """Refuse to start with a schedule naming an unknown task or a malformed cron string."""
    for schedule in schedules:
        if schedule.task not in tasks:
            raise ConfigurationError(f"schedule {schedule.name!r}: no task {schedule.task!r}")
        if schedule.cron is not None:
            try:
                CronSim(schedule.cron, datetime.now(UTC))
            except CronSimError as exc:
                raise ConfigurationError(f"schedule {schedule.name!r}: {exc}") from None


class Scheduler:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        schedules: Sequence[Schedule],
        tasks: Mapping[str, Task],
        *,
        lease_s: float = 30.0,
        interval_s: float = 5.0,
        name: str | None = None,
    ) -> None:
        check_schedules(schedules, tasks)
        self.db, self.clock, self.schedules, self.tasks = db, clock, schedules, tasks
        self.lease = timedelta(seconds=lease_s)
        self.interval_s = interval_s
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        while not self._stopping.is_set():
            try:
                if await self.acquire():
                    await self.tick()
            except Exception as exc:  # the database is away; try again next interval
                log.warning("scheduler_tick_failed", error=f"{type(exc).__name__}: {exc}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.interval_s)

    def stop(self) -> None:
        self._stopping.set()

    async def acquire(self) -> bool:
        """Take or renew the lease; True while this scheduler is the one that ticks."""
        now = self.clock.now()
        async with unit_of_work(self.db) as session:
            renewed: CursorResult[Any] = await session.execute(  # type: ignore[assignment]
                update(SchedulerLease)
                .where(
                    SchedulerLease.name == LEASE_NAME,
                    (SchedulerLease.holder == self.name) | (SchedulerLease.expires_at < now),
                )
                .values(holder=self.name, expires_at=now + self.lease)
            )
            if renewed.rowcount == 1:
                return True
            created: CursorResult[Any] = await session.execute(  # type: ignore[assignment]
                insert(session, SchedulerLease)
                .values(name=LEASE_NAME, holder=self.name, expires_at=now + self.lease)
                .on_conflict_do_nothing(index_elements=["name"])
            )
            return created.rowcount == 1

    async def tick(self) -> int:
        """Enqueue every schedule's job for the current period; how many were new."""
        now = self.clock.now()
        added = 0
        async with unit_of_work(self.db) as session:
            for schedule in self.schedules:
                start = period_start(schedule, now)
                key = f"schedule:{schedule.name}:{start.isoformat()}"
                task = self.tasks[schedule.task]
                if await queue.enqueue(session, self.clock, task, schedule.args, key=key):
                    added += 1
                    log.info("schedule_due", schedule=schedule.name, period=start.isoformat())
        return added
