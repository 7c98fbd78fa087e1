"""Caches: the in-process LRU, and Redis with a near copy per process kept honest by
invalidation messages (two NearCache instances stand in for two API processes)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from appfleet.runtime.cache import MemoryCache, NearCache

pytestmark = pytest.mark.anyio


async def test_memory_cache_expires_and_evicts_the_least_recent() -> None:
    cache = MemoryCache(max_entries=2)
    await cache.set("a", b"1", 60)
    await cache.set("b", b"2", 60)
    assert await cache.get("a") == b"1"  # a is now the most recent
    await cache.set("c", b"3", 60)
    assert await cache.get("b") is None
    assert await cache.get("a") == b"1"
    await cache.set("short", b"x", 0)
    assert await cache.get("short") is None
    await cache.delete("a", "missing")
    assert await cache.get("a") is None


@pytest.fixture
async def processes(redis_url: str) -> AsyncIterator[tuple[NearCache, NearCache]]:
    clients = [Redis.from_url(redis_url), Redis.from_url(redis_url)]
    caches = (NearCache(clients[0]), NearCache(clients[1]))
    listeners = [asyncio.create_task(c.listen()) for c in caches]
    await asyncio.sleep(0.2)  # both subscribed
    yield caches
    for task in listeners:
        task.cancel()
    await asyncio.gather(*listeners, return_exceptions=True)
    for client in clients:
        await client.aclose()


async def eventually_gone(cache: NearCache, key: str) -> bool:
    for _ in range(50):
        if await cache.get(key) is None:
            return True
        await asyncio.sleep(0.02)
    return False


async def test_a_delete_in_one_process_reaches_the_others_copies(
    processes: tuple[NearCache, NearCache], redis_url: str
) -> None:
    here, there = processes
    key = f"cache:test:{uuid.uuid4()}"
    await here.set(key, b"v1", 60)
    assert await there.get(key) == b"v1"  # now also held in there's near copy
    # Prove the copy is local: change Redis behind both caches' backs.
    raw = Redis.from_url(redis_url)
    await raw.set(key, b"changed", ex=60)
    assert await there.get(key) == b"v1"
    await here.delete(key)
    assert await here.get(key) is None  # at once where it was deleted
    assert await eventually_gone(there, key)  # within milliseconds elsewhere
    assert await raw.get(key) is None
    await raw.aclose()


async def test_a_value_fetched_during_an_invalidation_is_not_kept(
    processes: tuple[NearCache, NearCache], redis_url: str
) -> None:
    here, there = processes
    key = f"cache:test:{uuid.uuid4()}"
    await here.set(key, b"old", 60)
    raw = Redis.from_url(redis_url)
    real_get = there._remote.get

    async def slow_get(k: str) -> bytes | None:
        value = await real_get(k)  # reads "old"...
        await here.delete(key)  # ...while another process changes and invalidates it
        await asyncio.sleep(0.1)
        return value

    there._remote.get = slow_get  # type: ignore[method-assign]
    assert await there.get(key) == b"old"  # this one read may be stale
    there._remote.get = real_get  # type: ignore[method-assign]
    assert await there.get(key) is None  # but it was not kept
    await raw.aclose()
