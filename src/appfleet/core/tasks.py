"""Declarations of background work: tasks (run by the job queue) and schedules (periodic tasks).

Apps and the platform declare these in their manifests; the engine that stores, claims, retries
and schedules them lives in `appfleet.runtime.jobs`. A task's effects on the database commit in
the same transaction that marks its job done, so a task that dies halfway leaves nothing behind
and runs again from the start.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.core.clock import Clock
from appfleet.core.database import Database

# Lower runs first: a password-reset email never waits behind a nightly cleanup.
QUEUE_PRIORITY: Mapping[str, int] = {"notifications": 0, "default": 5, "analytics": 5, "cleanup": 9}

T = TypeVar("T")


@dataclass(slots=True)
class JobContext:
    """What a running task gets. `session` is the job's unit of work: what the task writes
    through it commits together with the job's completion, or not at all. On SQLite the
    writer slot is taken at the session's first statement, so a task that calls a vendor does
    that before touching `session` (and reads through `db.session(write=False)`)."""

    db: Database
    session: AsyncSession
    clock: Clock
    job_id: uuid.UUID
    attempt: int
    resources: Mapping[type, object] = field(default_factory=dict)

    def resource(self, kind: type[T]) -> T:
        """A process-wide service the composition root provided (a mail sender, a cache)."""
        value = self.resources.get(kind)
        if not isinstance(value, kind):
            raise LookupError(f"no {kind.__name__} is provided to jobs")
        return value


TaskHandler = Callable[[JobContext, dict[str, Any]], Awaitable[None]]


class RetryLater(Exception):
    """Raised by a task that was told when to come back (a vendor's `Retry-After`): the retry
    waits at least `delay_s`, or the task's own backoff if that is longer."""

    def __init__(self, message: str, *, delay_s: float) -> None:
        super().__init__(message)
        self.delay_s = max(0.0, delay_s)


@dataclass(frozen=True, slots=True)
class Task:
    """A kind of background work. `name` is stored with each job, so renaming a task orphans
    its queued jobs (they go to the dead letters with "unknown task")."""

    name: str
    run: TaskHandler
    queue: str = "default"
    max_attempts: int = 5
    timeout_s: float = 60.0
    # Retry n waits a random time in [0, min(cap, base * 2**n)] ("full jitter").
    backoff_base_s: float = 5.0
    backoff_cap_s: float = 3600.0

    @property
    def priority(self) -> int:
        return QUEUE_PRIORITY.get(self.queue, QUEUE_PRIORITY["default"])


@dataclass(frozen=True, slots=True)
class Schedule:
    """Periodic work: `task` is enqueued once per period, by whichever process holds the
    scheduler lease. Give `every` (an interval aligned to the epoch) or `cron` (UTC)."""

    name: str
    task: str
    every: timedelta | None = None
    cron: str | None = None
    args: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if (self.every is None) == (self.cron is None):
            raise ValueError(f"schedule {self.name!r}: give exactly one of every= or cron=")
        if self.every is not None and self.every.total_seconds() < 1:
            raise ValueError(f"schedule {self.name!r}: every= must be at least one second")
