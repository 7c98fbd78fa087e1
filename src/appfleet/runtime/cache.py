"""A key-value cache with expiry: in-process (bounded LRU) by default, Redis when configured.

Values are bytes, so a cached response body can be sent as is. Keys follow seed 000's schema
(`cache:user:{id}:{app}`). A cached value is deleted after the commit that changed it, by key
or by prefix (`cache:challenges:`).

`read_through` fills the cache from a loader without ever storing a value read before a write
that invalidated it: every delete bumps the generation of the keys it deletes (a prefix delete
bumps one generation shared by all keys), and a loaded value is stored only if its key's
generation is the one read before loading. Generations are per key so that writes to busy keys
(a streak after every completion) do not keep every other key from being cached.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Generic, Protocol, TypeVar, runtime_checkable

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.core.database import after_commit
from appfleet.core.logging import get_logger
from appfleet.runtime.redis import failures as redis_failures

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = get_logger("appfleet.cache")
T = TypeVar("T")
INVALIDATION_CHANNEL = "cache:invalidate"


GENERATION_KEY = "cache:generation"  # bumped by prefix deletes: every key's second half
KEY_GENERATION = "cache:gen:"  # + key: bumped by deleting that key
GENERATION_TTL_S = 86_400  # far longer than any load takes; then it may start again at 0
PREFIX_MARK = "prefix:"  # an invalidation message naming a prefix rather than a key
# (the key's own generation, the prefix generation); unknown: Redis did not answer, so
# whatever is loaded is not stored.
Generation = tuple[int, int]
UNKNOWN_GENERATION: Generation = (-1, -1)


@runtime_checkable
class Cache(Protocol):
    async def get(self, key: str) -> bytes | None: ...

    async def set(self, key: str, value: bytes, ttl_s: int) -> None: ...

    async def delete(self, *keys: str) -> None: ...

    async def delete_prefix(self, prefix: str) -> None: ...

    async def generation(self, key: str) -> Generation: ...

    async def set_if_generation(
        self, key: str, value: bytes, ttl_s: int, generation: Generation
    ) -> bool:
        """Store unless `key` was invalidated since `generation` was read."""
        ...


# Loads in flight in this process, by cache and key: a value that expires under load is
# loaded once, and the requests that missed meanwhile wait for that load rather than each
# running their own (a stampede of identical queries right when the database is busiest).
_loading: dict[tuple[int, str], asyncio.Future[bytes | None]] = {}


async def read_through(
    cache: Cache, key: str, ttl_s: int, load: Callable[[], Awaitable[bytes | None]]
) -> bytes | None:
    """The cached value, or `load()`'s (cached unless None or invalidated meanwhile)."""
    if (hit := await cache.get(key)) is not None:
        return hit
    flight = (id(cache), key)
    running = _loading.get(flight)
    if running is not None and not running.done():
        try:
            return await asyncio.shield(running)
        except Exception:  # noqa: S110 - that load failed (its caller's error); try ours
            pass
    task = asyncio.ensure_future(_fill(cache, key, ttl_s, load))
    task.add_done_callback(_retrieved)
    _loading[flight] = task
    try:
        # Shielded: a caller that gives up does not cancel the load others wait for.
        return await asyncio.shield(task)
    finally:
        if _loading.get(flight) is task:
            del _loading[flight]


def _retrieved(task: asyncio.Future[bytes | None]) -> None:
    # A load whose callers all gave up still has its error looked at (no asyncio warning).
    if not task.cancelled():
        task.exception()


async def _fill(
    cache: Cache, key: str, ttl_s: int, load: Callable[[], Awaitable[bytes | None]]
) -> bytes | None:
    generation = await cache.generation(key)  # before loading: see the module docstring
    value = await load()
    if value is not None:
        await cache.set_if_generation(key, value, ttl_s, generation)
    return value


class ParsedOnce(Generic[T]):
    """`parse(raw)`, computed once per bytes object: every request between two refreshes of a
    near-cached value gets the very same object, so a hot value is parsed once, not per read."""

    def __init__(self, parse: Callable[[bytes], T]) -> None:
        self._parse = parse
        self._raw: bytes | None = None
        self._value: T | None = None

    def __call__(self, raw: bytes) -> T:
        if self._raw is not raw or self._value is None:
            self._value, self._raw = self._parse(raw), raw
        return self._value


