"""The scheduler: periods from intervals and cron strings, one leader at a time, and each
period's job enqueued once even when two schedulers tick."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from appfleet.core.clock import FixedClock
from appfleet.core.database import Database, unit_of_work
from appfleet.core.secrets import ConfigurationError
from appfleet.core.tasks import Schedule
from appfleet.runtime.jobs.models import Job
from appfleet.runtime.jobs.scheduler import Scheduler, period_start
from appfleet.runtime.jobs.worker import Worker
from tests.fixtures.jobs import TASKS, effects, jobs_settings

pytestmark = pytest.mark.anyio

EVERY_MINUTE = Schedule("tick", "test.record", every=timedelta(minutes=1), args={"name": "tick"})
HOURLY_AT_15 = Schedule("quarter", "test.record", cron="15 * * * *", args={"name": "quarter"})


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("schedule", "now", "start"),
    [
        (EVERY_MINUTE, "2026-03-08T12:00:59", "2026-03-08T12:00:00"),
        (EVERY_MINUTE, "2026-03-08T12:01:00", "2026-03-08T12:01:00"),
        (HOURLY_AT_15, "2026-03-08T12:15:00", "2026-03-08T12:15:00"),
        (HOURLY_AT_15, "2026-03-08T12:14:59.9", "2026-03-08T11:15:00"),
        (HOURLY_AT_15, "2026-03-08T12:59:00", "2026-03-08T12:15:00"),
    ],
)
def test_period_start_is_the_last_fire_time_at_or_before_now(
    schedule: Schedule, now: str, start: str
) -> None:
    assert period_start(schedule, at(now)) == at(start)


async def test_bad_schedules_are_refused_at_start(jobs_db: Database, clock: FixedClock) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        Schedule("both", "test.record", every=timedelta(minutes=1), cron="* * * * *")
    with pytest.raises(ConfigurationError, match="no task 'missing'"):
        Scheduler(jobs_db, clock, [Schedule("x", "missing", every=timedelta(hours=1))], TASKS)
    with pytest.raises(ConfigurationError, match="'broken'"):
        Scheduler(jobs_db, clock, [Schedule("broken", "test.record", cron="61 * * *")], TASKS)


async def test_two_schedulers_one_leader_and_each_period_runs_once(
    jobs_db: Database, clock: FixedClock
) -> None:
    schedules = [EVERY_MINUTE, HOURLY_AT_15]
    one = Scheduler(jobs_db, clock, schedules, TASKS, lease_s=30, name="one")
    two = Scheduler(jobs_db, clock, schedules, TASKS, lease_s=30, name="two")
    worker = Worker(jobs_db, clock, TASKS, jobs_settings())

    clock.set(at("2026-03-08T12:00:10"))
    for _ in range(6):  # both tick every 10 s for a minute; "one" holds the lease
        assert await one.acquire() and not await two.acquire()
        await one.tick()
        await two.tick()  # a stalled ex-leader ticking late still adds nothing
        await worker.drain()
        clock.advance(timedelta(seconds=10))

    assert await effects(jobs_db, "tick") == 2  # periods 12:00 and 12:01
    assert await effects(jobs_db, "quarter") == 1  # period 11:15, the last fire time

    # The leader stops renewing (crashed): after its lease runs out the other takes over.
    clock.advance(timedelta(seconds=51))  # 12:02:01; the lease ran out at 12:01:30
    assert await two.acquire() and not await one.acquire()
    await two.tick()
    await worker.drain()
    assert await effects(jobs_db, "tick") == 3
    async with unit_of_work(jobs_db, write=False) as session:
        keys = sorted(await session.scalars(select(Job.key)))
    assert keys == [
        "schedule:quarter:2026-03-08T11:15:00+00:00",
        "schedule:tick:2026-03-08T12:00:00+00:00",
        "schedule:tick:2026-03-08T12:01:00+00:00",
        "schedule:tick:2026-03-08T12:02:00+00:00",
    ]
