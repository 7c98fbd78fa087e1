"""The worker and scheduler of one process, started and stopped together."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from appfleet.core.clock import Clock
from appfleet.core.database import Database
from appfleet.core.secrets import ConfigurationError
from appfleet.core.settings import JobsSettings
from appfleet.core.tasks import Schedule, Task
from appfleet.runtime.jobs.scheduler import Scheduler
from appfleet.runtime.jobs.worker import Worker


def catalog(tasks: Sequence[Task]) -> dict[str, Task]:
    """Tasks by name; two tasks under one name would run each other's jobs, so refuse that."""
    by_name: dict[str, Task] = {}
    for task in tasks:
        if task.name in by_name:
            raise ConfigurationError(f"two tasks are named {task.name!r}")
        by_name[task.name] = task
    return by_name


@dataclass(slots=True)
class JobRunner:
    db: Database
    clock: Clock
    settings: JobsSettings
    tasks: Mapping[str, Task]
    schedules: Sequence[Schedule]
    resources: Mapping[type, object]
    _running: list[asyncio.Task[None]] = field(default_factory=list)
    worker: Worker = field(init=False)
    scheduler: Scheduler = field(init=False)

    def __post_init__(self) -> None:
        self.worker = Worker(
            self.db, self.clock, self.tasks, self.settings, resources=self.resources
        )
        self.scheduler = Scheduler(self.db, self.clock, self.schedules, self.tasks)

    def start(self, *, work: bool = True, schedule: bool = True) -> None:
        if work:
            self._running.append(asyncio.create_task(self.worker.run()))
        if schedule:
            self._running.append(asyncio.create_task(self.scheduler.run()))

    async def stop(self) -> None:
        """Stop claiming; running jobs finish within the grace period or are requeued."""
        self.worker.stop()
        self.scheduler.stop()
        for running in self._running:
            with contextlib.suppress(asyncio.CancelledError):
                await running
        self._running.clear()

    async def tick(self) -> tuple[int, int]:
        """One scheduler tick and the due jobs, for hosts with no long-running process."""
        enqueued = await self.scheduler.tick()
        return enqueued, await self.worker.drain()
