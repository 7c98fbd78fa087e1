"""Dead letters through /api/v1/admin: seen by who operates their app, and sent again."""

from __future__ import annotations

import httpx2
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update

from appfleet.core.database import unit_of_work
from appfleet.runtime import outbox
from appfleet.runtime.jobs.models import Job
from appfleet.runtime.outbox import OutboxMessage
from tests.fixtures.accounts import bearer, register, stored
from tests.fixtures.admins import grant

pytestmark = pytest.mark.anyio
ADMIN = "/api/v1/admin"


async def dead_letter(app: FastAPI) -> OutboxMessage:
    """A reset email whose every attempt failed, as the delivery job leaves it."""
    async with unit_of_work(app.state.db) as session:
        message = await outbox.enqueue(
            session,
            app.state.clock,
            channel="email",
            app="corpfinity",
            recipient="ann@example.com",
            kind="password_reset",
            payload={"subject": "Reset", "text": "token abc"},
            sensitive=True,
        )
    async with unit_of_work(app.state.db) as session:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message.id)
            .values(status="dead", attempts=5, last_error="ConnectionError: refused")
        )
        jobs = await session.scalars(select(Job).where(Job.task == outbox.DELIVER.name))
        [job] = [j for j in jobs if j.args == {"message_id": str(message.id)}]
        job.status, job.attempts = "dead", 5
    return message


async def admins(client: httpx2.AsyncClient, app: FastAPI) -> tuple[dict[str, str], dict[str, str]]:
    found = []
    for email, scope in (("ops@example.com", None), ("shop@example.com", "healthindex")):
        found.append(bearer((await register(client, email=email))["access_token"]))
        await grant(app, email, "admin", scope)
    return found[0], found[1]


async def test_a_dead_letter_is_found_and_sent_again(
    client: httpx2.AsyncClient, app: FastAPI
) -> None:
    ops, shop = await admins(client, app)
    message = await dead_letter(app)
    listed = (await client.get(f"{ADMIN}/outbox?status=dead", headers=ops)).json()
    assert [(m["id"], m["last_error"]) for m in listed] == [
        (str(message.id), "ConnectionError: refused")
    ]
    detail = (await client.get(f"{ADMIN}/outbox/{message.id}", headers=ops)).json()
    assert detail["payload"] == {"withheld": True}  # a reset link is nobody else's to read
    # The shop's admin does not see corpfinity's mail.
    assert (await client.get(f"{ADMIN}/outbox?status=dead", headers=shop)).json() == []
    assert (await client.get(f"{ADMIN}/outbox?app=corpfinity", headers=shop)).status_code == 403
    hidden = await client.post(f"{ADMIN}/outbox/{message.id}/requeue", headers=shop)
    assert hidden.status_code == 404

    again = await client.post(f"{ADMIN}/outbox/{message.id}/requeue", headers=ops)
    assert again.status_code == 200 and again.json()["status"] == "pending"
    await app.state.jobs.worker.drain()
    [sent] = [m for m in await stored(app, OutboxMessage) if m.id == message.id]
    assert (sent.status, sent.attempts) == ("sent", 1)
    twice = await client.post(f"{ADMIN}/outbox/{message.id}/requeue", headers=ops)
    assert twice.status_code == 409


async def test_dead_jobs_are_retried_by_a_deployment_wide_admin(
    client: httpx2.AsyncClient, app: FastAPI
) -> None:
    ops, shop = await admins(client, app)
    await dead_letter(app)
    assert (await client.get(f"{ADMIN}/jobs/dead", headers=shop)).status_code == 403
    [job] = (await client.get(f"{ADMIN}/jobs/dead", headers=ops)).json()
    assert job["task"] == "outbox.deliver"
    retried = await client.post(f"{ADMIN}/jobs/{job['id']}/retry", headers=ops)
    assert retried.status_code == 200 and retried.json()["attempts"] == 0
    assert (await client.get(f"{ADMIN}/jobs/dead", headers=ops)).json() == []
    gone = await client.post(f"{ADMIN}/jobs/{job['id']}/retry", headers=ops)
    assert gone.status_code == 404
