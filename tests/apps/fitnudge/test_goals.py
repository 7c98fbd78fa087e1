"""Goals: validation, the free plan's single active goal (and how to get more), a paid plan's
any number, owners only."""

from __future__ import annotations

import httpx2
import pytest
from fastapi import FastAPI

from tests.apps.fitnudge.coach import FN, athlete, goal, subscribe

pytestmark = pytest.mark.anyio


async def test_a_goal_is_validated_and_starts_with_no_progress(client: httpx2.AsyncClient) -> None:
    ann = await athlete(client)
    for bad in (
        {"title": "  ", "frequency": 3},
        {"title": "Gym", "frequency": 8},
        {"title": "x" * 101, "frequency": 1},
        {"title": "Gym", "frequency": 0},
    ):
        refused = await client.post(f"{FN}/goals", json=bad, headers=ann)
        assert refused.status_code == 400, bad
        assert refused.json()["error"]["code"] == "VALIDATION_ERROR"
    made = await goal(client, ann, "  Gym 3x/week ", 3)
    assert made["title"] == "Gym 3x/week" and made["active"] is True
    assert made["streak_days"] == 0 and made["streak_weeks"] == 0
    assert made["week"] == {"starts": "2026-03-02", "done": 0, "target": 3, "met": False}


async def test_the_free_plan_keeps_one_active_goal_and_says_how_to_get_more(
    client: httpx2.AsyncClient, app: FastAPI
) -> None:
    ann = await athlete(client)
    first = await goal(client, ann, "Gym")
    second = await client.post(f"{FN}/goals", json={"title": "Run", "frequency": 2}, headers=ann)
    assert second.status_code == 403
    error = second.json()["error"]
    assert error["code"] == "AUTHORIZATION_ERROR" and "upgrade to pro" in error["message"]
    assert error["details"]["required"] == "pro" and error["details"]["limit"] == 1
    assert error["details"]["checkout"] == f"{FN}/billing/checkout-session"
    paused = await goal(client, ann, "Run", 2, active=False)  # a paused one is fine
    resume = await client.patch(f"{FN}/goals/{paused['id']}", json={"active": True}, headers=ann)
    assert resume.status_code == 403
    await client.patch(f"{FN}/goals/{first['id']}", json={"active": False}, headers=ann)
    swapped = await client.patch(f"{FN}/goals/{paused['id']}", json={"active": True}, headers=ann)
    assert swapped.status_code == 200 and swapped.json()["active"] is True
    listed = (await client.get(f"{FN}/goals", params={"active": True}, headers=ann)).json()
    assert [g["title"] for g in listed] == ["Run"]

    await subscribe(client, app, ann, "pro")
    for title in ("Swim", "Yoga", "Climb"):
        await goal(client, ann, title)
    assert len((await client.get(f"{FN}/goals", params={"active": True}, headers=ann)).json()) == 4


async def test_only_the_owner_reads_changes_or_deletes_a_goal(client: httpx2.AsyncClient) -> None:
    ann, bob = await athlete(client), await athlete(client, "bob@example.com")
    mine = await goal(client, ann)
    url = f"{FN}/goals/{mine['id']}"
    assert (await client.get(url, headers=bob)).status_code == 404
    assert (await client.patch(url, json={"title": "Mine"}, headers=bob)).status_code == 404
    assert (await client.delete(url, headers=bob)).status_code == 404
    checkin = await client.post(f"{url}/checkins", json={"status": "done"}, headers=bob)
    assert checkin.status_code == 404
    assert (await client.get(url, headers=ann)).json()["title"] == "Gym"
    assert (await client.delete(url, headers=ann)).status_code == 204
    assert (await client.get(url, headers=ann)).status_code == 404
    assert (await client.get(f"{FN}/goals/not-a-uuid", headers=ann)).status_code == 400


async def test_onboarding_is_the_original_flow_while_no_experiment_runs(
    client: httpx2.AsyncClient,
) -> None:
    assert (await client.get(f"{FN}/onboarding/flow")).status_code == 401
    ann = await athlete(client)
    flow = (await client.get(f"{FN}/onboarding/flow", headers=ann)).json()
    assert flow == {
        "flow": "original",
        "steps": ["welcome", "goal", "notification"],
        "experiment": None,
        "variant": None,
    }
