"""Streaks over days, DST and a timezone change; achievements; daily tracking; stats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx2
import pytest
from fastapi import FastAPI

from appfleet.core.clock import FixedClock
from tests.apps.corpfinity.helpers import Ann
from tests.fixtures.accounts import notifications_of

pytestmark = pytest.mark.anyio


async def streak(ann: Ann) -> dict[str, object]:
    response = await ann.request("GET", "/streaks")
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


async def test_a_streak_counts_local_days_and_a_gap_resets_it(
    client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 3, 2, 8, tzinfo=UTC))
    ann = await Ann(client, clock, "ann@example.com").sign_up("Europe/Berlin")
    for _ in range(3):
        await ann.complete("plank")
        await ann.complete("squats")  # the same day again: no change
        clock.advance(timedelta(days=1))
    assert (await streak(ann))["current_streak"] == 3
    clock.advance(timedelta(days=1))  # a whole day without
    gone = await streak(ann)
    assert (gone["current_streak"], gone["longest_streak"]) == (0, 3)
    again = (await ann.complete("plank")).json()["streak"]
    assert (again["current_streak"], again["longest_streak"]) == (1, 3)


async def test_the_dst_change_neither_breaks_nor_doubles_a_streak(
    client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    # New York springs forward on 8 March 2026: that day has 23 hours.
    clock.set(datetime(2026, 3, 7, 4, 30, tzinfo=UTC))  # 23:30 EST on the 6th
    ann = await Ann(client, clock, "ann@example.com").sign_up("America/New_York")
    times = [
        datetime(2026, 3, 7, 4, 30, tzinfo=UTC),  # 6 March, 23:30 EST
        datetime(2026, 3, 8, 4, 45, tzinfo=UTC),  # 7 March, 23:45 EST
        datetime(2026, 3, 9, 3, 50, tzinfo=UTC),  # 8 March, 23:50 EDT (after the change)
        datetime(2026, 3, 9, 4, 10, tzinfo=UTC),  # 9 March, 00:10 EDT
    ]
    for moment in times:
        clock.set(moment)
        body = (await ann.complete("water-glass")).json()
    assert body["item"]["local_date"] == "2026-03-09"
    assert body["streak"]["current_streak"] == 4


async def test_moving_timezone_keeps_past_days_where_they_happened(
    client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 3, 8, 20, tzinfo=UTC))  # 21:00 in Berlin on the 8th
    ann = await Ann(client, clock, "ann@example.com").sign_up("Europe/Berlin")
    await ann.complete("plank")
    # She flies to Los Angeles: it is still the 8th there (13:00) — the same local day.
    await ann.request("PATCH", "/users/me", json={"timezone": "America/Los_Angeles"})
    clock.advance(timedelta(minutes=30))
    same_day = (await ann.complete("squats")).json()
    assert same_day["item"]["local_date"] == "2026-03-08"
    assert same_day["streak"]["current_streak"] == 1  # not counted twice
    clock.advance(timedelta(hours=14))  # the 9th, 03:30 in Los Angeles
    next_day = (await ann.complete("plank")).json()["streak"]
    assert next_day["current_streak"] == 2
    history = (await ann.request("GET", "/challenges/history/2026-03-08")).json()
    assert [i["challenge_id"] for i in history] == ["plank", "squats"]


async def test_validate_recomputes_and_keeps_the_row_true(
    client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    ann = await Ann(client, clock, "ann@example.com").sign_up("UTC")
    await ann.complete("plank")
    clock.advance(timedelta(days=1))
    await ann.complete("plank")
    # A completion kept offline since yesterday morning arrives late: still one streak of 2.
    late = (clock.now() - timedelta(hours=30)).isoformat()
    await ann.complete("squats", completed_at=late)
    validated = (await ann.request("POST", "/streaks/validate")).json()
    assert (validated["current_streak"], validated["longest_streak"]) == (2, 2)
    assert validated == await streak(ann)


async def test_achievements_show_progress_and_unlock_once(
    app: FastAPI, client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 3, 8, 6, tzinfo=UTC))  # 07:00 in Berlin: an early bird
    ann = await Ann(client, clock, "ann@example.com").sign_up("Europe/Berlin")
    listing = (await ann.request("GET", "/achievements")).json()
    assert len(listing) >= 15 and not any(a["unlocked"] for a in listing)
    result = (await ann.complete("box-breathing")).json()
    assert {a["id"] for a in result["achievements_unlocked"]} == {"first_step", "early_bird"}
    for energy_challenge in ("desk-stretch", "stair-climb", "walking-meeting"):
        await ann.complete(energy_challenge)
    by_id = {a["id"]: a for a in (await ann.request("GET", "/achievements")).json()}
    assert by_id["all_energies"]["unlocked"] is True
    assert by_id["warming_up"]["progress"] == {"current": 4, "target": 10}
    assert by_id["first_step"]["unlocked_at"] == "2026-03-08T06:00:00Z"
    assert (await ann.request("POST", "/achievements/check")).json() == []  # nothing new
    kinds = [n.body for n in await notifications_of(app, ann.user_id, "achievement")]
    assert sorted(kinds) == sorted(
        ["You earned: First Step", "You earned: Early Bird", "You earned: Full Spectrum"]
    )


async def test_tracking_sets_and_adds_for_the_local_day(
    client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 3, 8, 23, 30, tzinfo=UTC))  # 00:30 on the 9th in Berlin
    ann = await Ann(client, clock, "ann@example.com").sign_up("Europe/Berlin")
    empty = (await ann.request("GET", "/tracking/today")).json()
    assert empty["date"] == "2026-03-09" and empty["water_intake"] == 0
    set_ = await ann.request(
        "PATCH", "/tracking/today", json={"mood": "great", "morning_stretch": True}
    )
    assert set_.status_code == 200
    for _ in range(3):
        await ann.request("PATCH", "/tracking/today", json={"increment": {"water_intake": 1}})
    down = await ann.request(
        "PATCH", "/tracking/today", json={"increment": {"breathing_sessions": -5}}
    )
    today = down.json()
    assert (today["water_intake"], today["breathing_sessions"], today["mood"]) == (3, 0, "great")
    assert today["morning_stretch"] is True
    for bad in (
        {"water_intake": -1},
        {"mood": "ecstatic"},
        {"increment": {"water_intake": 99}},
        {"unknown": 1},
    ):
        assert (await ann.request("PATCH", "/tracking/today", json=bad)).status_code == 400
    history = (
        await ann.request(
            "GET", "/tracking/history", params={"from": "2026-03-07", "to": "2026-03-09"}
        )
    ).json()
    assert [(d["date"], d["water_intake"]) for d in history] == [
        ("2026-03-07", 0),
        ("2026-03-08", 0),
        ("2026-03-09", 3),
    ]
    too_long = await ann.request(
        "GET", "/tracking/history", params={"from": "2025-01-01", "to": "2026-03-09"}
    )
    assert too_long.status_code == 400
    backwards = await ann.request(
        "GET", "/tracking/history", params={"from": "2026-03-09", "to": "2026-03-01"}
    )
    assert backwards.status_code == 400


async def test_hydration_days_unlock_the_hydration_hero(
    client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    ann = await Ann(client, clock, "ann@example.com").sign_up("UTC")
    for _ in range(7):
        await ann.request("PATCH", "/tracking/today", json={"water_intake": 8})
        clock.advance(timedelta(days=1))
    by_id = {a["id"]: a for a in (await ann.request("GET", "/achievements")).json()}
    assert by_id["hydration_hero"]["unlocked"] is True
    assert by_id["hydration_legend"]["progress"] == {"current": 7, "target": 30}


async def test_stats_add_up_the_week_categories_streak_and_trends(
    client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 3, 6, 9, tzinfo=UTC))  # a Friday
    ann = await Ann(client, clock, "ann@example.com").sign_up("UTC")
    await ann.complete("plank")  # movement, high
    await ann.complete("box-breathing")  # mindfulness, low
    await ann.request("PATCH", "/tracking/today", json={"water_intake": 6, "mood": "good"})
    clock.advance(timedelta(days=3))  # Monday: a new week
    await ann.complete("squats")  # movement, medium
    stats = (await ann.request("GET", "/users/me/stats")).json()
    assert stats["total_challenges"] == 3
    assert stats["this_week"] == 1
    assert stats["by_category"] == {"movement": 2, "mindfulness": 1}
    assert stats["by_energy_level"] == {"high": 1, "low": 1, "medium": 1}
    assert (stats["current_streak"], stats["longest_streak"]) == (1, 1)
    assert stats["achievements_unlocked"] >= 1 and stats["achievements_total"] >= 15
    water = {d["date"]: d["value"] for d in stats["water_last_7_days"]}
    assert water["2026-03-06"] == 6 and len(water) == 7
    assert stats["water_average_7_days"] == round(6 / 7, 2)
    moods = {d["date"]: d["value"] for d in stats["mood_last_14_days"]}
    assert moods["2026-03-06"] == 4 and moods["2026-03-07"] is None


async def test_trying_every_category_unlocks_the_explorer(
    app: FastAPI, client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    from appfleet.apps.corpfinity.models import Progress
    from tests.fixtures.accounts import stored

    ann = await Ann(client, clock, "ann@example.com").sign_up("UTC")
    catalog = (await client.get("/api/v1/corpfinity/challenges")).json()
    first_of = {}
    for challenge in catalog:
        first_of.setdefault(challenge["goal_category"], challenge["id"])
    unlocked: list[str] = []
    for challenge_id in sorted(first_of.values()):
        for _ in range(2):  # a category twice is still one category
            body = (await ann.complete(challenge_id)).json()
            unlocked += [a["id"] for a in body["achievements_unlocked"]]
    assert "explorer" in unlocked
    [progress] = await stored(app, Progress)
    tried = progress.categories_tried.split(",")[1:]
    assert sorted(tried) == sorted(first_of)  # stress_relief's "_" matched literally, once
    by_id = {a["id"]: a for a in (await ann.request("GET", "/achievements")).json()}
    assert by_id["explorer"]["progress"] == {"current": len(first_of), "target": len(first_of)}
