"""Bounce and complaint webhooks: SendGrid's signed events (a key the test generates signs
them, as SendGrid's does) and Postmark's Basic-authenticated records; a hard bounce or a
complaint suppresses the address, and later email to it is never handed to a sender."""

from __future__ import annotations

import base64
import time
from datetime import timedelta
from typing import Any

import orjson
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import FastAPI
from pydantic import SecretStr

from appfleet.apps import MANIFESTS
from appfleet.core.clock import Clock, FixedClock
from appfleet.core.database import unit_of_work
from appfleet.core.settings import Settings
from appfleet.main import create_app
from appfleet.providers.email.models import EmailSuppression
from appfleet.providers.email.reports import email_metrics
from tests.fixtures.accounts import emails_to, register, stored
from tests.fixtures.app import serve

pytestmark = pytest.mark.anyio
PRIVATE = ec.generate_private_key(ec.SECP256R1())
PUBLIC_B64 = base64.b64encode(
    PRIVATE.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
).decode()
BASIC = "Basic " + base64.b64encode(b"hooks:s3cret-postmark").decode()


def app_with_webhooks(settings: Settings, clock: Clock) -> FastAPI:
    email = settings.email.model_copy(
        update={
            "sendgrid_webhook_key": PUBLIC_B64,
            "postmark_webhook_username": "hooks",
            "postmark_webhook_password": SecretStr("s3cret-postmark"),
        }
    )
    return create_app(
        settings.model_copy(update={"email": email}), clock=clock, manifests=MANIFESTS
    )


def signed(body: bytes, timestamp: int) -> dict[str, str]:
    signature = PRIVATE.sign(str(timestamp).encode() + body, ec.ECDSA(hashes.SHA256()))
    return {
        "X-Twilio-Email-Event-Webhook-Signature": base64.b64encode(signature).decode(),
        "X-Twilio-Email-Event-Webhook-Timestamp": str(timestamp),
        "Content-Type": "application/json",
    }


async def suppressed(app: FastAPI) -> dict[str, str]:
    return {row.address: row.reason for row in await stored(app, EmailSuppression)}


async def test_sendgrid_events_are_verified_and_suppress_hard_bounces_and_complaints(
    settings: Settings,
) -> None:
    app = app_with_webhooks(settings, Clock())
    events: list[dict[str, Any]] = [
        {"email": "Gone@Example.com", "event": "bounce", "type": "bounce", "reason": "550 no user"},
        {"email": "later@example.com", "event": "bounce", "type": "blocked"},
        {"email": "angry@example.com", "event": "spamreport"},
        {"email": "fine@example.com", "event": "delivered"},
    ]
    body = orjson.dumps(events)
    now = int(time.time())
    async with serve(app) as client:
        forged = signed(body, now) | {"X-Twilio-Email-Event-Webhook-Timestamp": str(now + 1)}
        assert (
            await client.post("/webhooks/sendgrid", content=body, headers=forged)
        ).status_code == 400
        stale = signed(body, now - 3600)
        assert (
            await client.post("/webhooks/sendgrid", content=body, headers=stale)
        ).status_code == 400
        assert await suppressed(app) == {}

        accepted = await client.post("/webhooks/sendgrid", content=body, headers=signed(body, now))
        assert accepted.status_code == 204
        again = await client.post("/webhooks/sendgrid", content=body, headers=signed(body, now))
        assert again.status_code == 204  # SendGrid retries: a replayed event changes nothing
        assert await suppressed(app) == {
            "gone@example.com": "hard_bounce",
            "angry@example.com": "complaint",
        }


async def test_postmark_records_need_the_webhook_credentials(settings: Settings) -> None:
    app = app_with_webhooks(settings, Clock())
    hard = {"RecordType": "Bounce", "Type": "HardBounce", "Email": "gone@example.com"}
    soft = {"RecordType": "Bounce", "Type": "SoftBounce", "Email": "full@example.com"}
    complaint = {"RecordType": "SpamComplaint", "Email": "angry@example.com"}
    async with serve(app) as client:
        refused = await client.post("/webhooks/postmark", json=hard)
        assert refused.status_code == 401 and refused.headers["WWW-Authenticate"].startswith(
            "Basic"
        )
        wrong = {"Authorization": "Basic " + base64.b64encode(b"hooks:guess").decode()}
        assert (
            await client.post("/webhooks/postmark", json=hard, headers=wrong)
        ).status_code == 401
        for record in (hard, soft, complaint):
            answer = await client.post(
                "/webhooks/postmark", json=record, headers={"Authorization": BASIC}
            )
            assert answer.status_code == 204
        bad = await client.post(
            "/webhooks/postmark", content=b"not json", headers={"Authorization": BASIC}
        )
        assert bad.status_code == 400
        assert await suppressed(app) == {
            "gone@example.com": "hard_bounce",
            "angry@example.com": "complaint",
        }