def forget_after_commit(
    session: AsyncSession, cache: Cache, *keys: str, prefix: str | None = None
) -> None:
    """Drop cached values (keys, or every key under `prefix`) once the change that makes them
    stale has committed; nothing is dropped if it rolls back."""

    async def drop() -> None:
        if keys:
            await cache.delete(*keys)
        if prefix is not None:
            await cache.delete_prefix(prefix)

    after_commit(session, drop)


class MemoryCache:
    def __init__(self, max_entries: int = 10_000) -> None:
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._max = max_entries
        # Per-key generations of recently deleted keys (bounded: one forgotten here would need
        # more deletes than it holds to happen during one load).
        self._generations: OrderedDict[str, int] = OrderedDict()
        self._prefix_generation = 0

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

    async def delete_prefix(self, prefix: str) -> None:
        self.drop_prefix(prefix)

    async def generation(self, key: str) -> Generation:
        return self.generation_now(key)

    def generation_now(self, key: str) -> Generation:
        return self._generations.get(key, 0), self._prefix_generation

    async def set_if_generation(
        self, key: str, value: bytes, ttl_s: int, generation: Generation
    ) -> bool:
        if generation != self.generation_now(key):
            return False
        await self.set(key, value, ttl_s)
        return True

    def drop(self, keys: tuple[str, ...] | list[str]) -> None:
        for key in keys:
            self._entries.pop(key, None)
            self._generations[key] = self._generations.pop(key, 0) + 1
        while len(self._generations) > self._max * 4:
            self._generations.popitem(last=False)

    def drop_prefix(self, prefix: str) -> None:
        self._prefix_generation += 1
        for key in [k for k in self._entries if k.startswith(prefix)]:
            del self._entries[key]

    def clear(self) -> None:
        self._prefix_generation += 1  # anything may have changed
        self._entries.clear()


# KEYS: the key's generation, the prefix generation, the key.
# ARGV: the expected key generation, the expected prefix generation, value, ttl.
_SET_IF_GENERATION = """
if tonumber(redis.call('GET', KEYS[1]) or '0') ~= tonumber(ARGV[1]) then return 0 end
if tonumber(redis.call('GET', KEYS[2]) or '0') ~= tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[3], ARGV[3], 'EX', ARGV[4])
return 1
"""


class RedisCache:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._set_if_generation = redis.register_script(_SET_IF_GENERATION)
        self._delete = redis.register_script(_DELETE)

    async def get(self, key: str) -> bytes | None:
        value = await self._redis.get(key)
        return value if isinstance(value, bytes) else None

    async def set(self, key: str, value: bytes, ttl_s: int) -> None:
        await self._redis.set(key, value, ex=ttl_s)

    async def delete(self, *keys: str, announce: str = "") -> None:
        """Delete `keys`, bump their generations, and publish them on `announce` if given."""
        if keys:
            await self._delete(keys=list(keys), args=[KEY_GENERATION, GENERATION_TTL_S, announce])

    async def delete_prefix(self, prefix: str) -> None:
        await self._redis.incr(GENERATION_KEY)  # first: a racing fill is refused from here on
        batch: list[bytes] = []
        async for key in self._redis.scan_iter(match=_glob_escape(prefix) + "*", count=500):
            batch.append(key)
            if len(batch) >= 500:
                await self._redis.unlink(*batch)
                batch.clear()
        if batch:
            await self._redis.unlink(*batch)

    async def generation(self, key: str) -> Generation:
        own, shared = await self._redis.mget(KEY_GENERATION + key, GENERATION_KEY)
        return int(own or 0), int(shared or 0)

    async def set_if_generation(
        self, key: str, value: bytes, ttl_s: int, generation: Generation
    ) -> bool:
        stored = await self._set_if_generation(
            keys=[KEY_GENERATION + key, GENERATION_KEY, key],
            args=[generation[0], generation[1], value, ttl_s],
        )
        return bool(stored)


