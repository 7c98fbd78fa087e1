"""Realtime fan-out in memory and through Redis: ordered events with a seq per channel, replay
from `since`, a gap when the log no longer holds what was missed, live counts, and (Redis) two
brokers standing in for two processes."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from appfleet.core.database import Database, unit_of_work
from appfleet.runtime.realtime import (
    Broker,
    Event,
    Gap,
    MemoryBroker,
    RedisBroker,
    Subscription,
    publish_after_commit,
    publish_or_fall_back,
)

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["memory", "redis"])
async def brokers(request: pytest.FixtureRequest) -> AsyncIterator[tuple[Broker, Broker]]:
    """Two brokers that must see each other's events (one and the same in memory)."""
    if request.param == "memory":
        broker = MemoryBroker(replay_size=3)
        yield broker, broker
        return
    redis = Redis.from_url(request.getfixturevalue("redis_url"))
    first, second = RedisBroker(redis, replay_size=3), RedisBroker(redis, replay_size=3)
    listeners = [asyncio.create_task(b.listen()) for b in (first, second)]
    await asyncio.sleep(0.1)  # subscribed
    yield first, second
    for listener in listeners:
        listener.cancel()
    await redis.aclose()


def channel() -> str:
    return f"test:user:{uuid.uuid4()}"


async def take(subscription: Subscription, count: int) -> list[Event | Gap]:
    items: list[Event | Gap] = []
    async with asyncio.timeout(5):
        async for item in subscription:
            items.append(item)
            if len(items) == count:
                break
    return items


async def test_live_events_arrive_in_order_wherever_they_are_published(
    brokers: tuple[Broker, Broker],
) -> None:
    here, there = brokers
    name = channel()
    assert (await there.publish(name, "before", {})).listeners == 0
    async with here.subscribe(name) as subscription:
        published = [await there.publish(name, "note", {"n": n, "tags": []}) for n in range(3)]
        items = await take(subscription, 3)
    assert [p.seq for p in published] == [2, 3, 4]
    assert all(p.listeners == 1 for p in published)
    assert items == [
        Event(name, seq, "note", {"n": n, "tags": []}) for n, seq in enumerate((2, 3, 4))
    ]


async def test_a_resumed_subscription_replays_what_it_missed_then_goes_live(
    brokers: tuple[Broker, Broker],
) -> None:
    here, there = brokers
    name = channel()
    for n in range(1, 4):
        await there.publish(name, "note", {"n": n})
    async with here.subscribe(name, since=1) as subscription:
        await there.publish(name, "note", {"n": 4})
        items = await take(subscription, 3)
    assert [item.seq for item in items if isinstance(item, Event)] == [2, 3, 4]


async def test_missing_more_than_the_log_keeps_reports_a_gap_first(
    brokers: tuple[Broker, Broker],
) -> None:
    here, there = brokers
    name = channel()
    for n in range(1, 7):
        await there.publish(name, "note", {"n": n})
    async with here.subscribe(name, since=1) as subscription:
        items = await take(subscription, 4)
    assert items[0] == Gap(name, since=1, resumed_at=4)  # 2 and 3 are gone: refetch
    assert [item.seq for item in items[1:] if isinstance(item, Event)] == [4, 5, 6]

    # A client remembering more than the channel ever had (its log expired) refetches and
    # goes on from the next event.
    async with here.subscribe(name, since=50) as subscription:
        assert await take(subscription, 1) == [Gap(name, since=50, resumed_at=7)]
        await there.publish(name, "note", {"n": 7})
        assert [item.seq for item in await take(subscription, 1) if isinstance(item, Event)] == [7]


async def test_an_event_is_published_only_if_its_change_commits(database: Database) -> None:
    broker = MemoryBroker()
    name = channel()
    with pytest.raises(RuntimeError):
        async with unit_of_work(database) as session:
            publish_after_commit(session, broker, name, "rolled.back", {})
            raise RuntimeError("the change failed")
    async with unit_of_work(database) as session:
        publish_after_commit(session, broker, name, "committed", {})
    async with broker.subscribe(name, since=0) as subscription:
        [item] = await take(subscription, 1)
    assert isinstance(item, Event) and item.type == "committed" and item.seq == 1


async def test_a_redis_subscriber_catches_up_after_its_listener_reconnects(redis_url: str) -> None:
    redis = Redis.from_url(redis_url)
    here, there = RedisBroker(redis), RedisBroker(redis)
    name = channel()
    try:
        async with here.subscribe(name, since=0) as subscription:
            # Published while this process had no live pub-sub connection.
            await there.publish(name, "missed", {"n": 1})
            listener = asyncio.create_task(here.listen())
            items = await take(subscription, 1)
            listener.cancel()
    finally:
        await redis.aclose()
    assert items == [Event(name, 1, "missed", {"n": 1})]


async def test_a_publish_nobody_hears_runs_the_fallback(brokers: tuple[Broker, Broker]) -> None:
    here, there = brokers
    name = channel()
    pushed: list[str] = []

    async def push() -> None:
        pushed.append(name)

    await publish_or_fall_back(there, name, "note", {}, push)
    assert pushed == [name]  # no device listening: a push goes out instead
    async with here.subscribe(name):
        heard = await publish_or_fall_back(there, name, "note", {}, push)
    assert heard.listeners == 1 and pushed == [name]
