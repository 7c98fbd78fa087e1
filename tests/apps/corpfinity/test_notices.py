"""Seed 000's scheduled notices, each in the user's local time and sent once per occurrence:
streak risk at 8 PM, the weekly summary on Sunday at 6 PM (push and email), a daily quote."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx2
import pytest
from fastapi import FastAPI

from appfleet.apps.corpfinity.jobs import NOTICES
from appfleet.core.clock import FixedClock
from appfleet.core.database import unit_of_work
from appfleet.runtime.jobs import queue
from tests.apps.corpfinity.helpers import Ann
from tests.fixtures.accounts import emails_to, notifications_of

pytestmark = pytest.mark.anyio


async def run_notices(app: FastAPI, times: int = 1) -> None:
    """Runs of the notices job as the scheduler enqueues it, one job per run."""
    for _ in range(times):
        async with unit_of_work(app.state.db) as session:
            await queue.enqueue(session, app.state.clock, NOTICES)
    await app.state.jobs.worker.drain()


async def test_streak_risk_comes_at_8_pm_local_only_when_the_streak_is_at_risk(
    app: FastAPI, client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 3, 9, 12, tzinfo=UTC))
    ann = await Ann(client, clock, "ann@example.com").sign_up("Asia/Tokyo")
    bob = await Ann(client, clock, "bob@example.com").sign_up("Asia/Tokyo")
    cat = await Ann(client, clock, "cat@example.com").sign_up("America/New_York")
    for user in (ann, bob, cat):
        await user.complete("plank")  # the 9th (21:00 in Tokyo, 08:00 in New York)
    clock.set(datetime(2026, 3, 10, 10, 59, tzinfo=UTC))  # 19:59 on the 10th in Tokyo
    await run_notices(app)
    assert await notifications_of(app, ann.user_id, "streak_risk") == []
    await bob.complete("squats")  # Bob already kept his streak today
    clock.set(datetime(2026, 3, 10, 11, 0, tzinfo=UTC))  # 20:00 in Tokyo, 07:00 in New York
    await run_notices(app, times=3)  # several runs, as several workers might
    [risk] = await notifications_of(app, ann.user_id, "streak_risk")
    assert risk.body == "Don't lose your 1 day streak!"
    assert risk.expires_at == datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # local midnight
    assert await notifications_of(app, bob.user_id, "streak_risk") == []
    assert await notifications_of(app, cat.user_id, "streak_risk") == []  # morning there
    clock.set(datetime(2026, 3, 11, 0, 5, tzinfo=UTC))  # 20:05 on the 10th in New York
    await run_notices(app)
    assert len(await notifications_of(app, cat.user_id, "streak_risk")) == 1
    assert len(await notifications_of(app, ann.user_id, "streak_risk")) == 1


async def test_no_streak_no_risk(
    app: FastAPI, client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    ann = await Ann(client, clock, "ann@example.com").sign_up("UTC")
    clock.set(datetime(2026, 3, 8, 20, 30, tzinfo=UTC))
    await run_notices(app)
    assert await notifications_of(app, ann.user_id, "streak_risk") == []


async def test_the_weekly_summary_arrives_sunday_6_pm_by_push_and_email(
    app: FastAPI, client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 3, 2, 10, tzinfo=UTC))  # Monday 11:00 in Berlin
    ann = await Ann(client, clock, "ann@example.com").sign_up("Europe/Berlin")
    bob = await Ann(client, clock, "bob@example.com").sign_up("Europe/Berlin")
    await bob.request("PUT", "/notifications/preferences", json={"muted_kinds": ["weekly_summary"]})
    for _ in range(5):
        await ann.complete("plank")
        clock.advance(timedelta(days=1))
    clock.set(datetime(2026, 3, 8, 16, 59, tzinfo=UTC))  # Sunday 17:59
    await run_notices(app)
    assert await notifications_of(app, ann.user_id, "weekly_summary") == []
    clock.set(datetime(2026, 3, 8, 17, 0, tzinfo=UTC))  # Sunday 18:00 in Berlin
    await run_notices(app, times=2)
    [summary] = await notifications_of(app, ann.user_id, "weekly_summary")
    assert summary.body == "You completed 5 challenges this week!"
    [email] = await emails_to(app, "ann@example.com", kind="weekly_summary")
    assert email.payload["subject"] == "Your week in CorpFinity: 5 check-ins"
    assert "From March 2, 2026 to March 8, 2026" in email.payload["text"]
    [muted] = await notifications_of(app, bob.user_id, "weekly_summary")
    assert muted.push_state == "muted"
    assert await emails_to(app, "bob@example.com", kind="weekly_summary") == []


async def test_the_daily_quote_changes_every_day(
    app: FastAPI, client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 3, 8, 6, tzinfo=UTC))
    ann = await Ann(client, clock, "ann@example.com").sign_up("UTC")
    quotes = []
    for _ in range(4):
        clock.set(clock.now().replace(hour=9, minute=5))
        await run_notices(app, times=2)
        quotes = [n.body for n in await notifications_of(app, ann.user_id, "motivation")]
        clock.advance(timedelta(days=1))
    assert len(quotes) == 4
    assert all(a != b for a, b in zip(quotes, quotes[1:], strict=False))
    await ann.request("PATCH", "/users/me", json={"language": "fr"})
    clock.set(clock.now().replace(hour=9, minute=5))
    await run_notices(app)
    latest = (await notifications_of(app, ann.user_id, "motivation"))[-1].body
    from appfleet.apps.corpfinity.quotes import QUOTES

    assert latest in QUOTES["fr"]
