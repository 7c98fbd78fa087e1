"""Reminders: validated, private, and pushed at their local time — once per occurrence however
many times the job runs, across DST, a timezone change and a stretch with no workers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx2
import pytest
from fastapi import FastAPI

from appfleet.apps.corpfinity.jobs import REMINDERS
from appfleet.core.clock import FixedClock
from appfleet.core.database import unit_of_work
from appfleet.runtime.jobs import queue
from tests.apps.corpfinity.helpers import Ann
from tests.fixtures.accounts import notifications_of

pytestmark = pytest.mark.anyio


def reminder(**overrides: Any) -> dict[str, Any]:
    return {
        "type": "water",
        "title": "Drink water",
        "time_hour": 9,
        "time_minute": 30,
        "frequency": "daily",
    } | overrides


async def run_reminders(app: FastAPI) -> None:
    """One run of the reminder job, as the scheduler would enqueue it."""
    async with unit_of_work(app.state.db) as session:
        await queue.enqueue(session, app.state.clock, REMINDERS)
    await app.state.jobs.worker.drain()


async def test_reminders_are_created_listed_changed_and_deleted(
    client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    ann = await Ann(client, clock, "ann@example.com").sign_up("Europe/Berlin")
    created = await ann.request("POST", "/reminders", json=reminder(message="A full glass"))
    assert created.status_code == 201
    body = created.json()
    assert body["next_fire_at"] == "2026-03-09T08:30:00Z"  # 09:30 tomorrow in Berlin
    changed = await ann.request(
        "PATCH",
        f"/reminders/{body['id']}",
        json={"frequency": "custom", "custom_days": [0, 2], "time_hour": 7},
    )
    assert changed.status_code == 200
    assert changed.json()["next_fire_at"] == "2026-03-09T06:30:00Z"  # Monday 07:30
    listed = (await ann.request("GET", "/reminders")).json()
    assert [r["custom_days"] for r in listed] == [[0, 2]]
    # Nulls for "unchanged" (clients that send every field): only the message can be cleared.
    nulls = {"time_hour": None, "type": None, "title": None, "message": None, "enabled": None}
    kept = await ann.request("PATCH", f"/reminders/{body['id']}", json=nulls)
    assert kept.status_code == 200, kept.text
    assert (kept.json()["time_hour"], kept.json()["title"]) == (7, body["title"])
    assert kept.json()["message"] is None and kept.json()["enabled"] is True
    assert (await ann.request("DELETE", f"/reminders/{body['id']}")).status_code == 204
    assert (await ann.request("GET", "/reminders")).json() == []


@pytest.mark.parametrize(
    "bad",
    [
        {"time_hour": 24},
        {"time_minute": 60},
        {"frequency": "custom"},
        {"frequency": "custom", "custom_days": [7]},
        {"frequency": "custom", "custom_days": [1, 1]},
        {"frequency": "hourly"},
        {"title": ""},
    ],
)
async def test_bad_reminders_are_refused(
    client: httpx2.AsyncClient, clock: FixedClock, bad: dict[str, Any]
) -> None:
    ann = await Ann(client, clock, "ann@example.com").sign_up()
    assert (await ann.request("POST", "/reminders", json=reminder(**bad))).status_code == 400
    created = (await ann.request("POST", "/reminders", json=reminder())).json()
    change = {k: v for k, v in bad.items() if k != "title"} or {"title": ""}
    patched = await ann.request("PATCH", f"/reminders/{created['id']}", json=change)
    assert patched.status_code == 400


async def test_another_users_reminder_is_a_404(
    client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    ann = await Ann(client, clock, "ann@example.com").sign_up()
    bob = await Ann(client, clock, "bob@example.com").sign_up()
    mine = (await ann.request("POST", "/reminders", json=reminder())).json()
    for method in ("PATCH", "DELETE"):
        response = await bob.request(method, f"/reminders/{mine['id']}", json={"title": "x"})
        assert response.status_code == 404
    assert len((await ann.request("GET", "/reminders")).json()) == 1


async def test_a_reminder_fires_at_its_local_time_once(
    app: FastAPI, client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    ann = await Ann(client, clock, "ann@example.com").sign_up("Europe/Berlin")
    await ann.request("POST", "/reminders", json=reminder(type="stretch", title="Stretch"))
    clock.set(datetime(2026, 3, 9, 8, 29, tzinfo=UTC))
    await run_reminders(app)
    assert await notifications_of(app, ann.user_id, "reminder") == []
    clock.set(datetime(2026, 3, 9, 8, 30, tzinfo=UTC))  # 09:30 in Berlin
    await run_reminders(app)
    await run_reminders(app)  # a second run in the same minute sends nothing more
    [sent] = await notifications_of(app, ann.user_id, "reminder")
    assert (sent.title, sent.body) == ("Stretch", "Time for your stretch!")
    clock.set(datetime(2026, 3, 10, 8, 30, tzinfo=UTC))
    await run_reminders(app)
    assert len(await notifications_of(app, ann.user_id, "reminder")) == 2


async def test_reminders_follow_dst_and_a_timezone_change(
    app: FastAPI, client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 3, 28, 12, tzinfo=UTC))
    ann = await Ann(client, clock, "ann@example.com").sign_up("Europe/Berlin")
    created = (await ann.request("POST", "/reminders", json=reminder())).json()
    assert created["next_fire_at"] == "2026-03-29T07:30:00Z"  # Berlin is on summer time then
    clock.set(datetime(2026, 3, 29, 7, 30, tzinfo=UTC))
    await run_reminders(app)
    assert len(await notifications_of(app, ann.user_id, "reminder")) == 1
    listed = (await ann.request("GET", "/reminders")).json()
    assert listed[0]["next_fire_at"] == "2026-03-30T07:30:00Z"
    # She moves to Tokyo: 09:30 there is 00:30 UTC.
    await ann.request("PATCH", "/users/me", json={"timezone": "Asia/Tokyo"})
    clock.set(datetime(2026, 3, 30, 7, 30, tzinfo=UTC))  # 16:30 in Tokyo: not now
    await run_reminders(app)
    assert len(await notifications_of(app, ann.user_id, "reminder")) == 1
    listed = (await ann.request("GET", "/reminders")).json()
    assert listed[0]["next_fire_at"] == "2026-03-31T00:30:00Z"
    clock.set(datetime(2026, 3, 31, 0, 30, tzinfo=UTC))
    await run_reminders(app)
    assert len(await notifications_of(app, ann.user_id, "reminder")) == 2


async def test_a_reminder_missed_by_hours_is_skipped_not_sent_late(
    app: FastAPI, client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    ann = await Ann(client, clock, "ann@example.com").sign_up("UTC")
    await ann.request("POST", "/reminders", json=reminder())
    clock.set(datetime(2026, 3, 9, 13, 0, tzinfo=UTC))  # workers were down since 09:30
    await run_reminders(app)
    assert await notifications_of(app, ann.user_id, "reminder") == []
    listed = (await ann.request("GET", "/reminders")).json()
    assert listed[0]["next_fire_at"] == "2026-03-10T09:30:00Z"
    clock.set(datetime(2026, 3, 10, 9, 40, tzinfo=UTC))  # ten minutes late: still sent
    await run_reminders(app)
    assert len(await notifications_of(app, ann.user_id, "reminder")) == 1


async def test_a_muted_reminder_stays_in_the_inbox_unpushed(
    app: FastAPI, client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    ann = await Ann(client, clock, "ann@example.com").sign_up("UTC")
    await ann.request("PUT", "/notifications/preferences", json={"muted_kinds": ["reminder"]})
    await ann.request("POST", "/reminders", json=reminder())
    clock.set(datetime(2026, 3, 9, 9, 30, tzinfo=UTC))
    await run_reminders(app)
    [sent] = await notifications_of(app, ann.user_id, "reminder")
    assert sent.push_state == "muted"
