"""GCRA rate limiting, in memory and in Redis (two limiters on one Redis stand in for two API
processes sharing a limit)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client import REGISTRY
from pydantic import ValidationError
from redis.asyncio import Redis

from appfleet.apps import MANIFESTS
from appfleet.core.clock import FixedClock
from appfleet.core.settings import RateLimitSettings, Settings, parse_rate
from appfleet.main import create_app
from appfleet.runtime.ratelimit import (
    MemoryRateLimiter,
    RateLimiter,
    RedisRateLimiter,
    SyncedRateLimiter,
)
from tests.fixtures import probe
from tests.fixtures.accounts import bearer, register
from tests.fixtures.app import serve

pytestmark = pytest.mark.anyio


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 3, 8, 12, 0, tzinfo=UTC))


@pytest.fixture(params=["memory", "redis"])
async def limiters(
    request: pytest.FixtureRequest, clock: FixedClock
) -> AsyncIterator[tuple[RateLimiter, RateLimiter]]:
    """Two limiters that must share their counts (one process for memory, of course)."""
    if request.param == "memory":
        limiter = MemoryRateLimiter(clock)
        yield limiter, limiter
        return
    redis = Redis.from_url(request.getfixturevalue("redis_url"))
    yield RedisRateLimiter(redis, clock), RedisRateLimiter(redis, clock)
    await redis.aclose()


async def test_limit_then_refuse_then_refill_steadily(
    limiters: tuple[RateLimiter, RateLimiter], clock: FixedClock
) -> None:
    limiter, _ = limiters
    key = f"ratelimit:test:{uuid.uuid4()}"
    decisions = [await limiter.hit(key, 5, 60) for _ in range(6)]
    assert [d.allowed for d in decisions] == [True] * 5 + [False]
    assert [d.remaining for d in decisions] == [4, 3, 2, 1, 0, 0]
    assert decisions[-1].retry_after_s == pytest.approx(12, abs=0.01)
    # GCRA refills one request per period/limit: no window edge lets a second burst through.
    clock.advance(timedelta(seconds=11))
    assert not (await limiter.hit(key, 5, 60)).allowed
    clock.advance(timedelta(seconds=1))
    assert (await limiter.hit(key, 5, 60)).allowed
    assert not (await limiter.hit(key, 5, 60)).allowed
    clock.advance(timedelta(seconds=60))
    assert (await limiter.hit(key, 5, 60)).remaining == 4


async def test_processes_share_one_limit(
    limiters: tuple[RateLimiter, RateLimiter],
) -> None:
    here, there = limiters
    key = f"ratelimit:test:{uuid.uuid4()}"
    allowed = [(await (here if i % 2 else there).hit(key, 4, 60)).allowed for i in range(6)]
    assert allowed == [True] * 4 + [False] * 2


async def test_several_keys_count_in_turn_until_one_refuses(
    limiters: tuple[RateLimiter, RateLimiter],
) -> None:
    limiter, other = limiters
    ip, email = f"ratelimit:test:ip:{uuid.uuid4()}", f"ratelimit:test:email:{uuid.uuid4()}"
    checks = [(ip, 3, 60.0), (email, 2, 60.0)]
    first, second = await limiter.hit_all(checks), await other.hit_all(checks)
    assert [d.allowed for d in first + second] == [True] * 4
    assert [d.remaining for d in first + second] == [2, 1, 1, 0]
    # The email is spent: the IP is counted, the refusal names the email's limit.
    third = await limiter.hit_all(checks)
    assert [(d.allowed, d.limit) for d in third] == [(True, 3), (False, 2)]
    assert third[1].retry_after_s == pytest.approx(30, abs=0.01)
    # Now the IP is spent: the refusal comes first and the email is not reached (or counted).
    fourth = await other.hit_all(checks)
    assert [(d.allowed, d.limit) for d in fourth] == [(False, 3)]
    assert [(d.allowed, d.remaining) for d in await limiter.hit_all([(email, 2, 60.0)])] == [
        (False, 0)
    ]


async def test_a_huge_limit_counts_without_failing(
    limiters: tuple[RateLimiter, RateLimiter],
) -> None:
    """A billion a minute: each arrival moves the shared time by less than a double can show
    beside the clock, which once made Redis refuse the key's zero-millisecond expiry."""
    limiter, _ = limiters
    key = f"ratelimit:test:{uuid.uuid4()}"
    failures = REGISTRY.get_sample_value("appfleet_ratelimit_unavailable_total") or 0.0
    decisions = [await limiter.hit(key, 1_000_000_000, 60) for _ in range(3)]
    assert all(d.allowed and d.remaining > 999_000_000 for d in decisions)
    assert (REGISTRY.get_sample_value("appfleet_ratelimit_unavailable_total") or 0.0) == failures


