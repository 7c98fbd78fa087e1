"""A worker killed with SIGKILL in the middle of a job: once another worker runs, the job
completes and its effect exists exactly once. SIGTERM lets a running job finish. Killed while
delivering the outbox's email, no message is lost, and only those in flight can arrive twice
(under the same Message-ID)."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from appfleet.core.clock import Clock
from appfleet.core.database import Database, unit_of_work
from appfleet.core.settings import DatabaseSettings
from appfleet.runtime import outbox
from appfleet.runtime.jobs import queue
from appfleet.runtime.jobs.models import Job
from appfleet.runtime.outbox import OutboxMessage
from tests.fixtures.app import reset_probe_tables
from tests.fixtures.jobs import RECORD, effects
from tests.fixtures.servers import free_port
from tests.fixtures.services import empty_database

ROOT = Path(__file__).resolve().parents[3]


def start_worker(url: str, smtp_port: int | None = None) -> subprocess.Popen[str]:
    env = {"DATABASE_URL": url, "PATH": "/usr/bin:/bin"}
    if smtp_port is not None:
        env["SMTP_PORT"] = str(smtp_port)
    return subprocess.Popen(
        [sys.executable, "-m", "tests.fixtures.crash_worker"],
        cwd=ROOT,
        env=env,
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


class SlowInbox:
    """An SMTP server that takes its time to confirm: a message is received (and counted) a
    moment before the sender hears 250, the window a crash can fall into."""

    def __init__(self) -> None:
        self.message_ids: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.message_ids.append(str(message_from_bytes(envelope.original_content)["Message-ID"]))
        await asyncio.sleep(0.15)
        return "250 Message accepted for delivery"


@pytest.mark.services
def test_a_worker_killed_mid_delivery_loses_no_email_and_repeats_only_what_was_in_flight(
    postgres_url: str,
) -> None:
    inbox = SlowInbox()
    port = free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()

    async def run() -> None:
        await empty_database(postgres_url)
        db = Database(postgres_url, DatabaseSettings())
        try:
            async with unit_of_work(db) as session:
                for n in range(30):
                    await outbox.enqueue(
                        session,
                        Clock(),
                        channel="email",
                        app="corpfinity",
                        recipient=f"member-{n}@example.com",
                        kind="weekly_summary",
                        payload={"subject": "Your week", "text": f"{n} challenges"},
                    )
            first = start_worker(postgres_url, port)
            deadline = time.monotonic() + 20
            while len(inbox.message_ids) < 6:
                assert time.monotonic() < deadline, "the first worker delivered nothing"
                await asyncio.sleep(0.02)
            first.send_signal(signal.SIGKILL)  # mid-delivery: four jobs run at a time
            first.communicate(timeout=10)

            second = start_worker(postgres_url, port)
            deadline = time.monotonic() + 60
            while await _unsent(db):
                assert time.monotonic() < deadline, "the outbox did not drain after the restart"
                await asyncio.sleep(0.1)
            second.send_signal(signal.SIGTERM)
            output = second.communicate(timeout=30)[0]
            assert second.returncode == 0, output

            async with unit_of_work(db, write=False) as session:
                messages = (await session.scalars(select(OutboxMessage))).all()
        finally:
            await db.dispose()
        expected = {f"<{m.id}@appfleet>" for m in messages}
        # None lost: every message reached the server, each under its own Message-ID.
        assert set(inbox.message_ids) == expected and len(expected) == 30
        assert {m.status for m in messages} == {"sent"}
        # A crash can only repeat what was in flight at that moment (the worker runs four at a
        # time), and a repeat carries the same Message-ID, so mail systems drop the copy.
        repeated = len(inbox.message_ids) - len(expected)
        assert repeated <= 4, repeated

    try:
        asyncio.run(run())
    finally:
        smtp.stop()


async def _unsent(db: Database) -> int:
    async with unit_of_work(db, write=False) as session:
        query = select(func.count()).select_from(OutboxMessage)
        return int(await session.scalar(query.where(OutboxMessage.status != "sent")) or 0)
