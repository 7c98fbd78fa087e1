"""GCRA rate limiting, in memory and in Redis (two limiters on one Redis stand in for two API
processes sharing a limit)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client import REGISTRY
from redis.asyncio import Redis

from appfleet.core.clock import FixedClock
from appfleet.runtime.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter

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
