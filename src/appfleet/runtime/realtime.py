"""Realtime fan-out: publish an event on a channel; every subscriber, in any process, gets it.

Each channel numbers its events (1, 2, 3...) and keeps the last `replay_size` of them, so a
phone back from the background resumes with `since` (SSE's `Last-Event-ID`) and misses nothing
still kept; when it asks for more than is kept, it first gets a `Gap` and should refetch.
In-process by default. With Redis, one Lua script numbers the event, appends it to a capped
stream (the replay log) and publishes it, and one pattern subscription per process routes
events to that process's subscribers; after a reconnect each subscriber catches up from the log.
A publish answers how many subscribers are live on the channel (in every process), so an app can
fall back to a push notification when nobody is listening. `signal_here` hands this process's
subscribers a live-only event, neither numbered nor kept (presence relays its own changes
between processes, and a burst of people coming online must not push a channel's real events
out of its replay log).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, Protocol, runtime_checkable

import orjson
from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.core.database import after_commit
from appfleet.core.logging import get_logger
from appfleet.runtime.redis import failures as redis_failures

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = get_logger("appfleet.realtime")
REPLAY_SIZE = 500
QUEUE_SIZE = 1000  # a subscriber this far behind is cut off (it reconnects and replays)
PRESENCE_TTL_S = 60.0


@dataclass(frozen=True, slots=True)
class Event:
    """`seq` 0 is a signal: live only, never replayed."""

    channel: str
    seq: int
    type: str
    data: dict[str, Any]

    def to_json(self) -> bytes:
        return orjson.dumps(
            {"channel": self.channel, "seq": self.seq, "type": self.type, "data": self.data}
        )

    @classmethod
    def from_json(cls, raw: bytes | str) -> Event:
        value = orjson.loads(raw)
        return cls(value["channel"], int(value["seq"]), value["type"], value["data"])


@dataclass(frozen=True, slots=True)
class Gap:
    """Events after `since` up to `resumed_at - 1` are no longer kept: refetch, then go on."""

    channel: str
    since: int
    resumed_at: int


@dataclass(frozen=True, slots=True)
class Published:
    seq: int
    listeners: int


@runtime_checkable
class Broker(Protocol):
    async def publish(self, channel: str, type: str, data: dict[str, Any]) -> Published: ...

    def subscribe(self, channel: str, since: int | None = None) -> Subscription: ...

    async def history(self, channel: str, since: int) -> list[Event | Gap]:
        """The kept events after `since` (a Gap first when some were already dropped)."""
        ...

    def signal_here(self, channel: str, type: str, data: dict[str, Any]) -> None:
        """Deliver to the channel's subscribers in this process only; not numbered, not kept."""
        ...


class SlowSubscriber(Exception):
    """The subscriber's queue overflowed; it should reconnect and replay from its last seq."""


@dataclass(eq=False)
class Subscription:
    """Events of one channel for one listener: replayed ones first, then live ones, in order
    and without duplicates (`last` is the highest seq handed out)."""

    channel: str
    last: int
    _broker: _BrokerBase
    _queue: asyncio.Queue[Event | Gap] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))
    id: str = field(default_factory=lambda: uuid.uuid4().hex)

    _overflowed: bool = False

    def offer(self, item: Event | Gap) -> None:
        try:
            self._queue.put_nowait(item)
        except asyncio.QueueFull:
            self._overflowed = True  # the reader finds out at its next item

    async def __aenter__(self) -> Subscription:
        await self._broker.attach(self)
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self._broker.detach(self)

    def __aiter__(self) -> AsyncIterator[Event | Gap]:
        return self._events()

    async def _events(self) -> AsyncIterator[Event | Gap]:
        while True:
            item = await self._queue.get()
            if self._overflowed:
                raise SlowSubscriber(self.channel)
            if isinstance(item, Event):
                if item.seq == 0:
                    yield item  # a signal: live only, outside the numbering
                    continue
                if item.seq <= self.last:
                    continue  # seen in the replay already
                self.last = item.seq
            elif item.since >= item.resumed_at:
                self.last = item.resumed_at - 1  # the channel started over: follow it down
            else:
                self.last = max(self.last, item.resumed_at - 1)
            yield item


