"""Daily analytics counters in the database (exact) and in Redis (HyperLogLog): active users
per app and day counted once however often they call, distinct users over a period, event
counts added up across flushes, and (through the API) sign-ins marking users active."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta

import pytest
from fastapi import FastAPI
from redis.asyncio import Redis

from appfleet.core.clock import FixedClock
from appfleet.core.database import Database, unit_of_work
from appfleet.core.settings import DatabaseSettings
from appfleet.runtime.analytics import (
    KEEP_DAYS,
    PRUNE,
    Analytics,
    CounterStore,
    DatabaseCounters,
    RedisCounters,
)
from appfleet.runtime.jobs import queue
from appfleet.runtime.jobs.worker import Worker
from tests.fixtures.accounts import bearer, register
from tests.fixtures.app import serve
from tests.fixtures.jobs import jobs_settings
from tests.fixtures.services import empty_database

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["sqlite", "postgres", "redis"])
def store_url(request: pytest.FixtureRequest) -> str:
    """Where the counters live (sync: the session's databases are created outside a loop)."""
    if request.param == "redis":
        return str(request.getfixturevalue("redis_url"))
    url: str = request.getfixturevalue(f"{request.param}_url")
    asyncio.run(empty_database(url))
    return url


@pytest.fixture
async def store(store_url: str) -> AsyncIterator[CounterStore]:
    if store_url.startswith("redis"):
        redis = Redis.from_url(store_url)
        yield RedisCounters(redis)
        await redis.aclose()
        return
    db = Database(store_url, DatabaseSettings())
    yield DatabaseCounters(db)
    await db.dispose()


async def test_active_users_are_counted_once_per_day_and_app(
    store: CounterStore, clock: FixedClock
) -> None:
    analytics = Analytics(store, clock)
    app = f"app-{uuid.uuid4().hex[:8]}"
    today = clock.now().date()
    users = [str(uuid.uuid4()) for _ in range(3)]
    for _ in range(5):
        for user in users:
            analytics.seen(app, user)
    analytics.seen("other-app", users[0])
    await analytics.flush()
    analytics.seen(app, users[0])  # again after a flush: still one user
    assert await analytics.daily_active(app, today) == 3

    clock.advance(timedelta(days=1))
    analytics.seen(app, users[0])
    analytics.seen(app, str(uuid.uuid4()))
    assert await analytics.daily_active(app, today + timedelta(days=1)) == 2
    # Over both days: 3 + 1 new, the returning user counted once (HyperLogLog is exact here).
    assert await analytics.active_between(app, today, today + timedelta(days=1)) == 4
    assert await analytics.daily_active(app, date(2020, 1, 1)) == 0


async def test_event_counts_add_up_across_flushes(store: CounterStore, clock: FixedClock) -> None:
    analytics = Analytics(store, clock)
    app = f"app-{uuid.uuid4().hex[:8]}"
    analytics.count(app, "challenge_completed")
    analytics.count(app, "challenge_completed", 2)
    await analytics.flush()
    analytics.count(app, "challenge_completed")
    analytics.count(app, "sign_in")
    assert await analytics.events(app, clock.now().date()) == {
        "challenge_completed": 4,
        "sign_in": 1,
    }


async def test_signing_in_and_calling_the_api_marks_the_user_active(
    app: FastAPI, clock: FixedClock
) -> None:
    async with serve(app) as client:
        account = await register(client, email="ann@example.com")
        for _ in range(3):
            me = await client.get(
                "/api/v1/corpfinity/users/me", headers=bearer(account["access_token"])
            )
            assert me.status_code == 200
        analytics: Analytics = app.state.analytics
        today = clock.now().date()
        assert await analytics.daily_active("corpfinity", today) == 1
        assert await analytics.daily_active("pennywise", today) == 0
        assert (await analytics.events("corpfinity", today))["sign_up"] == 1


async def test_old_counters_are_pruned(database: Database, clock: FixedClock) -> None:

    analytics = Analytics(DatabaseCounters(database), clock)
    analytics.seen("corpfinity", "old-user")
    analytics.count("corpfinity", "old_event")
    await analytics.flush()
    clock.advance(timedelta(days=KEEP_DAYS + 1))
    analytics.seen("corpfinity", "new-user")
    await analytics.flush()
    async with unit_of_work(database) as session:
        await queue.enqueue(session, clock, PRUNE)
    await Worker(database, clock, {PRUNE.name: PRUNE}, jobs_settings()).drain()

    old_day = clock.now().date() - timedelta(days=KEEP_DAYS + 1)
    assert await analytics.daily_active("corpfinity", old_day) == 0
    assert await analytics.events("corpfinity", old_day) == {}
    assert await analytics.daily_active("corpfinity", clock.now().date()) == 1
