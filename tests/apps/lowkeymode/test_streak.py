"""The meditation streak on the user's local days: next day extends, a missed day ends it, a
late log is placed by recomputing, implausible times get the server's, bad durations refused."""

from __future__ import annotations

from datetime import timedelta

import httpx2
import pytest

from appfleet.core.clock import FixedClock
from tests.apps.lowkeymode.lowkey import LK, person, signed_in

pytestmark = pytest.mark.anyio
DAY = timedelta(days=1)


async def meditate(
    client: httpx2.AsyncClient, auth: dict[str, str], seconds: int = 600, **extra: str
) -> httpx2.Response:
    return await client.post(
        f"{LK}/streak", json={"duration_seconds": seconds, **extra}, headers=auth
    )


async def test_days_in_a_row_count_in_the_users_timezone(
    client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    ann = await person(client)
    await client.patch(f"{LK}/users/me", json={"timezone": "Pacific/Auckland"}, headers=ann)
    empty = (await client.get(f"{LK}/streak", headers=ann)).json()
    assert empty["current"] == 0 and empty["meditated_today"] is False
    # 12:00 UTC on 8 March is 01:00 on the 9th in Auckland.
    first = (await meditate(client, ann)).json()
    assert first["current"] == 1 and first["last_date"] == "2026-03-09"
    assert first["timezone"] == "Pacific/Auckland" and first["meditated_today"] is True
    same_day = (await meditate(client, ann, 1200)).json()
    assert same_day["current"] == 1 and same_day["sessions"] == 2
    assert same_day["total_minutes"] == 30
    clock.advance(DAY)
    ann = await signed_in(client)
    assert (await meditate(client, ann)).json()["current"] == 2
    clock.advance(2 * DAY)  # the 11th went by without one
    ann = await signed_in(client)
    broken = (await client.get(f"{LK}/streak", headers=ann)).json()
    assert broken["current"] == 0 and broken["longest"] == 2
    restarted = (await meditate(client, ann)).json()
    assert restarted["current"] == 1 and restarted["longest"] == 2


async def test_a_late_log_fills_its_day_and_old_claims_get_our_time(
    client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    ann = await person(client)  # UTC
    await meditate(client, ann, logged_at=(clock.now() - 2 * DAY + timedelta(hours=1)).isoformat())
    await meditate(client, ann)  # today, the 8th: the 7th is missing
    assert (await client.get(f"{LK}/streak", headers=ann)).json()["current"] == 1
    late = await meditate(client, ann, logged_at=(clock.now() - DAY).isoformat())  # the 7th
    assert late.json()["current"] == 3 and late.json()["longest"] == 3
    stale = await meditate(client, ann, logged_at=(clock.now() - 10 * DAY).isoformat())
    assert stale.json()["last_date"] == "2026-03-08" and stale.json()["current"] == 3
    future = await meditate(client, ann, logged_at=(clock.now() + DAY).isoformat())
    assert future.json()["last_date"] == "2026-03-08"  # a phone's clock cannot move it ahead


async def test_durations_outside_a_minute_to_four_hours_are_refused(
    client: httpx2.AsyncClient,
) -> None:
    ann = await person(client)
    for seconds in (0, 59, 4 * 3600 + 1):
        refused = await meditate(client, ann, seconds)
        assert refused.status_code == 400, seconds
    keyed = {**ann, "Idempotency-Key": "sit-1"}
    for _ in range(2):
        response = await client.post(f"{LK}/streak", json={"duration_seconds": 300}, headers=keyed)
        assert response.status_code == 201
    assert (await client.get(f"{LK}/streak", headers=ann)).json()["sessions"] == 1