class _BrokerBase:
    def __init__(self) -> None:
        self._subscriptions: dict[str, set[Subscription]] = defaultdict(set)

    def subscribe(self, channel: str, since: int | None = None) -> Subscription:
        """Use as `async with broker.subscribe(ch, since) as events: async for e in events`.
        `since=None` means live events only."""
        return Subscription(channel, -1 if since is None else since, self)

    async def attach(self, subscription: Subscription) -> None:
        # Registered before the replay is read, so nothing published in between is missed
        # (duplicates are dropped by seq).
        self._subscriptions[subscription.channel].add(subscription)
        if subscription.last < 0:
            subscription.last = await self._current(subscription.channel)
            return
        for item in await self._replay(subscription.channel, subscription.last):
            subscription.offer(item)

    async def history(self, channel: str, since: int) -> list[Event | Gap]:
        return await self._replay(channel, since)

    async def detach(self, subscription: Subscription) -> None:
        local = self._subscriptions.get(subscription.channel)
        if local is not None:
            local.discard(subscription)
            if not local:
                del self._subscriptions[subscription.channel]

    def signal_here(self, channel: str, type: str, data: dict[str, Any]) -> None:
        if channel in self._subscriptions:
            self._deliver(Event(channel, 0, type, data))

    def _deliver(self, event: Event) -> None:
        for subscription in list(self._subscriptions.get(event.channel, ())):
            subscription.offer(event)

    async def _current(self, channel: str) -> int:
        raise NotImplementedError

    async def _replay(self, channel: str, since: int) -> list[Event | Gap]:
        raise NotImplementedError


def _with_gap(channel: str, since: int, current: int, kept: list[Event]) -> list[Event | Gap]:
    items: list[Event | Gap] = []
    first = kept[0].seq if kept else current + 1
    if since > current:
        # The client remembers more than the channel has (the log expired): start over.
        return [Gap(channel, since, current + 1)]
    if first > since + 1 and since < current:
        items.append(Gap(channel, since, first))
    items.extend(kept)
    return items


class MemoryBroker(_BrokerBase):
    def __init__(self, replay_size: int = REPLAY_SIZE) -> None:
        super().__init__()
        self._seq: dict[str, int] = defaultdict(int)
        self._logs: dict[str, deque[Event]] = defaultdict(lambda: deque(maxlen=replay_size))

    async def publish(self, channel: str, type: str, data: dict[str, Any]) -> Published:
        self._seq[channel] += 1
        event = Event(channel, self._seq[channel], type, data)
        self._logs[channel].append(event)
        self._deliver(event)
        return Published(event.seq, len(self._subscriptions.get(channel, ())))

    async def _current(self, channel: str) -> int:
        return self._seq.get(channel, 0)

    async def _replay(self, channel: str, since: int) -> list[Event | Gap]:
        kept = [event for event in self._logs.get(channel, ()) if event.seq > since]
        return _with_gap(channel, since, self._seq.get(channel, 0), kept)


# KEYS: seq, log, presence. ARGV: channel, type, data (JSON), replay size, ttl s, now.
# One round trip: number the event, keep it, publish it, count live subscribers.
_PUBLISH = """
local seq = redis.call('INCR', KEYS[1])
-- Built as text: a decode/encode round trip would turn an empty list in `data` into {}.
local event = '{"channel":' .. cjson.encode(ARGV[1]) .. ',"seq":' .. seq ..
  ',"type":' .. cjson.encode(ARGV[2]) .. ',"data":' .. ARGV[3] .. '}'
redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[4], seq .. '-0', 'e', event)
redis.call('EXPIRE', KEYS[1], ARGV[5])
redis.call('EXPIRE', KEYS[2], ARGV[5])
redis.call('PUBLISH', 'rt:ev:' .. ARGV[1], event)
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', ARGV[6])
return {seq, redis.call('ZCARD', KEYS[3])}
"""


