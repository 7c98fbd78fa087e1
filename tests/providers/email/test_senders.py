"""Email providers against local servers speaking their protocols: SMTP (aiosmtpd), SendGrid's
and Postmark's HTTP APIs. A refusal no retry can fix is `Undeliverable`; anything passing is
raised for the delivery job to retry; and an app's email goes out through the configured one."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx2
import pytest
from fastapi import FastAPI

from appfleet.apps import MANIFESTS
from appfleet.core.clock import FixedClock
from appfleet.core.settings import EmailSettings, Settings
from appfleet.main import create_app
from appfleet.providers.email.senders import PostmarkSender, SendGridSender, SmtpSender
from appfleet.runtime.outbox import OutboxMessage, Undeliverable
from tests.fixtures.accounts import emails_to, register
from tests.fixtures.app import serve
from tests.fixtures.mail import SmtpInbox, VendorApi
from tests.fixtures.servers import free_port

pytestmark = pytest.mark.anyio


def message(recipient: str = "ann@example.com", html: str | None = "<p>Hi</p>") -> OutboxMessage:
    now = datetime(2026, 3, 8, tzinfo=UTC)
    return OutboxMessage(
        id=uuid.uuid4(),
        channel="email",
        app="corpfinity",
        recipient=recipient,
        kind="password_reset",
        payload={"from": "coach@corpfinity.app", "subject": "Reset", "text": "Hi", "html": html},
        status="pending",
        attempts=0,
        available_at=now,
        created_at=now,
    )


@pytest.fixture
async def http() -> AsyncIterator[httpx2.AsyncClient]:
    async with httpx2.AsyncClient() as client:
        yield client


def smtp_settings(port: int) -> EmailSettings:
    return EmailSettings(
        provider="smtp", smtp_host="127.0.0.1", smtp_port=port, smtp_security="none"
    )


async def test_smtp_delivers_text_and_html_with_the_outbox_id(
    smtp_server: tuple[SmtpInbox, int],
) -> None:
    inbox, port = smtp_server
    sent = message()
    assert await SmtpSender(smtp_settings(port)).send(sent) == f"<{sent.id}@appfleet>"
    [received] = inbox.messages
    assert (received["From"], received["To"], received["Subject"]) == (
        "coach@corpfinity.app",
        "ann@example.com",
        "Reset",
    )
    assert received["Message-ID"] == f"<{sent.id}@appfleet>"
    assert [part.get_content_type() for part in received.walk()] == [
        "multipart/alternative",
        "text/plain",
        "text/html",
    ]


async def test_smtp_refusals_are_final_and_outages_are_retried(
    smtp_server: tuple[SmtpInbox, int],
) -> None:
    _, port = smtp_server
    with pytest.raises(Undeliverable, match="No such user"):
        await SmtpSender(smtp_settings(port)).send(message("refused@example.com"))
    with pytest.raises(Exception) as failure:
        await SmtpSender(smtp_settings(free_port())).send(message())  # nothing listens
    assert not isinstance(failure.value, Undeliverable)


async def test_sendgrid_speaks_v3_mail_send(
    vendor_api: tuple[VendorApi, str], http: httpx2.AsyncClient
) -> None:
    api, base = vendor_api
    settings = EmailSettings(provider="sendgrid", sendgrid_api_key="SG.key", sendgrid_url=base)
    api.status, api.headers = 202, {"X-Message-Id": "sg-4f2a9"}
    sent = message()
    assert await SendGridSender(settings, http).send(sent) == "sg-4f2a9"
    [(path, headers, body)] = api.requests
    assert path == "/v3/mail/send" and headers["Authorization"] == "Bearer SG.key"
    assert body["personalizations"] == [
        {"to": [{"email": "ann@example.com"}], "custom_args": {"outbox_id": str(sent.id)}}
    ]
    assert body["from"] == {"email": "coach@corpfinity.app"} and body["subject"] == "Reset"
    assert body["content"] == [
        {"type": "text/plain", "value": "Hi"},
        {"type": "text/html", "value": "<p>Hi</p>"},
    ]

    api.status, api.body = 400, {"errors": [{"message": "Does not contain a valid address."}]}
    with pytest.raises(Undeliverable, match="valid address"):
        await SendGridSender(settings, http).send(message())
    api.status = 503
    with pytest.raises(RuntimeError, match="SendGrid 503"):
        await SendGridSender(settings, http).send(message())


async def test_postmark_speaks_its_email_api(
    vendor_api: tuple[VendorApi, str], http: httpx2.AsyncClient
) -> None:
    api, base = vendor_api
    settings = EmailSettings(
        provider="postmark", postmark_server_token="pm-token", postmark_url=base
    )
    api.status, api.body = 200, {"ErrorCode": 0, "Message": "OK", "MessageID": "b7bc2f4a"}
    sent = message(html=None)
    assert await PostmarkSender(settings, http).send(sent) == "b7bc2f4a"
    [(path, headers, body)] = api.requests
    assert path == "/email" and headers["X-Postmark-Server-Token"] == "pm-token"
    assert body == {
        "From": "coach@corpfinity.app",
        "To": "ann@example.com",
        "Subject": "Reset",
        "TextBody": "Hi",
        "MessageStream": "outbound",
        "Metadata": {"outbox_id": str(sent.id)},
    }

    api.status, api.body = 422, {"ErrorCode": 406, "Message": "Inactive recipient"}
    with pytest.raises(Undeliverable, match="Inactive recipient"):
        await PostmarkSender(settings, http).send(message())
    api.status, api.body = 422, {"ErrorCode": 429, "Message": "Rate limit exceeded"}
    with pytest.raises(RuntimeError, match="ErrorCode 429"):
        await PostmarkSender(settings, http).send(message())


async def test_an_apps_email_goes_out_over_smtp_and_a_refused_address_ends_dead(
    settings: Settings, clock: FixedClock, smtp_server: tuple[SmtpInbox, int]
) -> None:
    inbox, port = smtp_server
    configured = settings.model_copy(update={"email": smtp_settings(port)})
    app: FastAPI = create_app(configured, clock=clock, manifests=MANIFESTS)
    async with serve(app) as client:
        await register(client, email="ann@example.com")
        await register(client, email="refused@example.com")
        await app.state.jobs.worker.drain()  # the two welcome emails
        inbox.messages.clear()
        for email in ("ann@example.com", "refused@example.com"):
            forgot = await client.post("/api/v1/corpfinity/auth/forgot", json={"email": email})
            assert forgot.status_code == 202
        assert await app.state.jobs.worker.drain() == 2
        [sent] = await emails_to(app, "ann@example.com")
        [refused] = await emails_to(app, "refused@example.com")
        assert await app.state.jobs.worker.drain() == 0  # nothing left to retry
    assert (sent.status, refused.status, refused.attempts) == ("sent", "dead", 1)
    assert refused.last_error is not None and "No such user" in refused.last_error
    [received] = inbox.messages
    assert received["To"] == "ann@example.com"
    assert "Reset your CorpFinity password" in received["Subject"]
