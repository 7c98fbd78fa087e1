"""Revoked access tokens and sessions, checked on every authenticated request.

Every process keeps the revocations in memory and re-reads them from the shared source every
couple of seconds, so the check itself never leaves the process: the database in embedded mode,
Redis when configured (a sorted set scored by expiry, plus seed 000's `blacklist:{jti}` keys).
A revocation is in force at once in the process that made it and within `REREAD_S` everywhere
else. The set stays small: an entry lives only as long as the tokens it covers (15 minutes).
"""

from __future__ import annotations

import asyncio
import math
import time
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, cast

from sqlalchemy import delete, select

from appfleet.core.clock import Clock
from appfleet.core.database import Database, unit_of_work
from appfleet.core.logging import get_logger
from appfleet.runtime.models import RevokedToken

if TYPE_CHECKING:
    from redis.asyncio import Redis

REREAD_S = 2.0
REDIS_SET = "revoked"


def token_key(jti: object) -> str:
    return f"blacklist:{jti}"


def session_key(session_id: object) -> str:
    return f"blacklist:session:{session_id}"


log = get_logger("appfleet.revocation")


class RevocationSource(Protocol):
    async def add(self, key: str, until: datetime, now: datetime) -> None: ...

    async def load(self, now: datetime) -> dict[str, datetime]: ...


class Revocations:
    def __init__(self, source: RevocationSource, clock: Clock, reread_s: float = REREAD_S) -> None:
        self._source = source
        self._clock = clock
        self._reread_s = reread_s
        self._known: dict[str, datetime] = {}
        self._read_at = -math.inf
        self._reading = asyncio.Lock()

    async def revoke(self, key: str, until: datetime) -> None:
        await self._source.add(key, until, self._clock.now())
        self._known[key] = until

    async def is_revoked(self, *keys: str) -> bool:
        if time.monotonic() - self._read_at > self._reread_s:
            await self._reread()
        now = self._clock.now()
        return any((until := self._known.get(key)) is not None and until > now for key in keys)

    async def _reread(self) -> None:
        if self._reading.locked():  # another request is already refreshing
            return
        async with self._reading:
            try:
                loaded = await self._source.load(self._clock.now())
            except Exception as exc:  # Redis or the database is away
                # Serve on with the last known set: nothing new can be revoked in the store
                # while it is unreachable (revoking fails too), so it is not staler than that.
                log.warning("revocations_unreadable", error=type(exc).__name__)
                self._read_at = time.monotonic()
                return
            # Keep what this process revoked since the read began.
            self._known = loaded | {k: v for k, v in self._known.items() if k not in loaded}
            self._read_at = time.monotonic()


class DatabaseSource:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, key: str, until: datetime, now: datetime) -> None:
        async with unit_of_work(self._db) as session:
            await session.execute(delete(RevokedToken).where(RevokedToken.expires_at <= now))
            await session.merge(RevokedToken(key=key, expires_at=until))

    async def load(self, now: datetime) -> dict[str, datetime]:
        async with unit_of_work(self._db, write=False) as session:
            rows = await session.execute(
                select(RevokedToken.key, RevokedToken.expires_at).where(
                    RevokedToken.expires_at > now
                )
            )
            return {key: until for key, until in rows}


class RedisSource:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def add(self, key: str, until: datetime, now: datetime) -> None:
        ttl = math.ceil((until - now).total_seconds())
        if ttl <= 0:
            return
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zadd(REDIS_SET, {key: until.timestamp()})
            pipe.zremrangebyscore(REDIS_SET, "-inf", now.timestamp())
            pipe.set(key, b"1", ex=ttl)
            await pipe.execute()

    async def load(self, now: datetime) -> dict[str, datetime]:
        entries = await self._redis.zrangebyscore(
            REDIS_SET, f"({now.timestamp()}", "+inf", withscores=True
        )
        loaded: dict[str, datetime] = {}
        for key, score in cast(list[tuple[bytes, float]], entries):
            name = key.decode() if isinstance(key, bytes) else str(key)
            loaded[name] = datetime.fromtimestamp(float(score), now.tzinfo)
        return loaded