async def test_webhooks_are_off_until_configured(app: FastAPI) -> None:
    async with serve(app) as client:
        assert (await client.post("/webhooks/sendgrid", json=[])).status_code == 404
        assert (await client.post("/webhooks/postmark", json={})).status_code == 404


async def test_email_to_a_suppressed_address_is_never_sent(
    settings: Settings, clock: FixedClock
) -> None:
    app = app_with_webhooks(settings, clock)
    complaint = {"RecordType": "SpamComplaint", "Email": "ann@example.com"}
    async with serve(app) as client:
        await register(client, email="ann@example.com")
        await app.state.jobs.worker.drain()  # the welcome email, before the complaint
        headers = {"Authorization": BASIC}
        assert (
            await client.post("/webhooks/postmark", json=complaint, headers=headers)
        ).status_code == 204
        await client.post("/api/v1/corpfinity/auth/forgot", json={"email": "ann@example.com"})
        assert await app.state.jobs.worker.drain() == 1
        [email] = await emails_to(app, "ann@example.com")
    assert (email.status, email.last_error) == (
        "dead",
        "Undeliverable: suppressed after a complaint",
    )


async def test_delivery_and_bounce_reports_land_on_the_outbox_row_and_in_the_metrics(
    settings: Settings, clock: FixedClock
) -> None:
    app = app_with_webhooks(settings, clock)
    async with serve(app) as client:
        for email in ("ann@example.com", "bob@example.com", "cat@example.com"):
            await register(client, email=email)
            await client.post("/api/v1/corpfinity/auth/forgot", json={"email": email})
        assert await app.state.jobs.worker.drain() == 6  # a welcome and a reset each
        [ann] = await emails_to(app, "ann@example.com")
        [bob] = await emails_to(app, "bob@example.com")
        delivered = [{"email": ann.recipient, "event": "delivered", "outbox_id": str(ann.id)}]
        body = orjson.dumps(delivered)
        signed_now = signed(body, int(clock.timestamp()))
        assert (
            await client.post("/webhooks/sendgrid", content=body, headers=signed_now)
        ).status_code == 204
        bounce = {
            "RecordType": "Bounce",
            "Type": "HardBounce",
            "Email": bob.recipient,
            "Metadata": {"outbox_id": str(bob.id)},
        }
        postmark = {"Authorization": BASIC}
        assert (
            await client.post("/webhooks/postmark", json=bounce, headers=postmark)
        ).status_code == 204
        spoofed = {
            "RecordType": "Delivery",
            "Recipient": "x@example.com",
            "Metadata": {"outbox_id": "nope"},
        }
        assert (
            await client.post("/webhooks/postmark", json=spoofed, headers=postmark)
        ).status_code == 204

        [ann] = await emails_to(app, "ann@example.com")
        [bob] = await emails_to(app, "bob@example.com")
        assert (ann.delivered_at, ann.bounced_at) == (clock.now(), None)
        assert bob.bounced_at == clock.now() and bob.last_error == "bounced: HardBounce"
        async with unit_of_work(app.state.db, write=False) as session:
            metrics = await email_metrics(session, "corpfinity", clock.now() - timedelta(days=1))
            elsewhere = await email_metrics(session, "pennywise", clock.now() - timedelta(days=1))
    untracked = {"opened": 0, "clicked": 0, "dead": 0}
    assert metrics == {
        "password_reset": {"queued": 3, "sent": 3, "delivered": 1, "bounced": 1, **untracked},
        "welcome": {"queued": 3, "sent": 3, "delivered": 0, "bounced": 0, **untracked},
    }
    assert elsewhere == {}