class RedisBroker(_BrokerBase):
    def __init__(
        self, redis: Redis, *, replay_size: int = REPLAY_SIZE, ttl_s: int = 86_400
    ) -> None:
        super().__init__()
        self._redis = redis
        self._replay_size = replay_size
        self._ttl_s = ttl_s
        self._script = redis.register_script(_PUBLISH)

    async def publish(self, channel: str, type: str, data: dict[str, Any]) -> Published:
        seq, listeners = await self._script(
            keys=[f"rt:seq:{channel}", f"rt:log:{channel}", f"rt:presence:{channel}"],
            args=[
                channel,
                type,
                orjson.dumps(data),
                self._replay_size,
                self._ttl_s,
                time.time(),
            ],
        )
        return Published(int(seq), int(listeners))

    async def attach(self, subscription: Subscription) -> None:
        await self._redis.zadd(
            f"rt:presence:{subscription.channel}",
            {subscription.id: time.time() + PRESENCE_TTL_S},
        )
        await super().attach(subscription)

    async def detach(self, subscription: Subscription) -> None:
        await super().detach(subscription)
        with contextlib.suppress(*redis_failures()):
            await self._redis.zrem(f"rt:presence:{subscription.channel}", subscription.id)

    async def _current(self, channel: str) -> int:
        return int(await self._redis.get(f"rt:seq:{channel}") or 0)

    async def _replay(self, channel: str, since: int) -> list[Event | Gap]:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.get(f"rt:seq:{channel}")
            pipe.xrange(f"rt:log:{channel}", min=f"{since + 1}-0")
            current, entries = await pipe.execute()
        kept = [Event.from_json(fields[b"e"]) for _id, fields in entries]
        return _with_gap(channel, since, int(current or 0), kept)

    async def listen(self, *, retry_s: float = 1.0) -> None:
        """Route published events to this process's subscribers; runs until cancelled."""
        while True:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.psubscribe("rt:ev:*")
                    await self._catch_up()  # whatever was published while we were away
                    beat = asyncio.create_task(self._keep_presence())
                    try:
                        async for message in pubsub.listen():
                            if message.get("type") == "pmessage":
                                self._deliver(Event.from_json(message["data"]))
                    finally:
                        beat.cancel()
            except redis_failures() as exc:
                log.warning("realtime_listener_lost", error=type(exc).__name__)
                await asyncio.sleep(retry_s)

    async def _catch_up(self) -> None:
        for channel, subscriptions in list(self._subscriptions.items()):
            for subscription in list(subscriptions):
                if subscription.last >= 0:
                    for item in await self._replay(channel, subscription.last):
                        subscription.offer(item)

    async def _keep_presence(self) -> None:
        while True:
            await asyncio.sleep(PRESENCE_TTL_S / 3)
            expires = time.time() + PRESENCE_TTL_S
            for channel, subscriptions in list(self._subscriptions.items()):
                await self._redis.zadd(
                    f"rt:presence:{channel}", {s.id: expires for s in subscriptions}
                )


def publish_after_commit(
    session: AsyncSession, broker: Broker, channel: str, type: str, data: dict[str, Any]
) -> None:
    """Publish once the change is committed; a rolled-back change publishes nothing."""

    async def publish() -> None:
        await broker.publish(channel, type, data)

    after_commit(session, publish)


async def publish_or_fall_back(
    broker: Broker,
    channel: str,
    type: str,
    data: dict[str, Any],
    fallback: Callable[[], Awaitable[None]],
) -> Published:
    """Publish, and run `fallback` (typically queueing a push notification) when no device
    was listening on the channel in any process."""
    published = await broker.publish(channel, type, data)
    if published.listeners == 0:
        await fallback()
    return published


def topic_channel(app: str, topic: str) -> str:
    """A channel every signed-in member of an app may follow (an app declares its topics)."""
    return f"{app}:topic:{topic}"


def user_channel(app: str, user_id: uuid.UUID) -> str:
    """The channel of everything addressed to one user in one app (their devices listen)."""
    return f"{app}:user:{user_id}"


async def get_broker(request: Request) -> Broker:
    return request.app.state.broker  # type: ignore[no-any-return]


BrokerDep = Annotated[Broker, Depends(get_broker)]
