"""`notify`: quiet hours and daily limits in the user's local time, collapse keys, muted kinds
and idempotency keys — judged by what reaches the inbox and what the outbox would push."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta

import httpx2
import pytest
from fastapi import FastAPI

from appfleet.core.clock import FixedClock
from appfleet.core.database import unit_of_work
from appfleet.platform.notifications import service
from appfleet.platform.notifications.models import Notification
from appfleet.platform.notifications.service import Draft
from appfleet.platform.users.models import User
from appfleet.runtime.outbox import OutboxMessage
from tests.fixtures.accounts import bearer, register, stored

pytestmark = pytest.mark.anyio
BASE = "/api/v1/corpfinity"


async def signed_up(
    app: FastAPI, client: httpx2.AsyncClient, zone: str = "Europe/Berlin"
) -> tuple[str, str]:
    """A user in `zone` with one Android device, their welcome email sent; (access token,
    user id)."""
    body = await register(client)
    await app.state.jobs.worker.drain()
    token = body["access_token"]
    await client.patch(f"{BASE}/users/me", json={"timezone": zone}, headers=bearer(token))
    await client.post(
        f"{BASE}/notifications/register",
        json={"token": "fcm-token-of-anns-phone", "platform": "android"},
        headers=bearer(token),
    )
    return token, body["user"]["id"]


async def notify(app: FastAPI, user_id: str, draft: Draft) -> Notification:
    async with unit_of_work(app.state.db) as session:
        user = await session.get(User, uuid.UUID(user_id))
        assert user is not None
        return await service.notify(
            session,
            app.state.clock,
            app.state.registry.get("corpfinity"),
            user,
            draft,
            default_daily_limit=app.state.settings.push.daily_limit,
        )


async def pushes(app: FastAPI) -> list[OutboxMessage]:
    found = [m for m in await stored(app, OutboxMessage) if m.channel == "push"]
    return sorted(found, key=lambda m: m.created_at)


async def quiet_hours(client: httpx2.AsyncClient, token: str, **extra: object) -> None:
    body = {"quiet_hours": {"start": "22:00", "end": "07:00"}, **extra}
    response = await client.put(
        f"{BASE}/notifications/preferences", json=body, headers=bearer(token)
    )
    assert response.status_code == 200


def reminder(**overrides: object) -> Draft:
    values: dict[str, object] = {"kind": "reminder", "title": "Stretch", "body": "Time to move"}
    return Draft(**(values | overrides))  # type: ignore[arg-type]


async def test_a_push_during_quiet_hours_waits_for_their_local_end(
    app: FastAPI, client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 3, 8, 22, 30, tzinfo=UTC))  # 23:30 in Berlin
    token, user = await signed_up(app, client, "Europe/Berlin")
    await quiet_hours(client, token)
    held = await notify(app, user, reminder())
    assert held.push_state == "held"
    [push] = await pushes(app)
    assert push.available_at == datetime(2026, 3, 9, 6, 0, tzinfo=UTC)  # 07:00 in Berlin

    assert await app.state.jobs.worker.drain() == 0  # nothing is due yet
    clock.set(datetime(2026, 3, 9, 6, 0, tzinfo=UTC))
    assert await app.state.jobs.worker.drain() == 1
    assert (await pushes(app))[0].status == "sent"


async def test_quiet_hours_follow_the_users_clock_across_a_dst_change(
    app: FastAPI, client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    # New York springs forward on 8 March 2026 at 02:00: 07:00 that morning is 11:00 UTC.
    clock.set(datetime(2026, 3, 8, 5, 0, tzinfo=UTC))  # 00:00 EST
    token, user = await signed_up(app, client, "America/New_York")
    await quiet_hours(client, token)
    await notify(app, user, reminder())
    [push] = await pushes(app)
    assert push.available_at == datetime(2026, 3, 8, 11, 0, tzinfo=UTC)


async def test_outside_quiet_hours_a_push_goes_at_once(
    app: FastAPI, client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 3, 8, 12, 0, tzinfo=UTC))
    token, user = await signed_up(app, client, "Europe/Berlin")
    await quiet_hours(client, token)
    assert (await notify(app, user, reminder())).push_state == "queued"
    [push] = await pushes(app)
    assert push.available_at == clock.now()


async def test_a_push_that_would_be_stale_after_quiet_hours_is_not_sent(
    app: FastAPI, client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 3, 8, 21, 30, tzinfo=UTC))  # 22:30 in Berlin
    token, user = await signed_up(app, client, "Europe/Berlin")
    await quiet_hours(client, token)
    midnight = datetime(2026, 3, 8, 23, 0, tzinfo=UTC)
    stale = await notify(app, user, reminder(kind="streak_risk", expires_at=midnight))
    assert stale.push_state == "quiet"
    assert await pushes(app) == []
    inbox = (await client.get(f"{BASE}/notifications", headers=bearer(token))).json()
    assert [n["kind"] for n in inbox["items"]] == ["streak_risk"]  # still in the inbox


async def test_urgent_pushes_ignore_quiet_hours_and_the_daily_limit(
    app: FastAPI, client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    token, user = await signed_up(app, client, "Europe/Berlin")
    await quiet_hours(client, token, daily_limit=0)
    clock.set(datetime(2026, 3, 8, 23, 0, tzinfo=UTC))
    assert (await notify(app, user, reminder())).push_state == "capped"
    alert = await notify(app, user, reminder(kind="security", urgent=True))
    assert alert.push_state == "queued"
    [push] = await pushes(app)
    assert push.available_at == clock.now()


async def test_the_daily_limit_counts_the_users_local_day(
    app: FastAPI, client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    token, user = await signed_up(app, client, "Asia/Tokyo")
    await client.put(
        f"{BASE}/notifications/preferences", json={"daily_limit": 2}, headers=bearer(token)
    )
    clock.set(datetime(2026, 3, 8, 13, 0, tzinfo=UTC))  # 22:00 in Tokyo
    states = [(await notify(app, user, reminder())).push_state for _ in range(3)]
    assert states == ["queued", "queued", "capped"]
    clock.set(datetime(2026, 3, 8, 15, 1, tzinfo=UTC))  # 00:01 the next day in Tokyo
    assert (await notify(app, user, reminder())).push_state == "queued"
    assert len(await pushes(app)) == 3


async def test_a_newer_push_with_the_same_collapse_key_replaces_the_unread_one(
    app: FastAPI, client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 3, 8, 22, 30, tzinfo=UTC))
    token, user = await signed_up(app, client, "Europe/Berlin")
    await quiet_hours(client, token)
    older = await notify(app, user, reminder(collapse_key="streak", body="3 days"))
    clock.advance(timedelta(minutes=5))
    newer = await notify(app, user, reminder(collapse_key="streak", body="4 days"))

    inbox = (await client.get(f"{BASE}/notifications", headers=bearer(token))).json()
    assert [n["body"] for n in inbox["items"]] == ["4 days"]
    assert inbox["unread"] == 1
    first, second = await pushes(app)
    assert (first.group_id, first.status) == (older.id, "cancelled")
    assert (second.group_id, second.status) == (newer.id, "pending")
    replaced = (await client.get(f"{BASE}/notifications/{older.id}", headers=bearer(token))).json()
    assert replaced["push_state"] == "withdrawn"
    clock.set(datetime(2026, 3, 9, 6, 0, tzinfo=UTC))
    assert await app.state.jobs.worker.drain() == 2  # both jobs run; only one push goes out
    assert [m.status for m in await pushes(app)] == ["cancelled", "sent"]


async def test_a_read_notification_is_not_replaced(
    app: FastAPI, client: httpx2.AsyncClient
) -> None:
    token, user = await signed_up(app, client)
    older = await notify(app, user, reminder(collapse_key="streak"))
    await client.post(f"{BASE}/notifications/{older.id}/read", headers=bearer(token))
    await notify(app, user, reminder(collapse_key="streak"))
    inbox = (await client.get(f"{BASE}/notifications", headers=bearer(token))).json()
    assert len(inbox["items"]) == 2


async def test_muted_kinds_stay_in_the_inbox_without_a_push(
    app: FastAPI, client: httpx2.AsyncClient
) -> None:
    token, user = await signed_up(app, client)
    await client.put(
        f"{BASE}/notifications/preferences",
        json={"muted_kinds": ["motivation"]},
        headers=bearer(token),
    )
    assert (await notify(app, user, reminder(kind="motivation"))).push_state == "muted"
    assert (await notify(app, user, reminder())).push_state == "queued"
    assert len(await pushes(app)) == 1


async def test_the_same_key_twice_is_one_notification(
    app: FastAPI, client: httpx2.AsyncClient
) -> None:
    _, user = await signed_up(app, client)
    first = await notify(app, user, reminder(key="weekly_summary:2026-W10"))
    again = await notify(app, user, reminder(key="weekly_summary:2026-W10"))
    assert first.id == again.id
    assert len(await stored(app, Notification)) == 1
    assert len(await pushes(app)) == 1


async def test_a_user_without_devices_still_gets_the_inbox_entry(
    app: FastAPI, client: httpx2.AsyncClient
) -> None:
    body = await register(client)
    notification = await notify(app, body["user"]["id"], reminder())
    assert notification.push_state == "no_devices"
    assert await pushes(app) == []


def test_quiet_hours_inside_one_day_and_across_midnight() -> None:
    from appfleet.platform.notifications.models import NotificationPreference

    night = NotificationPreference(quiet_start=time(22), quiet_end=time(7))
    siesta = NotificationPreference(quiet_start=time(13), quiet_end=time(15))
    at = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)  # UTC user
    cases = [
        (night, 23, True),
        (night, 3, True),
        (night, 7, False),
        (night, 12, False),
        (siesta, 14, True),
        (siesta, 15, False),
        (siesta, 12, False),
    ]
    for preference, hour, inside in cases:
        moment = at.replace(hour=hour)
        assert (service._quiet_until(preference, moment, "UTC") is not None) is inside
