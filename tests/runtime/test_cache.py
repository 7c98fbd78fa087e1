"""Caches: the in-process LRU, and Redis with a near copy per process kept honest by
invalidation messages (two NearCache instances stand in for two API processes)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from appfleet.runtime.cache import Cache, MemoryCache, NearCache, RedisCache, read_through

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


async def test_a_prefix_delete_in_one_process_reaches_the_others_copies(
    processes: tuple[NearCache, NearCache],
) -> None:
    here, there = processes
    ns = f"cache:test:{uuid.uuid4()}"
    await here.set(f"{ns}:a", b"v1", 60)
    assert await there.get(f"{ns}:a") == b"v1"  # held in there's near copy
    await here.delete_prefix(f"{ns}:")
    assert await eventually_gone(there, f"{ns}:a")


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


@pytest.fixture(params=["memory", "redis", "near"])
async def cache(request: pytest.FixtureRequest) -> AsyncIterator[Cache]:
    if request.param == "memory":
        yield MemoryCache()
        return
    redis = Redis.from_url(request.getfixturevalue("redis_url"))
    yield RedisCache(redis) if request.param == "redis" else NearCache(redis)
    await redis.aclose()


async def test_delete_by_prefix_removes_that_namespace_only(cache: Cache) -> None:
    ns = f"cache:test:{uuid.uuid4()}"
    for key in (f"{ns}:challenges:a", f"{ns}:challenges:b", f"{ns}:challengesX", f"{ns}:user:1"):
        await cache.set(key, b"v", 60)
    await cache.delete_prefix(f"{ns}:challenges:")
    assert await cache.get(f"{ns}:challenges:a") is None
    assert await cache.get(f"{ns}:challenges:b") is None
    assert await cache.get(f"{ns}:challengesX") == b"v"
    assert await cache.get(f"{ns}:user:1") == b"v"


async def test_read_through_loads_once_then_serves_the_cached_value(cache: Cache) -> None:
    key = f"cache:test:{uuid.uuid4()}"
    loads: list[int] = []

    async def load() -> bytes:
        loads.append(1)
        return b"from the database"

    assert await read_through(cache, key, 60, load) == b"from the database"
    assert await read_through(cache, key, 60, load) == b"from the database"
    assert len(loads) == 1

    async def nothing() -> bytes | None:
        return None

    missing = f"cache:test:{uuid.uuid4()}"
    assert await read_through(cache, missing, 60, nothing) is None
    assert await cache.get(missing) is None  # "not found" is not cached


@pytest.mark.parametrize("invalidate", ["key", "prefix"])
async def test_a_value_loaded_across_a_write_is_never_cached(cache: Cache, invalidate: str) -> None:
    """The write commits and invalidates while the reader is still loading the old row: the
    reader's stale copy must not be stored, or it would be served after the write."""
    ns = f"cache:test:{uuid.uuid4()}"
    key = f"{ns}:item"
    row = {"value": b"old"}

    async def load_while_a_write_lands() -> bytes:
        seen = row["value"]  # the reader's query ran...
        row["value"] = b"new"  # ...then the writer committed and invalidated
        if invalidate == "key":
            await cache.delete(key)
        else:
            await cache.delete_prefix(f"{ns}:")
        return seen

    assert await read_through(cache, key, 60, load_while_a_write_lands) == b"old"

    async def load() -> bytes:
        return row["value"]

    assert await read_through(cache, key, 60, load) == b"new"


async def test_writes_to_other_keys_do_not_keep_a_key_from_being_cached(cache: Cache) -> None:
    """A busy key invalidated after every write (a streak) must not make every other read a
    miss: generations are per key."""
    ns = f"cache:test:{uuid.uuid4()}"
    loads: list[int] = []

    async def load_while_others_change() -> bytes:
        loads.append(1)
        await cache.delete(f"{ns}:busy")  # another request's write, meanwhile
        return b"profile"

    assert await read_through(cache, f"{ns}:profile", 60, load_while_others_change) == b"profile"
    assert await cache.get(f"{ns}:profile") == b"profile"
    assert await read_through(cache, f"{ns}:profile", 60, load_while_others_change) == b"profile"
    assert len(loads) == 1


async def test_concurrent_misses_load_once_and_a_failed_load_is_retried_by_the_next() -> None:
    cache, calls = MemoryCache(), []
    release = asyncio.Event()

    async def load() -> bytes:
        calls.append(1)
        await release.wait()
        return b"board"

    readers = [asyncio.create_task(read_through(cache, "k", 60, load)) for _ in range(20)]
    await asyncio.sleep(0.01)
    release.set()
    assert await asyncio.gather(*readers) == [b"board"] * 20
    assert len(calls) == 1  # one query for twenty readers

    async def broken() -> bytes:
        raise RuntimeError("database away")

    with pytest.raises(RuntimeError):
        await read_through(cache, "other", 60, broken)
    assert await read_through(cache, "other", 60, load) == b"board"  # nothing left stuck