async def test_when_redis_is_down_requests_pass_and_are_counted(clock: FixedClock) -> None:
    dead = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    limiter = RedisRateLimiter(dead, clock)
    before = REGISTRY.get_sample_value("appfleet_ratelimit_unavailable_total") or 0.0
    decision = await limiter.hit("ratelimit:test:down", 1, 60)
    again = await limiter.hit("ratelimit:test:down", 1, 60)
    assert decision.allowed and again.allowed
    after = REGISTRY.get_sample_value("appfleet_ratelimit_unavailable_total")
    assert after == before + 2
    await dead.aclose()


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


async def test_synced_limiters_share_the_rate_within_one_sync(
    redis: Redis, clock: FixedClock
) -> None:
    a, b = SyncedRateLimiter(redis, clock), SyncedRateLimiter(redis, clock)
    key = f"ratelimit:test:{uuid.uuid4()}"
    # Each process alone is under 10 a minute...
    assert all([(await a.hit(key, 10, 60)).allowed for _ in range(6)])
    assert all([(await b.hit(key, 10, 60)).allowed for _ in range(6)])
    await b.sync()
    await a.sync()  # a adds its 6 to b's: the shared state holds 12
    # ...together they used 12: a refuses at once; b lets one more through until its next
    # sync (the documented bound), then refuses too.
    assert not (await a.hit(key, 10, 60)).allowed
    assert (await b.hit(key, 10, 60)).allowed
    await b.sync()
    assert not (await b.hit(key, 10, 60)).allowed
    await a.sync()
    clock.advance(timedelta(seconds=18))  # 13 used, one refilled every 6 s: 10 again
    assert not (await a.hit(key, 10, 60)).allowed
    clock.advance(timedelta(seconds=6))
    assert (await a.hit(key, 10, 60)).allowed
    assert not (await a.hit(key, 10, 60)).allowed


async def test_a_synced_limiter_keeps_deciding_when_redis_is_down(clock: FixedClock) -> None:
    limiter = SyncedRateLimiter(Redis(port=1, socket_connect_timeout=0.2), clock)
    before = REGISTRY.get_sample_value("appfleet_ratelimit_unavailable_total") or 0.0
    decisions = [(await limiter.hit("ratelimit:test:down", 3, 60)).allowed for _ in range(4)]
    await limiter.sync()
    assert decisions == [True, True, True, False]  # the process's own count still holds
    assert REGISTRY.get_sample_value("appfleet_ratelimit_unavailable_total") == before + 1


async def test_every_app_request_counts_against_the_callers_default_limit(
    settings: Settings, clock: FixedClock
) -> None:
    app = create_app(settings, clock=clock, manifests=[*MANIFESTS, probe.manifest])
    async with serve(app) as client:
        answers = [await client.get("/api/v1/probe/items/count") for _ in range(21)]
        assert [a.status_code for a in answers] == [200] * 20 + [429]
        assert answers[0].headers["X-RateLimit-Limit"] == "20"
        assert [a.headers["X-RateLimit-Remaining"] for a in answers[:3]] == ["19", "18", "17"]
        refused = answers[-1]
        assert refused.json()["error"]["code"] == "RATE_LIMIT_ERROR"
        assert refused.headers["Retry-After"] == "3"  # GCRA refills one request per 3 s
        assert (await client.get("/health")).status_code == 200  # outside every app

        # Another app counts on its own; a signed-in caller counts per user, at 100 a minute.
        account = await register(client, email="ann@example.com")
        me = [
            await client.get("/api/v1/corpfinity/users/me", headers=bearer(account["access_token"]))
            for _ in range(100)
        ]
        assert {r.status_code for r in me} == {200}
        assert me[-1].headers["X-RateLimit-Limit"] == "100"
        assert me[-1].headers["X-RateLimit-Remaining"] == "0"
        over = await client.get(
            "/api/v1/corpfinity/users/me", headers=bearer(account["access_token"])
        )
        assert over.status_code == 429

        clock.advance(timedelta(seconds=3))
        assert (await client.get("/api/v1/probe/items/count")).status_code == 200


