"""The catalog, completing challenges (catalog, custom, the Flutter client's body), offline
retries, client times, the history, and suggestions."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx2
import pytest
from fastapi import FastAPI

from appfleet.apps.corpfinity.models import Completion
from appfleet.core.clock import FixedClock
from tests.apps.corpfinity.helpers import BASE, Ann
from tests.fixtures.accounts import bearer, notifications_of, register, stored

pytestmark = pytest.mark.anyio


async def test_the_catalog_is_public_filterable_and_revalidates_with_its_etag(
    client: httpx2.AsyncClient,
) -> None:
    everything = await client.get(f"{BASE}/challenges")
    assert everything.status_code == 200
    catalog = everything.json()
    assert len(catalog) >= 60
    assert {c["energy_level"] for c in catalog} == {"low", "medium", "high"}
    assert len({c["goal_category"] for c in catalog}) >= 8
    assert all(c["title"] and c["emoji"] and c["fun_fact"] and c["duration"] for c in catalog)
    assert everything.headers["cache-control"] == "public, max-age=3600"

    calm = await client.get(
        f"{BASE}/challenges", params={"category": "mindfulness", "energy_level": "low"}
    )
    assert calm.json() and all(
        c["goal_category"] == "mindfulness" and c["energy_level"] == "low" for c in calm.json()
    )
    etag = everything.headers["etag"]
    again = await client.get(f"{BASE}/challenges", headers={"If-None-Match": etag})
    assert (again.status_code, again.content) == (304, b"")
    other = await client.get(f"{BASE}/challenges", headers={"If-None-Match": calm.headers["etag"]})
    assert other.status_code == 200
    bad = await client.get(f"{BASE}/challenges", params={"energy_level": "extreme"})
    assert bad.status_code == 400


async def test_completing_a_catalog_challenge_returns_item_streak_and_unlocks(
    app: FastAPI, client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    ann = await Ann(client, clock, "ann@example.com").sign_up("Europe/Berlin")
    response = await ann.complete("box-breathing")
    assert response.status_code == 201
    body = response.json()
    assert body["item"]["title"] == "Box breathing"
    assert body["item"]["goal_category"] == "mindfulness"
    assert body["item"]["local_date"] == "2026-03-08"
    assert body["streak"] == {
        "current_streak": 1,
        "longest_streak": 1,
        "last_completed_date": "2026-03-08",
        "completed_today": True,
        "timezone": "Europe/Berlin",
    }
    assert [a["id"] for a in body["achievements_unlocked"]] == ["first_step"]
    [pushed] = await notifications_of(app, ann.user_id, "achievement")
    assert pushed.body == "You earned: First Step"
    second = await ann.complete("water-glass")
    assert second.json()["achievements_unlocked"] == []  # unlocking happens once
    assert len(await notifications_of(app, ann.user_id, "achievement")) == 1


async def test_the_flutter_clients_camel_case_item_is_accepted(
    client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    ann = await Ann(client, clock, "ann@example.com").sign_up()
    flutter_item = {
        "id": str(uuid.uuid4()),
        "title": "Gratitude note",
        "description": "Wrote a thank-you card",
        "duration": "5 min",
        "emoji": "💌",
        "funFact": "Gratitude improves sleep.",
        "goalCategory": "social",
        "energyLevel": "low",
        "completedAt": (clock.now() - timedelta(hours=2)).isoformat(),
        "isFavourite": True,  # a field this API does not know: ignored
    }
    response = await ann.request("POST", "/challenges/complete", json=flutter_item)
    assert response.status_code == 201, response.text
    item = response.json()["item"]
    assert (item["fun_fact"], item["goal_category"], item["energy_level"]) == (
        "Gratitude improves sleep.",
        "social",
        "low",
    )
    assert item["completed_at"] == "2026-03-08T10:00:00Z"
    assert item["client_id"] == flutter_item["id"]


async def test_an_offline_retry_with_the_same_id_is_stored_once(
    app: FastAPI, client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    ann = await Ann(client, clock, "ann@example.com").sign_up()
    client_id = str(uuid.uuid4())
    first = await ann.complete("stair-climb", id=client_id)
    retry = await ann.complete("stair-climb", id=client_id)
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json()["created"] is False
    assert retry.json()["item"]["id"] == first.json()["item"]["id"]
    assert len(await stored(app, Completion)) == 1
    streak = (await ann.request("GET", "/streaks")).json()
    assert streak["current_streak"] == 1
    keyed = {"Idempotency-Key": "done-2026-03-08-stairs"}
    once = await ann.request(
        "POST", "/challenges/complete", json={"challenge_id": "plank"}, headers=keyed
    )
    twice = await ann.request(
        "POST", "/challenges/complete", json={"challenge_id": "plank"}, headers=keyed
    )
    assert twice.headers.get("idempotent-replayed") == "true"
    assert twice.json() == once.json()
    assert len(await stored(app, Completion)) == 2


@pytest.mark.parametrize(
    ("shift", "stamped"),
    [
        (timedelta(hours=-47), "2026-03-06T13:00:00Z"),  # within 48 h: the phone's time
        (timedelta(hours=-49), "2026-03-08T12:00:00Z"),  # too old: the server's time
        (timedelta(hours=3), "2026-03-08T12:00:00Z"),  # in the future: the server's time
    ],
)
async def test_a_client_time_counts_only_inside_the_window(
    client: httpx2.AsyncClient, clock: FixedClock, shift: timedelta, stamped: str
) -> None:
    ann = await Ann(client, clock, "ann@example.com").sign_up("UTC")
    response = await ann.complete(completed_at=(clock.now() + shift).isoformat())
    assert response.json()["item"]["completed_at"] == stamped


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "give a catalog challenge_id or a title"),
        ({"challenge_id": "no-such-thing"}, "challenge_id"),
        ({"title": ""}, "title"),
        ({"title": "x", "energy_level": "extreme"}, "energy_level"),
        ({"title": "x", "goal_category": "Not A Category"}, "goal_category"),
        ({"title": "x" * 201}, "title"),
    ],
)
async def test_bad_completions_are_refused_and_nothing_is_stored(
    app: FastAPI,
    client: httpx2.AsyncClient,
    clock: FixedClock,
    body: dict[str, object],
    field: str,
) -> None:
    ann = await Ann(client, clock, "ann@example.com").sign_up()
    response = await ann.request("POST", "/challenges/complete", json=body)
    assert response.status_code == 400
    assert field in str(response.json()["error"])
    assert await stored(app, Completion) == []


async def test_history_pages_newest_first_and_by_local_day(
    client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    ann = await Ann(client, clock, "ann@example.com").sign_up("America/New_York")
    clock.set(datetime(2026, 3, 10, 3, 45, tzinfo=UTC))  # 23:45 on the 9th in New York
    for challenge in ("plank", "squats", "water-glass"):
        await ann.complete(challenge)
        clock.advance(timedelta(minutes=10))
    page = (await ann.request("GET", "/challenges/history", params={"limit": 2})).json()
    assert [i["challenge_id"] for i in page["items"]] == ["water-glass", "squats"]
    rest = await ann.request("GET", "/challenges/history", params={"cursor": page["next_cursor"]})
    assert [i["challenge_id"] for i in rest.json()["items"]] == ["plank"]
    ninth = (await ann.request("GET", "/challenges/history/2026-03-09")).json()
    tenth = (await ann.request("GET", "/challenges/history/2026-03-10")).json()
    assert [i["challenge_id"] for i in ninth] == ["plank", "squats"]  # before local midnight
    assert [i["challenge_id"] for i in tenth] == ["water-glass"]
    bad = await ann.request("GET", "/challenges/history/not-a-date")
    assert bad.status_code == 400


async def test_nobody_sees_another_users_history_or_uses_another_apps_token(
    client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    ann = await Ann(client, clock, "ann@example.com").sign_up()
    await ann.complete("plank")
    bob = await Ann(client, clock, "bob@example.com").sign_up()
    assert (await bob.request("GET", "/challenges/history")).json()["items"] == []
    fit = await register(client, app="fitnudge", email="ann@example.com")
    refused = await client.get(f"{BASE}/challenges/history", headers=bearer(fit["access_token"]))
    assert refused.status_code == 401
    assert (await client.get(f"{BASE}/streaks")).status_code == 401


async def test_a_suggestion_fits_the_energy_and_skips_the_last_weeks(
    client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    ann = await Ann(client, clock, "ann@example.com").sign_up()
    catalog = (await client.get(f"{BASE}/challenges", params={"category": "hydration"})).json()
    for challenge in catalog[:-1]:
        await ann.complete(challenge["id"])
    suggested = await ann.request("GET", "/challenges/suggest", params={"category": "hydration"})
    assert suggested.status_code == 200
    body = suggested.json()
    assert body["challenge"]["id"] == catalog[-1]["id"]  # the one not done this week
    assert body["source"] == "local"
    assert catalog[-1]["title"] in body["message"] and "Ann" in body["message"]
    high = (await ann.request("GET", "/challenges/suggest", params={"energy_level": "high"})).json()
    assert high["challenge"]["energy_level"] == "high"
    await ann.request("PATCH", "/users/me", json={"language": "de"})
    german = (
        await ann.request("GET", "/challenges/suggest", params={"energy_level": "low"})
    ).json()
    assert "probier" in german["message"]


async def test_the_cached_first_page_shows_a_new_completion_at_once(
    client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    ann = await Ann(client, clock, "ann@example.com").sign_up()
    await ann.complete("plank")
    first = (await ann.request("GET", "/challenges/history")).json()
    assert [i["challenge_id"] for i in first["items"]] == ["plank"]
    clock.advance(timedelta(minutes=1))
    await ann.complete("squats")
    again = (await ann.request("GET", "/challenges/history")).json()
    assert [i["challenge_id"] for i in again["items"]] == ["squats", "plank"]
