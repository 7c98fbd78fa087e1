"""Check-ins on the user's local days: one per goal and day (a second answer replaces the
first), a week back at most, never ahead; streaks in days and in weeks; today's list."""

from __future__ import annotations

from datetime import timedelta

import httpx2
import pytest

from appfleet.core.clock import FixedClock
from tests.apps.fitnudge.coach import FN, athlete, check_in, goal, signed_in

pytestmark = pytest.mark.anyio


async def test_one_answer_per_day_the_second_replaces_the_first(
    client: httpx2.AsyncClient,
) -> None:
    ann = await athlete(client, timezone="America/New_York")  # 12:00 UTC = 08:00 on the 8th
    gym = await goal(client, ann)
    first = await check_in(client, ann, gym["id"], "skipped", reflection="Rain")
    assert first.status_code == 201 and first.json()["date"] == "2026-03-08"
    again = await check_in(client, ann, gym["id"], "done", reflection="Went after all <b>!</b>")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    listed = (await client.get(f"{FN}/goals/{gym['id']}/checkins", headers=ann)).json()
    assert [(c["status"], c["reflection"]) for c in listed] == [("done", "Went after all <b>!</b>")]
    for day in ("2026-03-09", "2026-02-28"):  # tomorrow there; eight days back
        refused = await check_in(client, ann, gym["id"], date=day)
        assert refused.status_code == 400 and refused.json()["error"]["details"]["field"] == "date"
    assert (await check_in(client, ann, gym["id"], "maybe")).status_code == 400
    await client.patch(f"{FN}/goals/{gym['id']}", json={"active": False}, headers=ann)
    paused = await check_in(client, ann, gym["id"])
    assert paused.status_code == 409 and paused.json()["error"]["details"]["reason"] == "paused"


async def test_streaks_count_days_and_weeks_meeting_the_frequency(
    client: httpx2.AsyncClient,
) -> None:
    ann = await athlete(client)  # Sunday 8 March; the week began on Monday the 2nd
    gym = await goal(client, ann, frequency=2)
    # Last week (23 Feb - 1 Mar): two done days, meeting the goal; this week: three in a row.
    for day in ("2026-03-01", "2026-03-06", "2026-03-07", "2026-03-08"):
        assert (await check_in(client, ann, gym["id"], date=day)).status_code == 201
    await check_in(client, ann, gym["id"], "missed", date="2026-03-05")
    progress = (await client.get(f"{FN}/goals/{gym['id']}", headers=ann)).json()
    assert progress["streak_days"] == 3
    assert progress["week"] == {"starts": "2026-03-02", "done": 3, "target": 2, "met": True}
    assert progress["streak_weeks"] == 1  # last week had only one done day (1 March)
    ranged = await client.get(
        f"{FN}/goals/{gym['id']}/checkins",
        params={"from": "2026-03-05", "to": "2026-03-07"},
        headers=ann,
    )
    assert [c["date"] for c in ranged.json()] == ["2026-03-07", "2026-03-06", "2026-03-05"]
    backwards = await client.get(
        f"{FN}/goals/{gym['id']}/checkins",
        params={"from": "2026-03-07", "to": "2026-03-01"},
        headers=ann,
    )
    assert backwards.status_code == 400


async def test_a_missed_day_ends_the_day_streak_and_weeks_chain(
    client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    ann = await athlete(client)
    gym = await goal(client, ann, frequency=1)
    await check_in(client, ann, gym["id"], date="2026-03-03")
    await check_in(client, ann, gym["id"])  # the 8th
    clock.advance(timedelta(days=7))  # Sunday the 15th; nothing this week yet
    ann = await signed_in(client)
    await check_in(client, ann, gym["id"], date="2026-03-10")
    progress = (await client.get(f"{FN}/goals/{gym['id']}", headers=ann)).json()
    assert progress["streak_days"] == 0  # the last done day was the 10th
    assert progress["streak_weeks"] == 2  # the weeks of the 2nd and the 9th


async def test_today_lists_every_active_goal_with_its_answer(client: httpx2.AsyncClient) -> None:
    ann = await athlete(client)
    gym = await goal(client, ann)
    await goal(client, ann, "Run", active=False)
    before = (await client.get(f"{FN}/checkins/today", headers=ann)).json()
    assert [(i["goal"]["title"], i["checkin"]) for i in before] == [("Gym", None)]
    await check_in(client, ann, gym["id"], "skipped")
    after = (await client.get(f"{FN}/checkins/today", headers=ann)).json()
    assert after[0]["checkin"]["status"] == "skipped"
