"""A worker killed with SIGKILL in the middle of a job: once another worker runs, the job
completes and its effect exists exactly once. SIGTERM lets a running job finish."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from appfleet.core.clock import Clock
from appfleet.core.database import Database, unit_of_work
from appfleet.core.settings import DatabaseSettings
from appfleet.runtime.jobs import queue
from appfleet.runtime.jobs.models import Job
from tests.fixtures.app import reset_probe_tables
from tests.fixtures.jobs import RECORD, effects
from tests.fixtures.services import empty_database

ROOT = Path(__file__).resolve().parents[3]


def start_worker(url: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.fixtures.crash_worker"],
        cwd=ROOT,
        env={"DATABASE_URL": url, "PATH": "/usr/bin:/bin"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


async def job_state(db: Database) -> tuple[str, int]:
    async with unit_of_work(db, write=False) as session:
        job = (await session.scalars(select(Job))).one()
        return job.status, job.attempts


async def wait_for(db: Database, state: tuple[str, int], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while (current := await job_state(db)) != state:
        assert time.monotonic() < deadline, f"job is {current}, waited for {state}"
        await asyncio.sleep(0.05)


@pytest.mark.services
def test_a_killed_workers_job_completes_once_after_restart(postgres_url: str) -> None:
    async def run() -> None:
        await empty_database(postgres_url)
        await reset_probe_tables(postgres_url)
        db = Database(postgres_url, DatabaseSettings())
        try:
            async with unit_of_work(db) as session:
                await queue.enqueue(session, Clock(), RECORD, {"name": "crash", "sleep_s": 2})

            first = start_worker(postgres_url)
            await wait_for(db, ("running", 1))
            await asyncio.sleep(0.5)  # inside the task: its effect is written, not committed
            first.send_signal(signal.SIGKILL)
            first.communicate(timeout=10)
            assert await effects(db, "crash") == 0

            second = start_worker(postgres_url)
            await wait_for(db, ("running", 2))  # the lease (2 s) ran out and was reclaimed
            second.send_signal(signal.SIGTERM)  # the grace period lets the run finish
            output = second.communicate(timeout=30)[0]
            assert second.returncode == 0, output
            assert await job_state(db) == ("succeeded", 2)
            assert await effects(db, "crash") == 1
        finally:
            await db.dispose()

    asyncio.run(run())
