"""Daily analytics counters (seed 000): active users per app and day, and named event counts.

Requests mark their user active in memory (a set lookup; each user once a day per process) and
a background task flushes every few seconds: with Redis into a HyperLogLog per app and day
(`analytics:dau:{app}:{date}`, about 12 KB however many users; PFCOUNT over several days gives
the distinct users of the period) and a hash of event counts (`analytics:events:{app}:{date}`);
embedded, into two tables with exact distinct counts. Days are UTC days. Kept 35 days in Redis;
the tables are pruned to the same by the scheduler.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta
from typing import TYPE_CHECKING, Annotated, Any, Protocol

from fastapi import Depends, Request
from sqlalchemy import Date, String, delete, func, select
from sqlalchemy.orm import Mapped, mapped_column

from appfleet.core.clock import Clock
from appfleet.core.database import Base, Database, insert, unit_of_work
from appfleet.core.logging import get_logger
from appfleet.core.tasks import JobContext, Schedule, Task
from appfleet.runtime.periodic import Periodic
from appfleet.runtime.redis import failures as redis_failures

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = get_logger("appfleet.analytics")
KEEP_DAYS = 35
SEEN_LIMIT = 200_000  # remembered (app, day, user) triples per process before starting over


class ActiveUser(Base):
    __tablename__ = "analytics_active_user"

    app: Mapped[str] = mapped_column(String(40), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)


class EventCount(Base):
    __tablename__ = "analytics_event_count"

    app: Mapped[str] = mapped_column(String(40), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    count: Mapped[int]


Users = dict[tuple[str, date], set[str]]
Events = Counter[tuple[str, date, str]]


class CounterStore(Protocol):
    async def add(self, users: Users, events: Events) -> None: ...

    async def active(self, app: str, first: date, last: date) -> int: ...

    async def events(self, app: str, day: date) -> dict[str, int]: ...


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


class RedisCounters:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def add(self, users: Users, events: Events) -> None:
        ttl = KEEP_DAYS * 86_400
        async with self._redis.pipeline(transaction=False) as pipe:
            for (app, day), ids in users.items():
                key = f"analytics:dau:{app}:{day.isoformat()}"
                pipe.pfadd(key, *ids)
                pipe.expire(key, ttl)
            for (app, day, name), count in events.items():
                key = f"analytics:events:{app}:{day.isoformat()}"
                pipe.hincrby(key, name, count)
                pipe.expire(key, ttl)
            await pipe.execute()

    async def active(self, app: str, first: date, last: date) -> int:
        keys = [f"analytics:dau:{app}:{day.isoformat()}" for day in _days(first, last)]
        return int(await self._redis.pfcount(*keys))

    async def events(self, app: str, day: date) -> dict[str, int]:
        raw: dict[Any, Any] = await self._redis.hgetall(f"analytics:events:{app}:{day.isoformat()}")
        return {(k.decode() if isinstance(k, bytes) else str(k)): int(v) for k, v in raw.items()}


class DatabaseCounters:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, users: Users, events: Events) -> None:
        async with unit_of_work(self._db) as session:
            rows = [
                {"app": app, "day": day, "user_id": user}
                for (app, day), ids in users.items()
                for user in ids
            ]
            if rows:
                await session.execute(
                    insert(session, ActiveUser).values(rows).on_conflict_do_nothing()
                )
            for (app, day, name), count in events.items():
                statement = insert(session, EventCount).values(
                    app=app, day=day, name=name, count=count
                )
                await session.execute(
                    statement.on_conflict_do_update(
                        index_elements=["app", "day", "name"],
                        set_={"count": EventCount.count + statement.excluded.count},
                    )
                )

    async def active(self, app: str, first: date, last: date) -> int:
        async with unit_of_work(self._db, write=False) as session:
            query = select(func.count(func.distinct(ActiveUser.user_id))).where(
                ActiveUser.app == app, ActiveUser.day.between(first, last)
            )
            return int(await session.scalar(query) or 0)

    async def events(self, app: str, day: date) -> dict[str, int]:
        async with unit_of_work(self._db, write=False) as session:
            rows = await session.execute(
                select(EventCount.name, EventCount.count).where(
                    EventCount.app == app, EventCount.day == day
                )
            )
            return {name: count for name, count in rows}


class Analytics:
    """Buffers activity and events in process; `run()` flushes them every `flush_s`."""

    def __init__(self, store: CounterStore, clock: Clock, *, flush_s: float = 5.0) -> None:
        self._store, self._clock = store, clock
        self._seen: set[tuple[str, int, str]] = set()
        self._users: Users = defaultdict(set)
        self._events: Events = Counter()
        self._periodic = Periodic(self.flush, flush_s, "analytics_flush")

    def seen(self, app: str, user_id: str) -> None:
        """Mark a user active today in `app` (cheap enough for every request)."""
        day = int(self._clock.timestamp() // 86_400)
        marker = (app, day, user_id)
        if marker in self._seen:
            return
        if len(self._seen) >= SEEN_LIMIT:
            self._seen.clear()  # at worst a user is written twice; the stores deduplicate
        self._seen.add(marker)
        self._users[(app, date.fromordinal(_EPOCH_ORDINAL + day))].add(user_id)

    def count(self, app: str, name: str, n: int = 1) -> None:
        """Add `n` to today's count of the event `name` in `app`."""
        self._events[(app, self._clock.now().date(), name)] += n

    async def flush(self) -> None:
        users, self._users = self._users, defaultdict(set)
        events, self._events = self._events, Counter()
        if not users and not events:
            return
        try:
            await self._store.add(users, events)
        except redis_failures() as exc:
            # Counters are best effort: losing a few seconds of them beats failing requests.
            log.warning("analytics_flush_failed", error=type(exc).__name__)

    async def daily_active(self, app: str, day: date) -> int:
        await self.flush()
        return await self._store.active(app, day, day)

    async def active_between(self, app: str, first: date, last: date) -> int:
        """Distinct active users over a period (MAU is the last 30 days)."""
        await self.flush()
        return await self._store.active(app, first, last)

    async def events(self, app: str, day: date) -> dict[str, int]:
        await self.flush()
        return await self._store.events(app, day)

    async def run(self) -> None:
        """Flush every `flush_s` until `stop()`, then once more."""
        await self._periodic.run()

    def stop(self) -> None:
        self._periodic.stop()


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


async def prune_counters(context: JobContext, _args: dict[str, Any]) -> None:
    cutoff = context.clock.now().date() - timedelta(days=KEEP_DAYS)
    async with unit_of_work(context.db) as session:
        await session.execute(delete(ActiveUser).where(ActiveUser.day < cutoff))
        await session.execute(delete(EventCount).where(EventCount.day < cutoff))


PRUNE = Task("analytics.prune", prune_counters, queue="cleanup", max_attempts=3)
PRUNE_DAILY = Schedule("analytics.prune", PRUNE.name, cron="41 3 * * *")


async def get_analytics(request: Request) -> Analytics:
    return request.app.state.analytics  # type: ignore[no-any-return]


AnalyticsDep = Annotated[Analytics, Depends(get_analytics)]
