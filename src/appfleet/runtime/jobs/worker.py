"""A worker: claims due jobs and runs them, `concurrency` at a time.

It wakes when a job is enqueued (in this process at once; from other processes through
PostgreSQL NOTIFY) and polls every `poll_interval_s` as the floor, so a lost wake-up only delays
a job. While a job runs its lease is renewed; on shutdown running jobs get a grace period to
finish and the rest are handed back to the queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import uuid
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from prometheus_client import Counter

from appfleet.core.clock import Clock
from appfleet.core.database import Database, unit_of_work
from appfleet.core.logging import get_logger
from appfleet.core.settings import JobsSettings
from appfleet.core.tasks import JobContext, RetryLater, Task
from appfleet.runtime.jobs import queue
from appfleet.runtime.jobs.queue import Claimed

log = get_logger("appfleet.jobs")
RUNS = Counter("appfleet_jobs", "Job runs by task and outcome.", ["task", "outcome"])


def _setter(event: asyncio.Event) -> Any:
    return lambda _connection: event.set()


class LeaseLost(Exception):
    """Another worker took this job over; this run's effects are rolled back."""


class Worker:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        tasks: Mapping[str, Task],
        settings: JobsSettings,
        *,
        resources: Mapping[type, object] | None = None,
        name: str | None = None,
    ) -> None:
        self.db, self.clock, self.tasks, self.settings = db, clock, tasks, settings
        self.resources = dict(resources or {})
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.lease = timedelta(seconds=settings.lease_s)
        self._running: dict[asyncio.Task[None], Claimed] = {}
        self._wakeup = asyncio.Event()
        self._stopping = asyncio.Event()

    # -- running continuously -------------------------------------------------------------

    async def run(self) -> None:
        """Work until `stop()`; then let running jobs finish within the grace period."""
        queue.listen_locally(self._wakeup)
        listener = asyncio.create_task(self._listen()) if not self.db.is_sqlite else None
        log.info("worker_started", worker=self.name, queues=self.settings.queues)
        try:
            while not self._stopping.is_set():
                await self._run_once()
        finally:
            queue.stop_listening_locally(self._wakeup)
            if listener is not None:
                listener.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await listener
            await self._wind_down()

    def stop(self) -> None:
        self._stopping.set()
        self._wakeup.set()

    async def _run_once(self) -> None:
        self._wakeup.clear()
        free = self.settings.concurrency - len(self._running)
        claimed: list[Claimed] = []
        try:
            await queue.reclaim_expired(self.db, self.clock)
            if free > 0:
                claimed = await self._claim(free)
        except Exception as exc:  # the database is away: keep the worker alive, retry later
            log.warning("worker_poll_failed", worker=self.name, error=type(exc).__name__)
        for job in claimed:
            run = asyncio.create_task(self._execute(job))
            self._running[run] = job
            run.add_done_callback(self._finished)
        if free > 0 and len(claimed) == free:
            return  # a full batch: more may be due, claim again once a slot frees
        # Nothing more is due, or no slot is free: sleep until a wake-up or the poll.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wakeup.wait(), self.settings.poll_interval_s)

    def _finished(self, run: asyncio.Task[None]) -> None:
        self._running.pop(run, None)
        self._wakeup.set()  # a slot is free

    async def _wind_down(self) -> None:
        if not self._running:
            return
        _, pending = await asyncio.wait(list(self._running), timeout=self.settings.shutdown_grace_s)
        for run in pending:
            job = self._running[run]
            run.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await run
            await queue.release(self.db, job)
            log.info("job_released", job=str(job.id), task=job.task)

    async def _listen(self) -> None:
        """Wake on PostgreSQL NOTIFY from any process; reconnect with backoff if it drops."""
        # Imported here: only a PostgreSQL worker listens, and an embedded process starts faster.
        import asyncpg  # type: ignore[import-untyped]

        dsn = self.db.url.set(drivername="postgresql").render_as_string(hide_password=False)
        delay = 1.0
        while True:
            try:
                connection = await asyncpg.connect(dsn, timeout=5)
            except (OSError, asyncpg.PostgresError, TimeoutError):
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
                continue
            delay = 1.0
            lost = asyncio.Event()
            try:
                await connection.add_listener(queue.NOTIFY_CHANNEL, self._on_notify)
                connection.add_termination_listener(_setter(lost))
                await lost.wait()
            finally:
                with contextlib.suppress(Exception):
                    await connection.close()

    def _on_notify(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        if payload in self.settings.queues:
            self._wakeup.set()

    # -- draining (tests, the serverless cron tick) -----------------------------------------

    async def drain(self, *, max_jobs: int = 1000) -> int:
        """Run due jobs until none is left (or `max_jobs` ran); how many ran."""
        ran = 0
        await queue.reclaim_expired(self.db, self.clock)
        while ran < max_jobs:
            claimed = await self._claim(min(self.settings.concurrency, max_jobs - ran))
            if not claimed:
                return ran
            await asyncio.gather(*(self._execute(job) for job in claimed))
            ran += len(claimed)
        return ran

    # -- one job ---------------------------------------------------------------------------

    async def _claim(self, limit: int) -> list[Claimed]:
        return await queue.claim(
            self.db,
            self.clock,
            queues=self.settings.queues,
            limit=limit,
            lease=self.lease,
            worker=self.name,
        )

    async def _execute(self, job: Claimed) -> None:
        task = self.tasks.get(job.task)
        if task is None:
            await queue.fail(self.db, self.clock, job, None, f"unknown task {job.task!r}")
            RUNS.labels(job.task, "dead").inc()
            log.error("job_unknown_task", job=str(job.id), task=job.task)
            return
        keeper = asyncio.create_task(self._keep_lease(job, asyncio.current_task()))
        try:
            async with asyncio.timeout(task.timeout_s):
                await self._run_task(task, job)
        except LeaseLost:
            RUNS.labels(task.name, "lease_lost").inc()
            log.warning("job_lease_lost", job=str(job.id), task=task.name, attempt=job.attempt)
        except asyncio.CancelledError:
            if self._stopping.is_set():
                raise  # shutting down: _wind_down hands the job back
            RUNS.labels(task.name, "lease_lost").inc()  # cancelled by the lease keeper
        except Exception as exc:
            error = (
                f"timed out after {task.timeout_s:g}s"
                if isinstance(exc, TimeoutError)
                else f"{type(exc).__name__}: {exc}"
            )
            wait = exc.delay_s if isinstance(exc, RetryLater) else 0.0
            outcome = await queue.fail(self.db, self.clock, job, task, error, not_before_s=wait)
            RUNS.labels(task.name, outcome).inc()
            level = log.error if outcome == "dead" else log.warning
            level(
                "job_failed",
                job=str(job.id),
                task=task.name,
                attempt=job.attempt,
                outcome=outcome,
                error=error,
            )
        else:
            RUNS.labels(task.name, "succeeded").inc()
        finally:
            keeper.cancel()

    async def _run_task(self, task: Task, job: Claimed) -> None:
        async with unit_of_work(self.db) as session:
            context = JobContext(
                db=self.db,
                session=session,
                clock=self.clock,
                job_id=job.id,
                attempt=job.attempt,
                resources=self.resources,
            )
            await task.run(context, job.args)
            if not await queue.finish(session, self.clock, job):
                raise LeaseLost(str(job.id))

    async def _keep_lease(self, job: Claimed, run: asyncio.Task[Any] | None) -> None:
        while True:
            await asyncio.sleep(self.settings.lease_s / 3)
            try:
                kept = await queue.extend_lease(self.db, self.clock, job, self.lease)
            except Exception as exc:  # try again at the next beat; the lease has slack
                log.warning("job_lease_renewal_failed", job=str(job.id), error=type(exc).__name__)
                continue
            if not kept and run is not None:
                run.cancel()
                return
