"""Revocations shared between processes through the database or Redis."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from redis.asyncio import Redis

from appfleet.core.clock import FixedClock
from appfleet.core.database import Database
from appfleet.runtime.revocation import (
    DatabaseSource,
    RedisSource,
    Revocations,
    RevocationSource,
    token_key,
)

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["database", "redis"])
async def source(
    request: pytest.FixtureRequest, database: Database
) -> AsyncIterator[RevocationSource]:
    if request.param == "database":
        yield DatabaseSource(database)
        return
    redis = Redis.from_url(request.getfixturevalue("redis_url"))
    yield RedisSource(redis)
    await redis.aclose()


async def test_a_revocation_reaches_other_processes_on_their_next_read(
    source: RevocationSource,
) -> None:
    clock = FixedClock(datetime.now(UTC))
    here = Revocations(source, clock, reread_s=3600)
    there = Revocations(source, clock, reread_s=3600)
    key = token_key(uuid.uuid4())
    assert not await there.is_revoked(key)  # reads once, before the revocation
    await here.revoke(key, clock.now() + timedelta(minutes=15))
    assert await here.is_revoked(key)  # at once where it was made
    assert not await there.is_revoked(key)  # not re-read yet
    fresh = Revocations(source, clock, reread_s=0)
    assert await fresh.is_revoked(key)  # a re-read sees it


async def test_revocations_end_when_the_tokens_would_have(source: RevocationSource) -> None:
    clock = FixedClock(datetime.now(UTC))
    revocations = Revocations(source, clock, reread_s=0)
    key = token_key(uuid.uuid4())
    await revocations.revoke(key, clock.now() + timedelta(minutes=15))
    clock.advance(timedelta(minutes=15, seconds=1))
    assert not await revocations.is_revoked(key)
    assert key not in await source.load(clock.now())
