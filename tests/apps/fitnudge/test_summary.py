"""The weekly summary: a local week's check-ins, each active goal against its frequency, the
completion rate, streaks and AI messages — for this week or any other."""

from __future__ import annotations

from datetime import timedelta

import httpx2
import pytest
from fastapi import FastAPI

from appfleet.core.clock import FixedClock
from tests.apps.fitnudge.coach import FN, athlete, check_in, goal, subscribe

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
