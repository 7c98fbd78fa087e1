"""Revoked access tokens and sessions, checked on every authenticated request.

Redis when configured (`blacklist:{jti}` keys that expire with the token, shared by every
process); otherwise the database, read into memory and re-read every few seconds so the check
itself never touches the database on the request path.
"""

from __future__ import annotations

import asyncio
import math
import time
from datetime import datetime
from typing import Protocol

from redis.asyncio import Redis
from sqlalchemy import delete, select

from appfleet.core.clock import Clock
from appfleet.core.database import Database, unit_of_work
from appfleet.runtime.models import RevokedToken


class RevocationStore(Protocol):
    async def revoke(self, key: str, until: datetime) -> None: ...

    async def is_revoked(self, *keys: str) -> bool: ...


def token_key(jti: object) -> str:
    return f"blacklist:{jti}"


def session_key(session_id: object) -> str:
    return f"blacklist:session:{session_id}"


class RedisRevocations:
    def __init__(self, redis: Redis, clock: Clock) -> None:
        self._redis = redis
        self._clock = clock

    async def revoke(self, key: str, until: datetime) -> None:
        ttl = math.ceil((until - self._clock.now()).total_seconds())
        if ttl > 0:
            await self._redis.set(key, b"1", ex=ttl)

    async def is_revoked(self, *keys: str) -> bool:
        return bool(await self._redis.exists(*keys))


class DatabaseRevocations:
    REREAD_S = 2.0

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        self._known: dict[str, datetime] = {}
        self._read_at = -math.inf
        self._reading: asyncio.Lock = asyncio.Lock()

    async def revoke(self, key: str, until: datetime) -> None:
        now = self._clock.now()
        async with unit_of_work(self._db) as session:
            await session.execute(delete(RevokedToken).where(RevokedToken.expires_at <= now))
            await session.merge(RevokedToken(key=key, expires_at=until))
        self._known[key] = until

    async def is_revoked(self, *keys: str) -> bool:
        if time.monotonic() - self._read_at > self.REREAD_S:
            await self._reread()
        now = self._clock.now()
        return any((until := self._known.get(key)) is not None and until > now for key in keys)

    async def _reread(self) -> None:
        # Other processes on the same database revoke too; one reader at a time refreshes.
        if self._reading.locked():
            return
        async with self._reading:
            now = self._clock.now()
            async with unit_of_work(self._db, write=False) as session:
                rows = await session.execute(
                    select(RevokedToken.key, RevokedToken.expires_at).where(
                        RevokedToken.expires_at > now
                    )
                )
                self._known = {key: until for key, until in rows}
            self._read_at = time.monotonic()
