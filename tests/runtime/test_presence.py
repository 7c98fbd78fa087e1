"""Presence in memory and through Redis: a person is online while any of their connections
is, listeners hear joins, screens and leaves as diffs (live only, a crowd folded into a few),
and (Redis) a process that dies without saying goodbye has its people leave when its entries
expire."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from redis.asyncio import Redis

from appfleet.runtime.presence import (
    Connection,
    Diff,
    MemoryPresence,
    Presence,
    RedisPresence,
    Relay,
)
from appfleet.runtime.realtime import Broker, Event, MemoryBroker, RedisBroker, Subscription

pytestmark = pytest.mark.anyio


@dataclass
class Side:
    """One process: its broker and its presence."""

    broker: Broker
    presence: Presence


@pytest.fixture(params=["memory", "redis"])
async def sides(request: pytest.FixtureRequest) -> AsyncIterator[tuple[Side, Side]]:
    tasks: list[asyncio.Task[None]] = []
    if request.param == "memory":
        broker = MemoryBroker()
        relay = Relay(broker, every_s=0.05)
        tasks.append(asyncio.create_task(relay.run()))
        side = Side(broker, MemoryPresence(relay))
        yield side, side
    else:
        redis = Redis.from_url(request.getfixturevalue("redis_url"))
        pair = []
        for _ in range(2):
            broker = RedisBroker(redis)
            presence = RedisPresence(redis, Relay(broker, every_s=0.05))
            tasks += [
                asyncio.create_task(presence.listen()),
                asyncio.create_task(presence.relay.run()),
            ]
            pair.append(Side(broker, presence))
        await asyncio.sleep(0.1)  # subscribed
        yield pair[0], pair[1]
    await stop(tasks)
    if request.param == "redis":
        await redis.aclose()


async def stop(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def connection(channel: str, user: str, screen: str | None = "feed") -> Connection:
    now = time.time()
    return Connection(channel, uuid.uuid4().hex, user, user.title(), screen, now, now)


async def next_diff(subscription: Subscription, wait_s: float = 5) -> dict[str, Any]:
    async with asyncio.timeout(wait_s):
        async for item in subscription:
            assert isinstance(item, Event) and (item.type, item.seq) == ("presence.diff", 0)
            return item.data
    raise AssertionError("the subscription ended")


def test_a_diff_keeps_each_persons_last_word() -> None:
    diff = Diff()
    diff.add("join", {"user_id": "ann", "name": "Ann", "screen": "feed"})
    diff.add("screen", {"user_id": "ann", "screen": "goals"})  # folded into her join
    diff.add("screen", {"user_id": "bob", "screen": "search"})
    diff.add("join", {"user_id": "cy", "name": "Cy", "screen": None})
    diff.add("leave", {"user_id": "cy"})  # came and went: a leave, nothing else
    diff.add("leave", {"user_id": "dee"})
    diff.add("join", {"user_id": "dee", "name": "Dee", "screen": None})  # left and came back
    assert diff.as_data() == {
        "joins": [
            {"user_id": "ann", "name": "Ann", "screen": "goals"},
            {"user_id": "dee", "name": "Dee", "screen": None},
        ],
        "screens": [{"user_id": "bob", "screen": "search"}],
        "leaves": ["cy"],
    }


async def test_people_join_change_screens_and_leave(sides: tuple[Side, Side]) -> None:
    here, there = sides
    channel = f"test:topic:{uuid.uuid4().hex}"
    async with there.broker.subscribe(channel) as heard:
        await here.presence.join(phone := connection(channel, "ann"))
        joined = await next_diff(heard)
        assert joined == {
            "joins": [{"user_id": "ann", "name": "Ann", "screen": "feed"}],
            "screens": [],
            "leaves": [],
        }
        await here.presence.join(tablet := connection(channel, "ann", "goals"))
        assert (await next_diff(heard))["screens"] == [{"user_id": "ann", "screen": "goals"}]
        await there.presence.join(bob := connection(channel, "bob", None))
        assert [j["user_id"] for j in (await next_diff(heard))["joins"]] == ["bob"]
        await here.presence.screen(phone, "search")
        await here.presence.screen(phone, "search")  # no change, nothing said
        assert (await next_diff(heard))["screens"] == [{"user_id": "ann", "screen": "search"}]
        await here.presence.leave(phone)  # the tablet is still connected: no change
        await here.presence.leave(tablet)
        assert await next_diff(heard) == {"joins": [], "screens": [], "leaves": ["ann"]}
    [left] = await there.presence.online(channel)
    assert (left.user_id, left.name, left.screen, left.connections) == ("bob", "Bob", None, 1)
    await there.presence.leave(bob)
    assert await here.presence.online(channel) == []
    # Presence is never in the replay log.
    assert await here.broker.history(channel, 0) == []


async def test_a_crowd_arriving_at_once_is_a_few_messages(sides: tuple[Side, Side]) -> None:
    here, there = sides
    channel = f"test:topic:{uuid.uuid4().hex}"
    async with there.broker.subscribe(channel) as heard:
        for n in range(300):
            await here.presence.join(connection(channel, f"u{n}"))
        seen: set[str] = set()
        messages = 0
        while len(seen) < 300:
            seen |= {j["user_id"] for j in (await next_diff(heard))["joins"]}
            messages += 1
    assert messages <= 5
    assert len(await there.presence.online(channel)) == 300


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
    channel = f"test:topic:{uuid.uuid4().hex}"
    timing = {"ttl_s": 0.6, "beat_s": 0.1, "sweep_s": 0.1}
    dying = RedisPresence(redis, Relay(MemoryBroker()), **timing)
    alive = RedisPresence(redis, Relay(broker, every_s=0.05), **timing)
    tasks = [asyncio.create_task(t) for t in (alive.run(), alive.listen(), alive.relay.run())]
    await asyncio.sleep(0.1)
    try:
        async with broker.subscribe(channel) as heard:
            await dying.join(connection(channel, "ann"))  # this process renews nothing
            await alive.join(connection(channel, "bob"))
            started = time.monotonic()
            seen: dict[str, Any] = {"joins": [], "leaves": []}
            while "ann" not in seen["leaves"]:
                diff = await next_diff(heard)
                seen["joins"] += [j["user_id"] for j in diff["joins"]]
                seen["leaves"] += diff["leaves"]
        assert sorted(seen["joins"]) == ["ann", "bob"] and seen["leaves"] == ["ann"]
        assert time.monotonic() - started < 0.6 + 0.5
        await asyncio.sleep(1.0)  # well past the TTL: Bob's process keeps him online
        assert [p.user_id for p in await alive.online(channel)] == ["bob"]
    finally:
        await stop(tasks)
        await redis.aclose()


async def test_a_connection_redis_lost_joins_again(redis_url: str) -> None:
    redis = Redis.from_url(redis_url)
    channel = f"test:topic:{uuid.uuid4().hex}"
    presence = RedisPresence(redis, Relay(MemoryBroker()), ttl_s=5, beat_s=0.1, sweep_s=0.1)
    await presence.join(connection(channel, "ann"))
    await redis.delete(f"rt:who:{channel}", f"rt:who-exp:{channel}", f"rt:who-n:{channel}")
    assert await presence.online(channel) == []
    # The beat starts only now: started before, it could rejoin her between delete and read.
    running = asyncio.create_task(presence.run())
    try:
        await asyncio.sleep(0.4)
        assert [p.user_id for p in await presence.online(channel)] == ["ann"]
    finally:
        await stop([running])
        await redis.aclose()
