"""Editing the challenge catalog: a content admin of CorpFinity adds, changes and retires
challenges, members see the change at once (the hour-long cache is dropped), and nobody else
may edit."""

from __future__ import annotations

from datetime import timedelta

import httpx2
import pytest
from fastapi import FastAPI

from appfleet.core.clock import FixedClock
from tests.apps.corpfinity.helpers import BASE
from tests.fixtures.accounts import bearer, register
from tests.fixtures.admins import grant

pytestmark = pytest.mark.anyio
NEW = {
    "title": "Window gaze",
    "description": "Look at something far away for twenty seconds.",
    "duration": "1 min",
    "duration_minutes": 1,
    "emoji": "🪟",
    "fun_fact": "Far focus relaxes the eye's ciliary muscle.",
    "goal_category": "mindfulness",
    "energy_level": "low",
}


async def test_a_content_admin_edits_the_catalog_members_see(
    client: httpx2.AsyncClient, app: FastAPI, clock: FixedClock
) -> None:
    member = bearer((await register(client, email="ann@example.com"))["access_token"])
    before = {c["id"] for c in (await client.get(f"{BASE}/challenges")).json()}  # now cached
    clock.advance(timedelta(seconds=21))
    editor = bearer((await register(client, email="ed@example.com"))["access_token"])
    await grant(app, "ed@example.com", "admin", "corpfinity")
    url = f"{BASE}/admin/challenges/far-focus"
    assert (await client.put(url, json=NEW, headers=member)).status_code == 403
    made = await client.put(url, json=NEW, headers=editor)
    assert made.status_code == 201 and made.json()["active"] is True
    after = {c["id"] for c in (await client.get(f"{BASE}/challenges")).json()}
    assert after == before | {"far-focus"}
    retired = await client.put(url, json={**NEW, "active": False}, headers=editor)
    assert retired.status_code == 200
    assert "far-focus" not in {c["id"] for c in (await client.get(f"{BASE}/challenges")).json()}
    every = (await client.get(f"{BASE}/admin/challenges", headers=editor)).json()
    assert {"id": "far-focus", "active": False} in [
        {"id": c["id"], "active": c["active"]} for c in every
    ]
    assert len(every) == len(before) + 1
    bad = await client.put(url, json={**NEW, "energy_level": "extreme"}, headers=editor)
    assert bad.status_code == 400
    odd = await client.put(f"{BASE}/admin/challenges/..%2Fx", json=NEW, headers=editor)
    assert odd.status_code in (400, 404)


async def test_an_edited_achievement_is_what_members_see_and_earn(
    client: httpx2.AsyncClient, app: FastAPI, clock: FixedClock
) -> None:
    member = bearer((await register(client, email="ann@example.com"))["access_token"])
    listed = (await client.get(f"{BASE}/achievements", headers=member)).json()  # now cached
    assert "first_step" in {a["id"] for a in listed}
    clock.advance(timedelta(seconds=21))
    editor = bearer((await register(client, email="ed@example.com"))["access_token"])
    await grant(app, "ed@example.com", "admin", "corpfinity")
    edit = {
        "title": "Two Steps",
        "description": "Complete two challenges.",
        "emoji": "👣",
        "threshold": 2,
    }
    url = f"{BASE}/admin/achievements"
    assert (await client.put(f"{url}/first_step", json=edit, headers=member)).status_code == 403
    changed = await client.put(f"{url}/first_step", json=edit, headers=editor)
    assert changed.status_code == 200 and changed.json()["rule"] == "completions"
    off = {
        "title": "On a Roll",
        "description": "Keep a 3-day streak.",
        "emoji": "📅",
        "threshold": 3,
        "active": False,
    }
    assert (await client.put(f"{url}/streak_3", json=off, headers=editor)).status_code == 200
    assert (await client.put(f"{url}/made_up", json=off, headers=editor)).status_code == 404
    now = {a["id"]: a for a in (await client.get(f"{BASE}/achievements", headers=member)).json()}
    assert now["first_step"]["title"] == "Two Steps" and "streak_3" not in now
    done = []
    for challenge in ("desk-stretch", "stair-climb"):
        completed = await client.post(
            f"{BASE}/challenges/complete", json={"challenge_id": challenge}, headers=member
        )
        assert completed.status_code == 201, completed.text
        done.append([a["id"] for a in completed.json()["achievements_unlocked"]])
    assert "first_step" not in done[0] and "first_step" in done[1]
    definitions = (await client.get(url, headers=editor)).json()
    assert {d["id"]: d["active"] for d in definitions}["streak_3"] is False
