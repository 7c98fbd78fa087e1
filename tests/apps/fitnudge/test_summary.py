"""The weekly summary: a local week's check-ins, each active goal against its frequency, the
completion rate, streaks and AI messages — for this week or any other; and the same sent by
push and email every Sunday evening in each member's own timezone and language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx2
import pytest
from fastapi import FastAPI

from appfleet.apps.fitnudge.jobs import WEEKLY
from appfleet.core.clock import FixedClock
from appfleet.core.database import unit_of_work
from appfleet.runtime.jobs import queue
from tests.apps.fitnudge.coach import FN, athlete, check_in, goal, subscribe
from tests.fixtures.accounts import emails_to, notifications_of

pytestmark = pytest.mark.anyio


async def test_a_week_adds_up_per_goal_and_overall(
    client: httpx2.AsyncClient, app: FastAPI, clock: FixedClock
) -> None:
    ann = await athlete(client, timezone="Europe/Berlin")  # Sunday 8 March, 13:00 there
    await subscribe(client, app, ann, "pro")
    gym = await goal(client, ann, "Gym", 3)
    clock.advance(timedelta(seconds=1))  # goals are listed in the order they were set
    run = await goal(client, ann, "Run", 2)
    await goal(client, ann, "Swim", 1, active=False)
    for day in ("2026-03-02", "2026-03-04", "2026-03-06", "2026-03-07"):
        await check_in(client, ann, gym["id"], date=day)
    await check_in(client, ann, run["id"], date="2026-03-08")
    await check_in(client, ann, run["id"], "skipped", date="2026-03-05")
    await check_in(client, ann, gym["id"], date="2026-03-01")  # the week before
    await client.post(f"{FN}/motivation/generate", json={"goal_id": gym["id"]}, headers=ann)

    week = (await client.get(f"{FN}/analytics/weekly-summary", headers=ann)).json()
    assert (week["week_start"], week["week_end"]) == ("2026-03-02", "2026-03-08")
    assert week["checkins"] == {"done": 5, "skipped": 1, "missed": 0}
    assert [(g["title"], g["done"], g["target"], g["met"]) for g in week["goals"]] == [
        ("Gym", 4, 3, True),
        ("Run", 1, 2, False),
    ]
    assert week["completion_rate"] == 0.8  # (3 + 1) of (3 + 2): extra days do not count
    assert week["goals_met"] == 1 and week["motivations"] == 1
    assert week["best_streak_days"] == 2  # gym on the 6th and 7th; run only today
    before = await client.get(
        f"{FN}/analytics/weekly-summary", params={"week": "2026-02-26"}, headers=ann
    )
    assert before.json()["week_start"] == "2026-02-23"
    assert before.json()["checkins"]["done"] == 1 and before.json()["motivations"] == 0


async def _send_summaries(app: FastAPI, times: int = 1) -> None:
    """Runs of the weekly job as the scheduler enqueues it, one job per run."""
    for _ in range(times):
        async with unit_of_work(app.state.db) as session:
            await queue.enqueue(session, app.state.clock, WEEKLY)
    await app.state.jobs.worker.drain()


async def _user_id(client: httpx2.AsyncClient, auth: dict[str, str]) -> str:
    return str((await client.get(f"{FN}/users/me", headers=auth)).json()["id"])


async def test_the_summary_goes_out_sunday_6_pm_local_by_push_and_email_once(
    client: httpx2.AsyncClient, app: FastAPI, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 3, 7, 9, tzinfo=UTC))  # Saturday
    ann = await athlete(client, timezone="Europe/Berlin")
    clock.advance(timedelta(seconds=20))  # sign-ups are rate limited per address
    bea = await athlete(client, "bea@example.com", timezone="America/New_York")
    await client.patch(f"{FN}/users/me", json={"language": "es"}, headers=bea)
    gym = await goal(client, ann, "Gym", 3)
    for day in ("2026-03-03", "2026-03-05"):
        await check_in(client, ann, gym["id"], date=day)
    run = await goal(client, bea, "Correr", 2)
    await check_in(client, bea, run["id"], date="2026-03-04")
    ann_id, bea_id = await _user_id(client, ann), await _user_id(client, bea)

    clock.set(datetime(2026, 3, 8, 16, 59, tzinfo=UTC))  # Sunday 17:59 in Berlin
    await _send_summaries(app)
    assert await notifications_of(app, ann_id, "weekly_summary") == []
    clock.set(datetime(2026, 3, 8, 17, 0, tzinfo=UTC))  # 18:00 in Berlin, 12:00 in New York
    await _send_summaries(app, times=2)
    [push] = await notifications_of(app, ann_id, "weekly_summary")
    assert (push.title, push.body) == ("Your week", "✅ 2 · 67% of your weekly goals")
    assert push.data["week_start"] == "2026-03-02"
    [email] = await emails_to(app, "ann@example.com", kind="weekly_summary")
    assert email.payload["subject"] == "Your week in FitNudge: 2 check-ins"
    assert "From March 2, 2026 to March 8, 2026" in email.payload["text"]
    assert "- Gym: 2/3" in email.payload["text"]
    assert await notifications_of(app, bea_id, "weekly_summary") == []

    clock.set(datetime(2026, 3, 8, 23, 0, tzinfo=UTC))  # 18:00 in New York
    await _send_summaries(app)
    [spanish] = await notifications_of(app, bea_id, "weekly_summary")
    assert (spanish.title, spanish.body) == ("Tu semana", "✅ 1 · 50% de tus objetivos semanales")
    [correo] = await emails_to(app, "bea@example.com", kind="weekly_summary")
    assert correo.payload["subject"].startswith("Tu semana en FitNudge")
    await _send_summaries(app)  # a run repeated (a retried job): nothing is sent twice
    assert len(await emails_to(app, "bea@example.com", kind="weekly_summary")) == 1
    assert len(await emails_to(app, "ann@example.com", kind="weekly_summary")) == 1
    clock.set(datetime(2026, 3, 9, 17, 0, tzinfo=UTC))  # Monday: nothing more
    await _send_summaries(app)
    assert len(await notifications_of(app, ann_id, "weekly_summary")) == 1


async def test_a_muted_summary_sends_no_email(
    client: httpx2.AsyncClient, app: FastAPI, clock: FixedClock
) -> None:
    ann = await athlete(client)
    ann_id = await _user_id(client, ann)
    muted = {"muted_kinds": ["weekly_summary"]}
    assert (await client.put(f"{FN}/notifications/preferences", json=muted, headers=ann)).is_success
    clock.set(datetime(2026, 3, 8, 18, 30, tzinfo=UTC))
    await _send_summaries(app)
    [push] = await notifications_of(app, ann_id, "weekly_summary")
    assert push.push_state == "muted"
    assert await emails_to(app, "ann@example.com", kind="weekly_summary") == []
