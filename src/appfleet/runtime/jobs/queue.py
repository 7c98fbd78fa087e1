"""The job queue's operations on its table.

Enqueueing writes a row in the caller's transaction, so a job whose transaction rolls back never
exists. Claiming takes due rows with `FOR UPDATE SKIP LOCKED` on PostgreSQL (workers on many hosts
never take the same row) and under SQLite's single writer otherwise. A claimed job carries a
lease; a worker that goes silent (killed, partitioned) loses it and the job runs again. The
attempt number taken at the claim fences every later write, so a run that lost its lease can
neither finish nor fail the job behind the new run's back.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import CursorResult, delete, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.core.clock import Clock
from appfleet.core.database import Database, after_commit, insert, unit_of_work
from appfleet.core.errors import NotFound
from appfleet.core.tasks import Task
from appfleet.runtime.jobs.models import Job

NOTIFY_CHANNEL = "appfleet_jobs"
ERROR_LIMIT = 2000

# Workers of this process wait on these; an enqueue that commits here sets them at once.
_local_wakeups: set[asyncio.Event] = set()


def listen_locally(event: asyncio.Event) -> None:
    _local_wakeups.add(event)


def stop_listening_locally(event: asyncio.Event) -> None:
    _local_wakeups.discard(event)


async def _wake_local_workers() -> None:
    for event in _local_wakeups:
        event.set()


@dataclass(frozen=True, slots=True)
class Claimed:
    id: uuid.UUID
    task: str
    args: dict[str, Any]
    attempt: int
    max_attempts: int


async def enqueue(
    session: AsyncSession,
    clock: Clock,
    task: Task,
    args: Mapping[str, Any] | None = None,
    *,
    key: str | None = None,
    delay: timedelta | None = None,
) -> bool:
    """Queue `task` in the caller's unit of work. With a `key`, a second enqueue of the same
    task and key is a no-op (it answers False)."""
    now = clock.now()
    values = {
        "id": uuid.uuid4(),
        "task": task.name,
        "queue": task.queue,
        "priority": task.priority,
        "args": dict(args or {}),
        "key": key,
        "status": "queued",
        "attempts": 0,
        "max_attempts": task.max_attempts,
        "run_at": now + delay if delay else now,
        "created_at": now,
    }
    statement = insert(session, Job).values(**values)
    result: CursorResult[Any] = await session.execute(  # type: ignore[assignment]
        statement.on_conflict_do_nothing(index_elements=["task", "key"])
    )
    if result.rowcount == 0:
        return False
    if session.get_bind().dialect.name == "postgresql":
        # Delivered to listening workers on every host when (and only if) this commits.
        await session.execute(
            text("SELECT pg_notify(:channel, :queue)"),
            {"channel": NOTIFY_CHANNEL, "queue": task.queue},
        )
    after_commit(session, _wake_local_workers)
    return True


async def claim(
    db: Database,
    clock: Clock,
    *,
    queues: Sequence[str],
    limit: int,
    lease: timedelta,
    worker: str,
) -> list[Claimed]:
    """Take up to `limit` due jobs from `queues`, most urgent first, under a lease."""
    now = clock.now()
    due = (
        select(Job.id)
        .where(Job.status == "queued", Job.run_at <= now, Job.queue.in_(queues))
        .order_by(Job.priority, Job.run_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    statement = (
        update(Job)
        .where(Job.id.in_(due))
        .values(status="running", attempts=Job.attempts + 1, lease_until=now + lease, worker=worker)
        .returning(Job.id, Job.task, Job.args, Job.attempts, Job.max_attempts, Job.priority)
        .execution_options(synchronize_session=False)
    )
    async with unit_of_work(db) as session:
        rows = list((await session.execute(statement)).all())
    rows.sort(key=lambda row: row.priority)  # RETURNING keeps no order
    return [Claimed(r.id, r.task, r.args, r.attempts, r.max_attempts) for r in rows]


def _current(job: Claimed) -> Any:
    return (Job.id == job.id) & (Job.attempts == job.attempt) & (Job.status == "running")


async def finish(session: AsyncSession, clock: Clock, job: Claimed) -> bool:
    """Mark the job done in the task's own transaction; False if this run lost its lease."""
    result: CursorResult[Any] = await session.execute(  # type: ignore[assignment]
        update(Job)
        .where(_current(job))
        .values(status="succeeded", finished_at=clock.now(), lease_until=None, last_error=None)
    )
    return result.rowcount == 1


