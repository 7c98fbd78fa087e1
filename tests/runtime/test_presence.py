"""Presence in memory and through Redis: a person is online while any of their connections
is, listeners hear join, screen and leave as signals (outside the replay log), and (Redis) a
process that dies without saying goodbye has its people leave when its entries expire."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from redis.asyncio import Redis

from appfleet.runtime.presence import Connection, MemoryPresence, Presence, RedisPresence
from appfleet.runtime.realtime import Broker, Event, Gap, MemoryBroker, RedisBroker, Subscription

pytestmark = pytest.mark.anyio


@dataclass
class Side:
    """One process: its broker and its presence."""

    broker: Broker
    presence: Presence


@pytest.fixture(params=["memory", "redis"])
async def sides(request: pytest.FixtureRequest) -> AsyncIterator[tuple[Side, Side]]:
    if request.param == "memory":
        broker = MemoryBroker()
        side = Side(broker, MemoryPresence(broker))
        yield side, side
        return
    redis = Redis.from_url(request.getfixturevalue("redis_url"))
    brokers = (RedisBroker(redis), RedisBroker(redis))
    listeners = [asyncio.create_task(b.listen()) for b in brokers]
    await asyncio.sleep(0.1)
    yield Side(brokers[0], RedisPresence(redis)), Side(brokers[1], RedisPresence(redis))
    for listener in listeners:
        listener.cancel()
    await redis.aclose()


def connection(channel: str, user: str, screen: str | None = "feed") -> Connection:
    now = time.time()
    return Connection(channel, uuid.uuid4().hex, user, user.title(), screen, now, now)


async def signals(subscription: Subscription, count: int, wait_s: float = 5) -> list[Event]:
    got: list[Event] = []
    async with asyncio.timeout(wait_s):
        async for item in subscription:
            assert not isinstance(item, Gap)
            got.append(item)
            if len(got) == count:
                break
    return got


async def test_people_join_change_screens_and_leave(sides: tuple[Side, Side]) -> None:
    here, there = sides
    channel = f"test:topic:{uuid.uuid4().hex}"
    async with there.broker.subscribe(channel) as heard:
        phone = connection(channel, "ann")
        tablet = connection(channel, "ann", "goals")
        await here.presence.join(phone)
        await here.presence.join(tablet)  # Ann again: not a second person
        await there.presence.join(bob := connection(channel, "bob", None))
        await here.presence.screen(phone, "search")
        await here.presence.screen(phone, "search")  # no change, no signal
        await here.presence.leave(phone)  # the tablet is still connected
        await here.presence.leave(tablet)
        got = await signals(heard, 5)
    assert [(e.type, e.seq) for e in got] == [
        ("presence.join", 0),
        ("presence.screen", 0),
        ("presence.join", 0),
        ("presence.screen", 0),
        ("presence.leave", 0),
    ]
    assert got[0].data == {"user_id": "ann", "name": "Ann", "screen": "feed"}
    assert got[1].data == {"user_id": "ann", "screen": "goals"}
    assert got[3].data == {"user_id": "ann", "screen": "search"}
    assert got[4].data == {"user_id": "ann"}
    [left] = await there.presence.online(channel)
    assert (left.user_id, left.name, left.screen, left.connections) == ("bob", "Bob", None, 1)
    await there.presence.leave(bob)
    assert await here.presence.online(channel) == []
    # Signals are not kept: a replay from the start finds nothing.
    assert await here.broker.history(channel, 0) == []


async def test_the_listing_folds_connections_into_people(sides: tuple[Side, Side]) -> None:
    here, there = sides
    channel = f"test:topic:{uuid.uuid4().hex}"
    phone, tablet = connection(channel, "ann"), connection(channel, "ann", "goals")
    await here.presence.join(phone)
    await there.presence.join(tablet)
    await here.presence.screen(phone, "search")  # reported last: her screen now
    await there.presence.join(connection(channel, "cy"))
    people = await here.presence.online(channel)
    assert [(p.user_id, p.screen, p.connections) for p in people] == [
        ("ann", "search", 2),
        ("cy", "feed", 1),
    ]
    assert people[0].since == pytest.approx(phone.since, abs=0.002)  # since her first one


async def test_a_dead_process_has_its_people_leave_within_seconds(redis_url: str) -> None:
    redis = Redis.from_url(redis_url)
    broker = RedisBroker(redis)
    listening = asyncio.create_task(broker.listen())
    await asyncio.sleep(0.1)
    channel = f"test:topic:{uuid.uuid4().hex}"
    dying = RedisPresence(redis, ttl_s=0.6, beat_s=0.1, sweep_s=0.1)
    alive = RedisPresence(redis, ttl_s=0.6, beat_s=0.1, sweep_s=0.1)
    running = asyncio.create_task(alive.run())
    try:
        async with broker.subscribe(channel) as heard:
            await dying.join(connection(channel, "ann"))  # this process renews nothing
            await alive.join(connection(channel, "bob"))
            started = time.monotonic()
            joined_ann, joined_bob, left = await signals(heard, 3)
        assert (joined_ann.type, joined_bob.type) == ("presence.join", "presence.join")
        assert (left.type, left.data) == ("presence.leave", {"user_id": "ann"})
        assert time.monotonic() - started < 0.6 + 0.5
        await asyncio.sleep(1.0)  # well past the TTL: Bob's process keeps him online
        assert [p.user_id for p in await alive.online(channel)] == ["bob"]
    finally:
        running.cancel()
        listening.cancel()
        await redis.aclose()


async def test_a_connection_redis_lost_joins_again(redis_url: str) -> None:
    redis = Redis.from_url(redis_url)
    channel = f"test:topic:{uuid.uuid4().hex}"
    presence = RedisPresence(redis, ttl_s=5, beat_s=0.1, sweep_s=0.1)
    running = asyncio.create_task(presence.run())
    try:
        await presence.join(connection(channel, "ann"))
        await redis.delete(f"rt:who:{channel}", f"rt:who-exp:{channel}", f"rt:who-n:{channel}")
        assert await presence.online(channel) == []
        await asyncio.sleep(0.4)
        assert [p.user_id for p in await presence.online(channel)] == ["ann"]
    finally:
        running.cancel()
        await redis.aclose()
