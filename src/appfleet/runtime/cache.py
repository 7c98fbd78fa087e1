"""A key-value cache with expiry: in-process (bounded LRU) by default, Redis when configured.

Values are bytes, so a cached response body can be sent as is. Keys follow seed 000's schema
(`cache:user:{id}:{app}`). A cached value is deleted after the commit that changed it.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from typing import Annotated, Protocol

from fastapi import Depends, Request
from redis.asyncio import Redis
from redis.exceptions import RedisError

from appfleet.core.logging import get_logger

log = get_logger("appfleet.cache")
INVALIDATION_CHANNEL = "cache:invalidate"


class Cache(Protocol):
    async def get(self, key: str) -> bytes | None: ...

    async def set(self, key: str, value: bytes, ttl_s: int) -> None: ...

    async def delete(self, *keys: str) -> None: ...


class MemoryCache:
    def __init__(self, max_entries: int = 10_000) -> None:
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._max = max_entries

    async def get(self, key: str) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires, value = entry
        if expires <= time.monotonic():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return value

    async def set(self, key: str, value: bytes, ttl_s: int) -> None:
        self._entries[key] = (time.monotonic() + ttl_s, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

    async def delete(self, *keys: str) -> None:
        self.drop(keys)

    def drop(self, keys: tuple[str, ...] | list[str]) -> None:
        for key in keys:
            self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()


class RedisCache:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def get(self, key: str) -> bytes | None:
        value = await self._redis.get(key)
        return value if isinstance(value, bytes) else None

    async def set(self, key: str, value: bytes, ttl_s: int) -> None:
        await self._redis.set(key, value, ex=ttl_s)

    async def delete(self, *keys: str) -> None:
        if keys:
            await self._redis.delete(*keys)


class NearCache:
    """Redis, with a short-lived copy in each process in front of it.

    A hit costs no network round trip. A delete removes the key from Redis and publishes it
    on a channel every process listens to, so their copies go within milliseconds; local
    copies also expire after `local_ttl_s`, which bounds staleness should a message be lost
    (and the whole local copy is dropped whenever the subscription reconnects).
    """

    def __init__(self, redis: Redis, *, local_ttl_s: int = 15, max_entries: int = 10_000) -> None:
        self._redis = redis
        self._remote = RedisCache(redis)
        self._local = MemoryCache(max_entries)
        self._local_ttl_s = local_ttl_s
        # Bumped by every invalidation: a value fetched from Redis while one arrived may be
        # the stale one, so it is not kept locally.
        self._generation = 0

    async def get(self, key: str) -> bytes | None:
        if (value := await self._local.get(key)) is not None:
            return value
        generation = self._generation
        value = await self._remote.get(key)
        if value is not None and generation == self._generation:
            await self._local.set(key, value, self._local_ttl_s)
        return value

    async def set(self, key: str, value: bytes, ttl_s: int) -> None:
        await self._remote.set(key, value, ttl_s)
        await self._local.set(key, value, min(ttl_s, self._local_ttl_s))

    async def delete(self, *keys: str) -> None:
        if not keys:
            return
        self._forget(keys)
        await self._remote.delete(*keys)
        await self._redis.publish(INVALIDATION_CHANNEL, "\n".join(keys))

    def _forget(self, keys: tuple[str, ...] | list[str]) -> None:
        self._generation += 1
        self._local.drop(keys)

    async def listen(self, *, retry_s: float = 1.0) -> None:
        """Drop local copies as other processes invalidate them; runs until cancelled."""
        while True:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.subscribe(INVALIDATION_CHANNEL)
                    # Anything could have changed while we were not listening.
                    self._generation += 1
                    self._local.clear()
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            data = message["data"]
                            text = data.decode() if isinstance(data, bytes) else str(data)
                            self._forget(text.split("\n"))
            except (RedisError, OSError) as exc:
                log.warning("cache_invalidation_listener_lost", error=type(exc).__name__)
                self._generation += 1
                self._local.clear()
                await asyncio.sleep(retry_s)


async def get_cache(request: Request) -> Cache:
    return request.app.state.cache  # type: ignore[no-any-return]


CacheDep = Annotated[Cache, Depends(get_cache)]
