"""Quiet scores and the leaderboard: quietest first by average dB, pseudonyms only, day /
week / all-time periods, the caller's own rank, leaving the board, bad scores refused."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx2
import pytest
from fastapi import FastAPI

from appfleet.apps.lowkeymode.schemas import Leaderboard
from appfleet.apps.lowkeymode.service._common import BOARD_PREFIX
from appfleet.core.clock import FixedClock
from tests.apps.lowkeymode.lowkey import LK, person, score

pytestmark = pytest.mark.anyio


async def board(
    client: httpx2.AsyncClient, auth: dict[str, str], period: str = "week", **params: int
) -> dict:  # type: ignore[type-arg]
    response = await client.get(
        f"{LK}/leaderboard", params={"period": period, **params}, headers=auth
    )
    assert response.status_code == 200, response.text
    Leaderboard.model_validate(response.json())  # the documented shape
    return response.json()  # type: ignore[no-any-return]


async def named(client: httpx2.AsyncClient, email: str, pseudonym: str) -> dict[str, str]:
    auth = await person(client, email, name=email.split("@")[0].title())
    await client.patch(f"{LK}/profile", json={"pseudonym": pseudonym}, headers=auth)
    return auth


async def test_the_quietest_lead_by_their_average_and_share_ranks_on_ties(
    client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    now = clock.now()
    ann = await named(client, "ann@example.com", "Hush Owl")
    bob = await named(client, "bob@example.com", "Soft Fern")
    cat = await named(client, "cat@example.com", "Low Tide")
    for auth, levels in ((ann, [30, 40]), (bob, [35]), (cat, [35, 35, 35])):
        for level in levels:
            assert (await score(client, auth, level, now)).status_code == 201
    dan = await named(client, "dan@example.com", "Loud Jay")
    await score(client, dan, 50, now)
    top = await board(client, ann)
    # Equal averages share a rank (the one with more sessions shown first); the next is 4th.
    assert [(e["rank"], e["pseudonym"]) for e in top["entries"]] == [
        (1, "Low Tide"),
        (1, "Hush Owl"),
        (1, "Soft Fern"),
        (4, "Loud Jay"),
    ]
    assert top["participants"] == 4 and top["starts"] == "2026-03-02"  # ISO week from Monday
    hush = top["entries"][1]
    assert hush == {
        "rank": 1,
        "pseudonym": "Hush Owl",
        "mean_db": 35.0,
        "best_db": 30,
        "sessions": 2,
    }
    text = str(top)
    for secret in ("ann@", "Ann", "bob@", "Bob", "user_id"):
        assert secret not in text  # pseudonyms only


async def test_ranks_follow_the_average_and_the_caller_sees_their_own(
    app: FastAPI, client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    now = clock.now()
    people = []
    for i, level in enumerate([50, 20, 40, 30]):
        auth = await named(client, f"p{i}@example.com", f"Quiet {i}")
        await score(client, auth, level, now)
        people.append(auth)
    top = await board(client, people[0], limit=2)
    assert [e["pseudonym"] for e in top["entries"]] == ["Quiet 1", "Quiet 3"]
    assert [e["rank"] for e in top["entries"]] == [1, 2] and top["participants"] == 4
    assert top["me"]["rank"] == 4 and top["me"]["pseudonym"] == "Quiet 0"
    # Leaving the board: gone from it at once, and everyone behind moves up.
    await client.patch(f"{LK}/profile", json={"listed": False}, headers=people[1])
    after = await board(client, people[0], limit=2)
    assert [e["pseudonym"] for e in after["entries"]] == ["Quiet 3", "Quiet 2"]
    assert after["me"]["rank"] == 3 and after["participants"] == 3
    hidden = await board(client, people[1])
    assert hidden["me"] is None  # not listed: no rank shown, even to themselves
    newcomer = await person(client, "new@example.com")
    assert (await board(client, newcomer))["me"] is None


async def test_day_week_and_all_time_count_the_right_scores(
    app: FastAPI, client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    ann = await named(client, "ann@example.com", "Hush Owl")
    now = clock.now()  # Sunday 8 March, 12:00 UTC
    await score(client, ann, 20, now)
    await score(client, ann, 40, now - timedelta(days=1))  # Saturday: this week, not today
    await score(client, ann, 60, now - timedelta(days=6, hours=13))  # last week's Sunday
    day, week, ever = [await board(client, ann, p) for p in ("day", "week", "all")]
    assert day["me"]["mean_db"] == 20.0 and day["starts"] == "2026-03-08"
    assert week["me"]["mean_db"] == 30.0
    assert ever["me"] == {
        "rank": 1,
        "pseudonym": "Hush Owl",
        "mean_db": 40.0,
        "best_db": 20,
        "sessions": 3,
    }
    assert ever["starts"] is None


async def test_the_top_is_cached_briefly_and_a_new_pseudonym_shows_at_once(
    app: FastAPI, client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    ann = await named(client, "ann@example.com", "Hush Owl")
    bob = await named(client, "bob@example.com", "Soft Fern")
    await score(client, ann, 30, clock.now())
    assert [e["pseudonym"] for e in (await board(client, bob))["entries"]] == ["Hush Owl"]
    await score(client, bob, 10, clock.now())
    cached = await board(client, bob)
    assert [e["pseudonym"] for e in cached["entries"]] == ["Hush Owl"]  # the top lags...
    assert cached["me"]["rank"] == 1  # ...the caller's own standing does not
    await app.state.cache.delete_prefix(BOARD_PREFIX)  # a few seconds later
    assert [e["pseudonym"] for e in (await board(client, bob))["entries"]] == [
        "Soft Fern",
        "Hush Owl",
    ]
    await client.patch(f"{LK}/profile", json={"pseudonym": "Night Moth"}, headers=ann)
    assert [e["pseudonym"] for e in (await board(client, bob))["entries"]][1] == "Night Moth"


async def test_bad_scores_are_refused_and_a_retried_one_counts_once(
    client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    ann = await named(client, "ann@example.com", "Hush Owl")
    now = clock.now()
    for level, at in (
        (141, now),
        (-1, now),
        (30, now + timedelta(minutes=10)),
        (30, now - timedelta(days=8)),
    ):
        refused = await score(client, ann, level, at)
        assert refused.status_code == 400, (level, at)
        assert refused.json()["error"]["code"] == "VALIDATION_ERROR"
    naive = await client.post(
        f"{LK}/quiet-score",
        json={"db_level": 30, "recorded_at": datetime(2026, 3, 8, 11).isoformat()},
        headers=ann,
    )
    assert naive.status_code == 400
    assert (
        await client.get(f"{LK}/leaderboard", params={"period": "year"}, headers=ann)
    ).status_code == 400
    keyed = {**ann, "Idempotency-Key": "score-1"}
    body = {"db_level": 25, "recorded_at": now.isoformat()}
    first = await client.post(f"{LK}/quiet-score", json=body, headers=keyed)
    again = await client.post(f"{LK}/quiet-score", json=body, headers=keyed)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert (await board(client, ann, "all"))["me"]["sessions"] == 1
    assert (await client.get(f"{LK}/leaderboard")).status_code == 401
