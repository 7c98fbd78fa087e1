"""CorpFinity's part of the data export and of the purge."""

from __future__ import annotations

from datetime import timedelta

import httpx2
import pytest
from fastapi import FastAPI

from appfleet.apps.corpfinity.models import Completion, DailyTracking, Progress, Reminder
from appfleet.core.clock import FixedClock
from tests.apps.corpfinity.helpers import Ann
from tests.fixtures.accounts import purge_deleted, stored

pytestmark = pytest.mark.anyio


async def test_the_export_holds_corpfinity_data_and_the_purge_erases_it(
    app: FastAPI, client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    ann = await Ann(client, clock, "ann@example.com").sign_up("UTC")
    bob = await Ann(client, clock, "bob@example.com").sign_up("UTC")
    for user in (ann, bob):
        await user.complete("plank")
        await user.request("PATCH", "/tracking/today", json={"water_intake": 3})
        await user.request(
            "POST",
            "/reminders",
            json={"type": "water", "title": "Water", "time_hour": 9, "time_minute": 0},
        )
    export = (await ann.request("GET", "/users/me/data")).json()["corpfinity"]
    assert [c["challenge_id"] for c in export["challenges_completed"]] == ["plank"]
    assert export["streak"]["current"] == 1
    assert [a["id"] for a in export["achievements"]] == ["first_step"]
    assert export["reminders"][0]["title"] == "Water"
    assert export["daily_tracking"][0]["water_intake"] == 3

    await ann.request("DELETE", "/auth/account")
    clock.advance(timedelta(days=31))
    assert await purge_deleted(app) == 1
    for model in (Completion, Progress, Reminder, DailyTracking):
        assert [str(row.user_id) for row in await stored(app, model)] == [bob.user_id]
