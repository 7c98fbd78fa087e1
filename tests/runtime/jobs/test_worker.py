"""The job queue and its worker, on SQLite and on PostgreSQL: jobs run once their transaction
commits, effects commit with the job, failures retry with backoff and end in the dead letters,
leases fence runs that went silent, urgent queues go first."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from appfleet.core.clock import FixedClock
from appfleet.core.database import Database, unit_of_work
from appfleet.core.errors import NotFound
from appfleet.runtime.jobs import queue
from appfleet.runtime.jobs.models import Job
from appfleet.runtime.jobs.worker import Worker
from tests.fixtures.jobs import CLEANUP, RECORD, SLOW, TASKS, URGENT, effects, jobs_settings
from tests.fixtures.probe import ProbeEffect

pytestmark = pytest.mark.anyio


def worker_for(db: Database, clock: FixedClock, **settings: object) -> Worker:
    return Worker(db, clock, TASKS, jobs_settings(**settings))


async def job_rows(db: Database) -> list[Job]:
    async with unit_of_work(db, write=False) as session:
        return list(await session.scalars(select(Job).order_by(Job.created_at)))


async def test_a_job_runs_only_if_its_transaction_commits(
    jobs_db: Database, clock: FixedClock
) -> None:
    with pytest.raises(RuntimeError):
        async with unit_of_work(jobs_db) as session:
            await queue.enqueue(session, clock, RECORD, {"name": "rolled-back"})
            raise RuntimeError("the change that queued the job failed")
    async with unit_of_work(jobs_db) as session:
        await queue.enqueue(session, clock, RECORD, {"name": "committed"})

    assert await worker_for(jobs_db, clock).drain() == 1
    assert await effects(jobs_db, "rolled-back") == 0
    assert await effects(jobs_db, "committed") == 1
    [job] = await job_rows(jobs_db)
    assert (job.status, job.attempts, job.finished_at) == ("succeeded", 1, clock.now())


async def test_a_key_makes_a_second_enqueue_a_no_op(jobs_db: Database, clock: FixedClock) -> None:
    async with unit_of_work(jobs_db) as session:
        first = await queue.enqueue(session, clock, RECORD, {"name": "once"}, key="order-1")
        second = await queue.enqueue(session, clock, RECORD, {"name": "once"}, key="order-1")
    async with unit_of_work(jobs_db) as session:
        third = await queue.enqueue(session, clock, RECORD, {"name": "once"}, key="order-1")

    assert (first, second, third) == (True, False, False)
    await worker_for(jobs_db, clock).drain()
    assert await effects(jobs_db, "once") == 1


async def test_failures_roll_back_the_effect_retry_with_backoff_then_go_dead(
    jobs_db: Database, clock: FixedClock
) -> None:
    async with unit_of_work(jobs_db) as session:
        await queue.enqueue(session, clock, RECORD, {"name": "doomed", "fail_until_attempt": 9})
    worker = worker_for(jobs_db, clock)

    assert await worker.drain() == 1
    [job] = await job_rows(jobs_db)
    assert job.status == "queued" and job.attempts == 1
    assert job.last_error == "RuntimeError: asked to fail attempt 1"
    # Full jitter under a ceiling of base * 2**(n-1): 10 s after the first failure.
    assert clock.now() <= job.run_at <= clock.now() + timedelta(seconds=10)
    assert await effects(jobs_db, "doomed") == 0  # the failed run's write was rolled back

    clock.advance(timedelta(seconds=10))
    assert await worker.drain() == 1
    [job] = await job_rows(jobs_db)
    assert job.attempts == 2 and job.run_at <= clock.now() + timedelta(seconds=20)
    clock.advance(timedelta(seconds=20))
    assert await worker.drain() == 1
    assert await worker.drain() == 0  # out of attempts: nothing is due any more

    [dead] = await queue.dead_jobs(jobs_db)
    assert (dead.id, dead.status, dead.attempts) == (job.id, "dead", 3)
    assert dead.last_error == "RuntimeError: asked to fail attempt 3"
    assert await effects(jobs_db, "doomed") == 0


async def test_a_retry_waits_at_least_as_long_as_the_task_was_told(
    jobs_db: Database, clock: FixedClock
) -> None:
    # RECORD's backoff is at most 10 s on the first retry; the vendor asked for 15 minutes.
    async with unit_of_work(jobs_db) as session:
        args = {"name": "told", "fail_until_attempt": 1, "retry_after_s": 900}
        await queue.enqueue(session, clock, RECORD, args)
    worker = worker_for(jobs_db, clock)
    assert await worker.drain() == 1
    [job] = await job_rows(jobs_db)
    assert job.status == "queued"
    assert job.run_at == clock.now() + timedelta(seconds=900)
    clock.advance(timedelta(seconds=899))
    assert await worker.drain() == 0
    clock.advance(timedelta(seconds=1))
    assert await worker.drain() == 1
    assert await effects(jobs_db, "told") == 1


async def test_a_dead_job_can_be_retried_with_fresh_attempts(
    jobs_db: Database, clock: FixedClock
) -> None:
    async with unit_of_work(jobs_db) as session:
        await queue.enqueue(session, clock, SLOW, {"name": "slow", "sleep_first_s": 5})
    worker = worker_for(jobs_db, clock)
    await worker.drain()
    clock.advance(timedelta(minutes=5))
    await worker.drain()
    [dead] = await queue.dead_jobs(jobs_db)
    assert dead.last_error == "timed out after 0.2s"

    with pytest.raises(NotFound):
        await queue.retry(jobs_db, clock, uuid.UUID(int=1))
    await queue.retry(jobs_db, clock, dead.id)
    [again] = await job_rows(jobs_db)
    assert (again.status, again.attempts) == ("queued", 0)
    assert await queue.dead_jobs(jobs_db) == []


async def test_an_unknown_task_goes_straight_to_the_dead_letters(
    jobs_db: Database, clock: FixedClock
) -> None:
    async with unit_of_work(jobs_db) as session:
        await queue.enqueue(session, clock, RECORD, {"name": "x"})
    await Worker(jobs_db, clock, {}, jobs_settings()).drain()
    [dead] = await queue.dead_jobs(jobs_db)
    assert dead.last_error == "unknown task 'test.record'"


async def test_urgent_queues_run_first_and_workers_take_only_their_queues(
    jobs_db: Database, clock: FixedClock
) -> None:
    async with unit_of_work(jobs_db) as session:
        await queue.enqueue(session, clock, CLEANUP, {"name": "cleanup"})
        clock.advance(timedelta(seconds=1))
        await queue.enqueue(session, clock, RECORD, {"name": "default"})
        await queue.enqueue(session, clock, URGENT, {"name": "urgent"})

    claimed = await queue.claim(
        jobs_db,
        clock,
        queues=["default", "notifications"],
        limit=5,
        lease=timedelta(seconds=30),
        worker="w",
    )
    assert [job.task for job in claimed] == ["test.urgent", "test.record"]
    [first] = await queue.claim(
        jobs_db, clock, queues=["cleanup"], limit=5, lease=timedelta(seconds=30), worker="w"
    )
    assert first.task == "test.cleanup"


async def test_a_silent_workers_job_is_reclaimed_and_its_late_finish_is_refused(
    jobs_db: Database, clock: FixedClock
) -> None:
    async with unit_of_work(jobs_db) as session:
        await queue.enqueue(session, clock, RECORD, {"name": "reclaimed"})
    [stale] = await queue.claim(
        jobs_db, clock, queues=["default"], limit=1, lease=timedelta(seconds=30), worker="gone"
    )
    worker = worker_for(jobs_db, clock)
    assert await worker.drain() == 0  # leased: nobody else takes it

    clock.advance(timedelta(seconds=31))
    assert await worker.drain() == 1
    assert await effects(jobs_db, "reclaimed") == 1
    # The first run wakes up late and tries to finish: its attempt number no longer matches.
    async with unit_of_work(jobs_db) as session:
        session.add(ProbeEffect(name="reclaimed"))
        assert not await queue.finish(session, clock, stale)
        await session.rollback()
    [job] = await job_rows(jobs_db)
    assert (job.status, job.attempts) == ("succeeded", 2)


async def test_a_job_that_keeps_killing_its_worker_ends_dead(
    jobs_db: Database, clock: FixedClock
) -> None:
    async with unit_of_work(jobs_db) as session:
        await queue.enqueue(session, clock, RECORD, {"name": "poison"})
    for _ in range(RECORD.max_attempts):
        claimed = await queue.claim(
            jobs_db, clock, queues=["default"], limit=1, lease=timedelta(seconds=5), worker="w"
        )
        assert len(claimed) == 1
        clock.advance(timedelta(seconds=6))
        await queue.reclaim_expired(jobs_db, clock)
    [dead] = await queue.dead_jobs(jobs_db)
    assert dead.last_error == "lease expired on the last attempt"


async def test_a_running_worker_wakes_on_commit_and_hands_back_jobs_on_shutdown(
    jobs_db: Database, clock: FixedClock
) -> None:
    # A long poll: only the commit's wake-up can make the first job run within the wait below.
    worker = worker_for(jobs_db, clock, poll_interval_s=30, shutdown_grace_s=0.2, lease_s=30)
    running = asyncio.create_task(worker.run())
    await asyncio.sleep(0.1)
    async with unit_of_work(jobs_db) as session:
        await queue.enqueue(session, clock, RECORD, {"name": "woken"})
    for _ in range(100):
        if await effects(jobs_db, "woken"):
            break
        await asyncio.sleep(0.02)
    assert await effects(jobs_db, "woken") == 1

    async with unit_of_work(jobs_db) as session:
        await queue.enqueue(session, clock, RECORD, {"name": "long", "sleep_first_s": 30})
    for _ in range(100):
        rows = {job.args["name"]: job for job in await job_rows(jobs_db)}
        if rows["long"].status == "running":
            break
        await asyncio.sleep(0.02)
    worker.stop()
    await asyncio.wait_for(running, 5)

    rows = {job.args["name"]: job for job in await job_rows(jobs_db)}
    # Not finished within the grace period: back in the queue, no attempt spent, no effect.
    assert (rows["long"].status, rows["long"].attempts) == ("queued", 0)
    assert await effects(jobs_db, "long") == 0


async def test_prune_keeps_recent_and_dead_jobs(jobs_db: Database, clock: FixedClock) -> None:
    async with unit_of_work(jobs_db) as session:
        await queue.enqueue(session, clock, RECORD, {"name": "old"})
        await queue.enqueue(session, clock, SLOW, {"name": "dead", "sleep_first_s": 1})
    worker = worker_for(jobs_db, clock)
    await worker.drain()
    clock.advance(timedelta(minutes=2))
    await worker.drain()
    clock.advance(timedelta(days=8))
    async with unit_of_work(jobs_db) as session:
        await queue.enqueue(session, clock, RECORD, {"name": "new"})
    await worker.drain()

    assert await queue.prune(jobs_db, clock, older_than=timedelta(days=7)) == 1
    assert sorted(job.args["name"] for job in await job_rows(jobs_db)) == ["dead", "new"]


async def test_workers_draining_together_run_each_job_once(
    jobs_db: Database, clock: FixedClock
) -> None:
    async with unit_of_work(jobs_db) as session:
        for number in range(30):
            await queue.enqueue(session, clock, RECORD, {"name": f"job-{number}"})
    workers = [worker_for(jobs_db, clock, concurrency=3) for _ in range(3)]
    ran = await asyncio.gather(*(worker.drain() for worker in workers))

    assert sum(ran) == 30
    async with unit_of_work(jobs_db, write=False) as session:
        names = list(await session.scalars(select(ProbeEffect.name)))
    assert sorted(names) == sorted(f"job-{number}" for number in range(30))