async def test_limits_come_from_settings_and_can_be_turned_off(
    settings: Settings, clock: FixedClock
) -> None:
    capped = settings.model_copy(
        update={"ratelimit": RateLimitSettings(anonymous="1000/minute", per_app="3/minute")}
    )
    app = create_app(capped, clock=clock, manifests=[*MANIFESTS, probe.manifest])
    async with serve(app) as client:
        answers = [await client.get("/api/v1/probe/items/count") for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]  # the app's cap
        assert answers[0].headers["X-RateLimit-Limit"] == "3"  # the tightest limit shows

    off = settings.model_copy(update={"ratelimit": RateLimitSettings(enabled=False)})
    app = create_app(off, clock=clock, manifests=[*MANIFESTS, probe.manifest])
    async with serve(app) as client:
        answers = [await client.get("/api/v1/probe/items/count") for _ in range(30)]
        assert {a.status_code for a in answers} == {200}
        assert "X-RateLimit-Limit" not in answers[-1].headers


@pytest.mark.parametrize(
    ("text", "rate"),
    [("5/minute", (5, 60.0)), ("3/5minutes", (3, 300.0)), ("10 / hour", (10, 3600.0))],
)
def test_rates_parse(text: str, rate: tuple[int, float]) -> None:
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["5", "0/minute", "5/fortnight", "-1/second"])
def test_bad_rates_are_refused_with_the_setting_named(text: str) -> None:
    with pytest.raises(ValidationError, match="ratelimit.ai"):
        Settings(ratelimit={"ai": text})


async def test_a_synced_key_seen_only_refused_survives_a_redis_restart(
    redis: Redis, clock: FixedClock
) -> None:
    limiter = SyncedRateLimiter(redis, clock)
    key = f"ratelimit:test:{uuid.uuid4()}"
    assert (await limiter.hit(key, 1, 60)).allowed
    await limiter.sync()
    await redis.delete(key)  # Redis restarted empty
    assert not (await limiter.hit(key, 1, 60)).allowed  # nothing to add at the next sync
    before = REGISTRY.get_sample_value("appfleet_ratelimit_unavailable_total") or 0.0
    await limiter.sync()
    assert REGISTRY.get_sample_value("appfleet_ratelimit_unavailable_total") == before
    assert not (await limiter.hit(key, 1, 60)).allowed  # the process's own count holds


async def test_a_route_limit_counts_per_user(settings: Settings, clock: FixedClock) -> None:
    app = create_app(settings, clock=clock, manifests=[*MANIFESTS, probe.manifest])
    async with serve(app) as client:
        ann = bearer((await register(client, app="probe", email="ann@example.com"))["access_token"])
        bob = bearer((await register(client, app="probe", email="bob@example.com"))["access_token"])
        assert (await client.post("/api/v1/probe/generate")).status_code == 401
        answers = [await client.post("/api/v1/probe/generate", headers=ann) for _ in range(11)]
        assert [a.status_code for a in answers] == [200] * 10 + [429]
        assert answers[0].headers["X-RateLimit-Limit"] == "10"  # ai: 10 an hour
        assert int(answers[-1].headers["Retry-After"]) == 360  # one more every 6 minutes
        assert (await client.post("/api/v1/probe/generate", headers=bob)).status_code == 200


async def test_a_sync_credits_arrivals_from_when_they_came_not_when_they_are_synced(
    redis: Redis, clock: FixedClock
) -> None:
    limiter = SyncedRateLimiter(redis, clock)
    key = f"ratelimit:test:{uuid.uuid4()}"
    for _ in range(21):  # a steady client at exactly the allowed rate, for a minute
        assert (await limiter.hit(key, 20, 60)).allowed
        clock.advance(timedelta(seconds=3))
    await limiter.sync()  # one sync for the whole minute (a slow sync, a busy process)
    decision = await limiter.hit(key, 20, 60)
    assert decision.allowed and decision.remaining == 19  # nothing was over-counted
