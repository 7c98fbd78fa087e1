"""Outbox delivery: the message and its delivery job commit with the change; the job hands the
message to its channel's sender and records sent, failed (retrying) or dead on the row."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi import FastAPI
from prometheus_client import REGISTRY

from appfleet.core.clock import FixedClock
from appfleet.core.database import Database, unit_of_work
from appfleet.runtime import outbox
from appfleet.runtime.jobs import queue
from appfleet.runtime.jobs.worker import Worker
from appfleet.runtime.outbox import DELIVER, OutboxMessage, Senders
from tests.fixtures.accounts import emails_to, register
from tests.fixtures.app import serve
from tests.fixtures.jobs import jobs_settings

pytestmark = pytest.mark.anyio


class FlakySender:
    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.sent: list[str] = []

    def provider(self, message: OutboxMessage) -> str:
        return "flaky"

    async def send(self, message: OutboxMessage) -> str | None:
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionError("smtp.example.com refused the connection")
        self.sent.append(message.recipient)
        return f"flaky-{len(self.sent)}"


def delivered(provider: str, outcome: str) -> float:
    labels = {"channel": "email", "provider": provider, "outcome": outcome}
    return REGISTRY.get_sample_value("appfleet_outbox_deliveries_total", labels) or 0.0


async def queue_message(db: Database, clock: FixedClock, recipient: str) -> OutboxMessage:
    async with unit_of_work(db) as session:
        return await outbox.enqueue(
            session,
            clock,
            channel="email",
            app="corpfinity",
            recipient=recipient,
            kind="password_reset",
            payload={"subject": "Reset", "text": "token abc"},
            sensitive=True,
        )


async def reread(db: Database, message: OutboxMessage) -> OutboxMessage:
    async with unit_of_work(db, write=False) as session:
        found = await session.get(OutboxMessage, message.id)
        assert found is not None
        return found


async def test_a_failed_send_is_retried_then_recorded_sent_with_its_secret_blanked(
    jobs_db: Database, clock: FixedClock
) -> None:
    sender = FlakySender(failures=1)
    worker = Worker(
        jobs_db,
        clock,
        {DELIVER.name: DELIVER},
        jobs_settings(),
        resources={Senders: Senders(fallback=sender)},
    )
    message = await queue_message(jobs_db, clock, "ann@example.com")
    before = {outcome: delivered("flaky", outcome) for outcome in ("sent", "retried")}

    assert await worker.drain() == 1
    failed = await reread(jobs_db, message)
    assert (failed.status, failed.attempts) == ("failed", 1)
    assert failed.last_error == "ConnectionError: smtp.example.com refused the connection"
    assert failed.payload["text"] == "token abc"

    clock.advance(timedelta(seconds=DELIVER.backoff_base_s))
    assert await worker.drain() == 1
    sent = await reread(jobs_db, message)
    assert (sent.status, sent.attempts, sent.sent_at) == ("sent", 2, clock.now())
    assert sent.payload == {"redacted": True}
    assert (sent.provider, sent.provider_ref) == ("flaky", "flaky-1")
    # The per-provider delivery metrics counted one retry and one send.
    assert delivered("flaky", "retried") == before["retried"] + 1
    assert delivered("flaky", "sent") == before["sent"] + 1
    assert sender.sent == ["ann@example.com"]
    assert await worker.drain() == 0  # delivered once; nothing left


async def test_a_message_that_never_goes_through_ends_dead_with_its_job(
    jobs_db: Database, clock: FixedClock
) -> None:
    worker = Worker(
        jobs_db,
        clock,
        {DELIVER.name: DELIVER},
        jobs_settings(),
        resources={Senders: Senders(fallback=FlakySender(failures=99))},
    )
    message = await queue_message(jobs_db, clock, "bob@example.com")
    for _ in range(DELIVER.max_attempts):
        await worker.drain()
        clock.advance(timedelta(seconds=DELIVER.backoff_cap_s))

    dead = await reread(jobs_db, message)
    assert (dead.status, dead.attempts) == ("dead", DELIVER.max_attempts)
    [job] = await queue.dead_jobs(jobs_db)
    assert job.args == {"message_id": str(message.id)}


async def test_an_apps_email_is_delivered_by_the_apps_worker(app: FastAPI) -> None:
    async with serve(app) as client:
        await register(client, email="ann@example.com")
        response = await client.post(
            "/api/v1/corpfinity/auth/forgot", json={"email": "ann@example.com"}
        )
        assert response.status_code == 202
        [pending] = await emails_to(app, "ann@example.com")
        assert pending.status == "pending"

        assert await app.state.jobs.worker.drain() >= 1
        [sent] = await emails_to(app, "ann@example.com")
        assert sent.status == "sent" and sent.payload == {"redacted": True}