# KEYS: the keys to delete. ARGV: generation prefix, generation ttl, channel ('' for none).
# One command for what would be three per key and a publish: writes invalidate after every
# commit, so this is on the hot path of every write.
_DELETE = """
for _, key in ipairs(KEYS) do
  local generation = ARGV[1] .. key
  redis.call('INCR', generation)
  redis.call('EXPIRE', generation, ARGV[2])
end
redis.call('DEL', unpack(KEYS))
if ARGV[3] ~= '' then redis.call('PUBLISH', ARGV[3], table.concat(KEYS, '\\n')) end
return #KEYS
"""


def _glob_escape(text: str) -> str:
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)


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
        # Its generations say whether an invalidation of a key arrived while that key was
        # fetched from Redis: then the fetched value may be the stale one, and is not kept.
        self._local = MemoryCache(max_entries)
        self._local_ttl_s = local_ttl_s

    # Redis being away degrades the cache to misses (the database answers instead); nothing is
    # stored meanwhile, so nothing stale is kept for later.

    async def get(self, key: str) -> bytes | None:
        if (value := await self._local.get(key)) is not None:
            return value
        generation = self._local.generation_now(key)
        try:
            value = await self._remote.get(key)
        except redis_failures() as exc:
            log.warning("cache_unavailable", error=type(exc).__name__)
            return None
        if value is not None:
            await self._local.set_if_generation(key, value, self._local_ttl_s, generation)
        return value

    async def set(self, key: str, value: bytes, ttl_s: int) -> None:
        try:
            await self._remote.set(key, value, ttl_s)
        except redis_failures() as exc:
            log.warning("cache_unavailable", error=type(exc).__name__)
            return
        await self._local.set(key, value, min(ttl_s, self._local_ttl_s))

    async def delete(self, *keys: str) -> None:
        if not keys:
            return
        self._forget(keys)
        # One round trip: the deletes, the generations and the news to the other processes.
        await self._remote.delete(*keys, announce=INVALIDATION_CHANNEL)

    async def delete_prefix(self, prefix: str) -> None:
        self._forget([PREFIX_MARK + prefix])
        await self._remote.delete_prefix(prefix)
        await self._redis.publish(INVALIDATION_CHANNEL, PREFIX_MARK + prefix)

    async def generation(self, key: str) -> Generation:
        try:
            return await self._remote.generation(key)
        except redis_failures() as exc:
            log.warning("cache_unavailable", error=type(exc).__name__)
            return UNKNOWN_GENERATION

    async def set_if_generation(
        self, key: str, value: bytes, ttl_s: int, generation: Generation
    ) -> bool:
        local = self._local.generation_now(key)
        if generation == UNKNOWN_GENERATION:
            return False
        try:
            if not await self._remote.set_if_generation(key, value, ttl_s, generation):
                return False
        except redis_failures() as exc:
            log.warning("cache_unavailable", error=type(exc).__name__)
            return False
        await self._local.set_if_generation(key, value, min(ttl_s, self._local_ttl_s), local)
        return True

    def _forget(self, keys: tuple[str, ...] | list[str]) -> None:
        plain = [key for key in keys if not key.startswith(PREFIX_MARK)]
        self._local.drop(plain)
        for key in keys:
            if key.startswith(PREFIX_MARK):
                self._local.drop_prefix(key[len(PREFIX_MARK) :])

    async def listen(self, *, retry_s: float = 1.0) -> None:
        """Drop local copies as other processes invalidate them; runs until cancelled."""
        while True:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.subscribe(INVALIDATION_CHANNEL)
                    # Anything could have changed while we were not listening.
                    self._local.clear()
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            data = message["data"]
                            text = data.decode() if isinstance(data, bytes) else str(data)
                            self._forget(text.split("\n"))
            except redis_failures() as exc:
                log.warning("cache_invalidation_listener_lost", error=type(exc).__name__)
                self._local.clear()
                await asyncio.sleep(retry_s)


async def get_cache(request: Request) -> Cache:
    return request.app.state.cache  # type: ignore[no-any-return]


CacheDep = Annotated[Cache, Depends(get_cache)]
