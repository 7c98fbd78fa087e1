"""Open and click tracking: only for the templates an app opts in, never for sensitive email;
the pixel and the signed redirects count on the message; a tampered link redirects nowhere."""

from __future__ import annotations

import re
import uuid
from email.message import Message
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI

from appfleet.apps import MANIFESTS
from appfleet.core.clock import FixedClock
from appfleet.core.database import unit_of_work
from appfleet.core.settings import Settings
from appfleet.main import create_app
from appfleet.providers.email.reports import email_metrics
from tests.fixtures.accounts import emails_to, register
from tests.fixtures.app import serve
from tests.fixtures.mail import SmtpInbox

pytestmark = pytest.mark.anyio


def tracked_app(settings: Settings, clock: FixedClock, smtp_port: int) -> FastAPI:
    """CorpFinity tracking opens of its welcome email and clicks in welcome and reset emails,
    delivering over SMTP to the local server (the vendor sees the instrumented copy)."""
    corpfinity = {
        "track_opens": ["welcome"],
        "track_clicks": ["welcome", "password_reset"],
        "password_reset_url": "https://corpfinity.app/reset?t={token}",
    }
    email = {
        "provider": "smtp",
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp_port,
        "smtp_security": "none",
    }
    configured = Settings(
        **(
            settings.model_dump()
            | {
                "app": {"corpfinity": corpfinity},
                "email": email,
                "server": {"public_url": "https://api.example.com"},
            }
        )
    )
    return create_app(configured, clock=clock, manifests=MANIFESTS)


def local(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def html_of(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode()
    raise AssertionError("no HTML part")


async def test_an_opted_in_email_counts_its_open_and_clicks(
    settings: Settings, clock: FixedClock, smtp_server: tuple[SmtpInbox, int]
) -> None:
    inbox, port = smtp_server
    app = tracked_app(settings, clock, port)
    async with serve(app) as client:
        await register(client)
        await app.state.jobs.worker.drain()
        [received] = inbox.messages
        html = html_of(received)
        [pixel] = re.findall(r'<img src="(https://api\.example\.com/e/o/[^"]+)"', html)
        opened = await client.get(local(pixel))
        assert (opened.status_code, opened.headers["content-type"]) == (200, "image/gif")
        await client.get(local(pixel))  # a second open counts, the first time stays

        [stored] = await emails_to(app, "ann@example.com", kind="welcome")
        assert "/e/o/" not in (stored.payload["html"] or "")  # the kept copy is untouched
        assert (stored.open_count, stored.opened_at) == (2, clock.now())
        async with unit_of_work(app.state.db, write=False) as session:
            metrics = await email_metrics(session, "corpfinity", clock.now())
        assert metrics["welcome"]["opened"] == 1


async def test_links_become_signed_redirects_that_count_and_forward(
    settings: Settings, clock: FixedClock, smtp_server: tuple[SmtpInbox, int]
) -> None:
    inbox, port = smtp_server
    app = tracked_app(settings, clock, port)
    async with serve(app) as client:
        await register(client)
        await client.post("/api/v1/corpfinity/auth/forgot", json={"email": "ann@example.com"})
        await app.state.jobs.worker.drain()
        reset_html = next(html_of(m) for m in inbox.messages if "password" in m["Subject"])
        # The reset email is sensitive: its link is the real one, untracked.
        assert "/e/c/" not in reset_html and "/e/o/" not in reset_html
        assert "https://corpfinity.app/reset?t=" in reset_html
        [welcome] = await emails_to(app, "ann@example.com", kind="welcome")
        # The welcome email has no links of its own; one of ours, signed for that message:
        tracker = app.state.email_tracker
        link = tracker.click_url(welcome.id, "https://corpfinity.app/start?from=email&x=1")
        followed = await client.get(local(link))
        assert followed.status_code == 302
        assert followed.headers["location"] == "https://corpfinity.app/start?from=email&x=1"
        [stored] = await emails_to(app, "ann@example.com", kind="welcome")
        assert (stored.click_count, stored.clicked_at) == (1, clock.now())

        token = local(link).removeprefix("/e/c/")
        body, mac = token.split(".")
        other = tracker.click_url(welcome.id, "https://evil.example.com/").split("/e/c/")[1]
        forged = await client.get(f"/e/c/{other.split('.')[0]}.{mac}")
        assert forged.status_code == 400
        assert forged.json()["error"]["details"]["reason"] == "bad_tracking_link"
        assert "location" not in forged.headers
        garbage = await client.get("/e/o/not-a-token.gif")
        assert garbage.status_code == 200  # a pixel always answers, counting nothing


def test_html_links_are_rewritten_and_the_pixel_added() -> None:
    from appfleet.core.registry import AppRegistry
    from appfleet.providers.email.tracking import EmailTracker

    tracker = EmailTracker("s" * 40, "https://api.example.com", AppRegistry(MANIFESTS, Settings()))
    message_id = uuid.uuid4()
    html = '<html><body><a href="https://a.example.com/x?y=1&amp;z=2">go</a></body></html>'
    out = tracker.instrument(html, message_id, opens=True, clicks=True)
    [href] = re.findall(r'href="([^"]+)"', out)
    assert href.startswith("https://api.example.com/e/c/")
    assert tracker.read_click(href.split("/e/c/")[1]) == (
        message_id,
        "https://a.example.com/x?y=1&z=2",
    )
    assert out.endswith('width="1" height="1" alt=""></body></html>')
    assert tracker.instrument(html, message_id, opens=False, clicks=False) == html