def backoff(task: Task, attempt: int) -> timedelta:
    """Full jitter: a random wait up to an exponentially growing, capped ceiling."""
    ceiling = min(task.backoff_cap_s, task.backoff_base_s * 2 ** (attempt - 1))
    return timedelta(seconds=random.uniform(0, ceiling))  # noqa: S311 - jitter, not secrecy


async def fail(
    db: Database,
    clock: Clock,
    job: Claimed,
    task: Task | None,
    error: str,
    *,
    not_before_s: float = 0.0,
) -> str:
    """Record a failed run: queued again after a backoff (at least `not_before_s`, when the
    failure said when to come back), or dead once out of attempts."""
    now = clock.now()
    values: dict[str, Any] = {"lease_until": None, "last_error": error[:ERROR_LIMIT]}
    if task is None or job.attempt >= job.max_attempts:
        values |= {"status": "dead", "finished_at": now}
    else:
        wait = max(backoff(task, job.attempt), timedelta(seconds=not_before_s))
        values |= {"status": "queued", "run_at": now + wait}
    async with unit_of_work(db) as session:
        await session.execute(update(Job).where(_current(job)).values(**values))
    return str(values["status"])


async def release(db: Database, job: Claimed) -> None:
    """Give back a job this worker will not run (shutting down): no attempt is spent."""
    async with unit_of_work(db) as session:
        await session.execute(
            update(Job)
            .where(_current(job))
            .values(status="queued", attempts=Job.attempts - 1, lease_until=None, worker=None)
        )


async def extend_lease(db: Database, clock: Clock, job: Claimed, lease: timedelta) -> bool:
    async with unit_of_work(db) as session:
        result: CursorResult[Any] = await session.execute(  # type: ignore[assignment]
            update(Job).where(_current(job)).values(lease_until=clock.now() + lease)
        )
    return result.rowcount == 1


async def reclaim_expired(db: Database, clock: Clock) -> int:
    """Requeue running jobs whose worker went silent; a job that used up its attempts this
    way (it kills whoever runs it) goes to the dead letters instead of looping."""
    now = clock.now()
    expired = (Job.status == "running") & (Job.lease_until < now)
    async with unit_of_work(db) as session:
        dead: CursorResult[Any] = await session.execute(  # type: ignore[assignment]
            update(Job)
            .where(expired, Job.attempts >= Job.max_attempts)
            .values(status="dead", finished_at=now, last_error="lease expired on the last attempt")
        )
        requeued: CursorResult[Any] = await session.execute(  # type: ignore[assignment]
            update(Job)
            .where(expired)
            .values(status="queued", run_at=now, lease_until=None, last_error="lease expired")
        )
    return dead.rowcount + requeued.rowcount


async def dead_jobs(db: Database, *, limit: int = 50) -> list[Job]:
    async with unit_of_work(db, write=False) as session:
        query = select(Job).where(Job.status == "dead").order_by(Job.finished_at.desc())
        return list(await session.scalars(query.limit(limit)))


async def retry(db: Database, clock: Clock, job_id: uuid.UUID) -> Job:
    """Requeue a dead job with a fresh set of attempts."""
    async with unit_of_work(db) as session:
        return await requeue_dead(session, clock, job_id)


async def requeue_dead(session: AsyncSession, clock: Clock, job_id: uuid.UUID) -> Job:
    """`retry` inside the caller's unit of work."""
    job = await session.get(Job, job_id)
    if job is None or job.status != "dead":
        raise NotFound(f"No dead job {job_id}")
    job.status, job.attempts, job.run_at = "queued", 0, clock.now()
    job.finished_at = job.lease_until = None
    after_commit(session, _wake_local_workers)
    return job


async def prune(db: Database, clock: Clock, *, older_than: timedelta) -> int:
    """Delete succeeded jobs finished before the cutoff (dead ones stay for inspection)."""
    cutoff = clock.now() - older_than
    async with unit_of_work(db) as session:
        result: CursorResult[Any] = await session.execute(  # type: ignore[assignment]
            delete(Job).where(Job.status == "succeeded", Job.finished_at < cutoff)
        )
    return result.rowcount
