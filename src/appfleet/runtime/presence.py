"""Presence: who is connected to a channel now, and on which screen.

Each connection joins with the user it belongs to; a user is online while any of their
connections is (a phone and a tablet are one person). Changes — a person's first connection
(join), a screen reported, their last connection gone (leave) — reach the channel's listeners
as `presence.diff` signals, live only and never in the replay log: each process gathers the
changes of a channel for up to DIFF_S and hands its listeners one diff, so a thousand people
connecting at once cost each listener a few messages, not a thousand.

In-process by default. With Redis, one hash per channel holds the connections (user, name,
screen, since), a sorted set their expiry, and a per-user count decides join and leave, each
change one Lua script that also publishes it to every process (`rt:who-ev:{channel}`). Every
process renews its connections' expiry every BEAT_S; a process that dies stops renewing, and any
other process's sweep (every SWEEP_S) removes its connections and announces the leaves within
TTL_S + SWEEP_S + DIFF_S (under 5 s).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import orjson

from appfleet.core.logging import get_logger
from appfleet.runtime.realtime import Broker
from appfleet.runtime.redis import failures as redis_failures

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = get_logger("appfleet.presence")
TTL_S = 3.0
BEAT_S = 1.0
SWEEP_S = 1.0
DIFF_S = 0.2
CHANNELS_KEY = "rt:who:channels"
DIFF = "presence.diff"


@dataclass(frozen=True, slots=True)
class Connection:
    channel: str
    id: str
    user_id: str
    name: str
    screen: str | None
    since: float
    screen_at: float = 0.0  # when `screen` was reported

    def on(self, screen: str | None, at: float) -> Connection:
        return Connection(self.channel, self.id, self.user_id, self.name, screen, self.since, at)


@dataclass(frozen=True, slots=True)
class Online:
    """One person online on a channel (their connections folded together)."""

    user_id: str
    name: str
    screen: str | None
    since: float
    connections: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "name": self.name,
            "screen": self.screen,
            "since": self.since,
            "connections": self.connections,
        }


class Presence(Protocol):
    relay: Relay

    async def join(self, connection: Connection) -> None: ...

    async def screen(self, connection: Connection, screen: str | None) -> None: ...

    async def leave(self, connection: Connection) -> None: ...

    async def online(self, channel: str) -> list[Online]: ...


def _fold(connections: list[Connection]) -> list[Online]:
    """One entry per user: the screen they reported last, online since their first join."""
    by_user: dict[str, list[Connection]] = defaultdict(list)
    for connection in connections:
        by_user[connection.user_id].append(connection)
    people = []
    for user_id, theirs in by_user.items():
        first = min(theirs, key=lambda c: c.since)
        latest = max(theirs, key=lambda c: c.screen_at)
        people.append(Online(user_id, first.name, latest.screen, first.since, len(theirs)))
    return sorted(people, key=lambda p: (p.since, p.user_id))


def _joined(connection: Connection) -> dict[str, Any]:
    return {
        "user_id": connection.user_id,
        "name": connection.name,
        "screen": connection.screen,
    }


@dataclass(slots=True)
class Diff:
    """A channel's changes since the last diff, folded per person: the last word counts
    (joined then left is a leave; a listener removing someone it never saw does nothing)."""

    joins: dict[str, dict[str, Any]] = field(default_factory=dict)
    screens: dict[str, str | None] = field(default_factory=dict)
    leaves: dict[str, None] = field(default_factory=dict)  # an ordered set

    def add(self, kind: str, data: dict[str, Any]) -> None:
        user = str(data["user_id"])
        if kind == "join":
            self.leaves.pop(user, None)
            self.screens.pop(user, None)
            self.joins[user] = data
        elif kind == "screen":
            if user in self.joins:
                self.joins[user] = {**self.joins[user], "screen": data["screen"]}
            else:
                self.screens[user] = data["screen"]
        else:
            self.joins.pop(user, None)
            self.screens.pop(user, None)
            self.leaves[user] = None

    def as_data(self) -> dict[str, Any]:
        return {
            "joins": list(self.joins.values()),
            "screens": [{"user_id": u, "screen": s} for u, s in self.screens.items()],
            "leaves": list(self.leaves),
        }


class Relay:
    """Gathers a process's presence changes per channel and hands them to the broker's local
    subscribers as one `presence.diff` per channel every `every_s`."""

    def __init__(self, broker: Broker, every_s: float = DIFF_S) -> None:
        self._broker, self._every_s = broker, every_s
        self._pending: dict[str, Diff] = {}
        self._changed = asyncio.Event()

    def add(self, channel: str, kind: str, data: dict[str, Any]) -> None:
        self._pending.setdefault(channel, Diff()).add(kind, data)
        self._changed.set()

    def flush(self) -> None:
        pending, self._pending = self._pending, {}
        self._changed.clear()
        for channel, diff in pending.items():
            self._broker.signal_here(channel, DIFF, diff.as_data())

    async def run(self) -> None:
        """Flush every `every_s` while there are changes; until cancelled."""
        while True:
            await self._changed.wait()
            await asyncio.sleep(self._every_s)
            self.flush()


class MemoryPresence:
    def __init__(self, relay: Relay) -> None:
        self.relay = relay
        self._channels: dict[str, dict[str, Connection]] = defaultdict(dict)

    def _users(self, channel: str, user_id: str) -> int:
        return sum(1 for c in self._channels[channel].values() if c.user_id == user_id)

    async def join(self, connection: Connection) -> None:
        first = self._users(connection.channel, connection.user_id) == 0
        self._channels[connection.channel][connection.id] = connection
        if first:
            self.relay.add(connection.channel, "join", _joined(connection))
        else:
            self._said_screen(connection)

    async def screen(self, connection: Connection, screen: str | None) -> None:
        here = self._channels[connection.channel]
        current = here.get(connection.id)
        if current is None or current.screen == screen:
            return
        here[connection.id] = current.on(screen, time.time())
        self._said_screen(here[connection.id])

    def _said_screen(self, connection: Connection) -> None:
        data = {"user_id": connection.user_id, "screen": connection.screen}
        self.relay.add(connection.channel, "screen", data)

    async def leave(self, connection: Connection) -> None:
        here = self._channels.get(connection.channel)
        if here is None or here.pop(connection.id, None) is None:
            return
        if not here:
            del self._channels[connection.channel]
        if self._users(connection.channel, connection.user_id) == 0:
            self.relay.add(connection.channel, "leave", {"user_id": connection.user_id})

    async def online(self, channel: str) -> list[Online]:
        return _fold(list(self._channels.get(channel, {}).values()))


# Each script publishes its change to every process as text: {"kind": ..., "data": ...}.
_SIGNAL = """
local function signal(channel, kind, data)
  redis.call('PUBLISH', 'rt:who-ev:' .. channel, '{"kind":"' .. kind .. '","data":' .. data .. '}')
end
local function gone(channel, who, exp, count, id)
  local entry = redis.call('HGET', who, id)
  if not entry then return 0 end
  redis.call('HDEL', who, id)
  redis.call('ZREM', exp, id)
  local user = cjson.decode(entry)['user_id']
  if redis.call('HINCRBY', count, user, -1) <= 0 then
    redis.call('HDEL', count, user)
    signal(channel, 'leave', cjson.encode({user_id = user}))
  end
  return 1
end
"""

# KEYS: who, exp, count, channels.
# ARGV: channel, id, user, entry (JSON), expiry, screen signal data, join signal data.
_JOIN = (
    _SIGNAL
    + """
local known = redis.call('HEXISTS', KEYS[1], ARGV[2])
redis.call('HSET', KEYS[1], ARGV[2], ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[5], ARGV[2])
redis.call('SADD', KEYS[4], ARGV[1])
if known == 1 then return 0 end
if redis.call('HINCRBY', KEYS[3], ARGV[3], 1) == 1 then
  signal(ARGV[1], 'join', ARGV[7])
else
  signal(ARGV[1], 'screen', ARGV[6])
end
return 1
"""
)

# KEYS: who. ARGV: channel, id, screen (JSON), screen signal data, now (ms).
_SCREEN = (
    _SIGNAL
    + """
local entry = redis.call('HGET', KEYS[1], ARGV[2])
if not entry then return 0 end
local value = cjson.decode(entry)
local screen = cjson.decode(ARGV[3])
if value['screen'] == screen then return 0 end
value['screen'] = screen
value['screen_at'] = tonumber(ARGV[5])
redis.call('HSET', KEYS[1], ARGV[2], cjson.encode(value))
signal(ARGV[1], 'screen', ARGV[4])
return 1
"""
)

# KEYS: who, exp, count. ARGV: channel, id.
_LEAVE = _SIGNAL + "\nreturn gone(ARGV[1], KEYS[1], KEYS[2], KEYS[3], ARGV[2])\n"

# KEYS: who, exp, count, channels. ARGV: channel, now, batch.
_SWEEP = (
    _SIGNAL
    + """
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[2], 'LIMIT', 0, ARGV[3])
for _, id in ipairs(expired) do gone(ARGV[1], KEYS[1], KEYS[2], KEYS[3], id) end
if redis.call('ZCARD', KEYS[2]) == 0 then redis.call('SREM', KEYS[4], ARGV[1]) end
return #expired
"""
)


def _keys(channel: str) -> list[str]:
    return [f"rt:who:{channel}", f"rt:who-exp:{channel}", f"rt:who-n:{channel}"]


class RedisPresence:
    def __init__(
        self,
        redis: Redis,
        relay: Relay,
        *,
        ttl_s: float = TTL_S,
        beat_s: float = BEAT_S,
        sweep_s: float = SWEEP_S,
    ) -> None:
        self._redis, self.relay = redis, relay
        self._ttl_s, self._beat_s, self._sweep_s = ttl_s, beat_s, sweep_s
        self._join = redis.register_script(_JOIN)
        self._screen = redis.register_script(_SCREEN)
        self._leave = redis.register_script(_LEAVE)
        self._sweep = redis.register_script(_SWEEP)
        self._local: dict[str, dict[str, Connection]] = defaultdict(dict)

    async def join(self, connection: Connection) -> None:
        self._local[connection.channel][connection.id] = connection
        # Whole milliseconds: Lua's cjson keeps 14 digits, too few for seconds with fractions.
        since_ms = int(connection.since * 1000)
        entry = orjson.dumps({**_joined(connection), "since": since_ms, "screen_at": since_ms})
        screen = orjson.dumps({"user_id": connection.user_id, "screen": connection.screen})
        await self._join(
            keys=[*_keys(connection.channel), CHANNELS_KEY],
            args=[
                connection.channel,
                connection.id,
                connection.user_id,
                entry,
                time.time() + self._ttl_s,
                screen,
                orjson.dumps(_joined(connection)),
            ],
        )

    async def screen(self, connection: Connection, screen: str | None) -> None:
        data = orjson.dumps({"user_id": connection.user_id, "screen": screen})
        await self._screen(
            keys=_keys(connection.channel)[:1],
            args=[
                connection.channel,
                connection.id,
                orjson.dumps(screen),
                data,
                int(time.time() * 1000),
            ],
        )

    async def leave(self, connection: Connection) -> None:
        local = self._local.get(connection.channel)
        if local is not None:
            local.pop(connection.id, None)
            if not local:
                del self._local[connection.channel]
        with contextlib.suppress(*redis_failures()):  # else the sweep will see to it
            await self._leave(
                keys=_keys(connection.channel), args=[connection.channel, connection.id]
            )

    async def online(self, channel: str) -> list[Online]:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hgetall(f"rt:who:{channel}")
            pipe.zrangebyscore(f"rt:who-exp:{channel}", time.time(), "+inf")
            entries, alive = await pipe.execute()
        live = {member.decode() if isinstance(member, bytes) else member for member in alive}
        connections = []
        for raw_id, raw in entries.items():
            key = raw_id.decode() if isinstance(raw_id, bytes) else raw_id
            if key not in live:
                continue  # expired, not yet swept
            value = orjson.loads(raw)
            connections.append(
                Connection(
                    channel,
                    key,
                    value["user_id"],
                    value.get("name", ""),
                    value.get("screen"),
                    int(value.get("since", 0)) / 1000,
                    int(value.get("screen_at", 0)) / 1000,
                )
            )
        return _fold(connections)

    async def listen(self, *, retry_s: float = 1.0) -> None:
        """Feed every process's changes to this process's relay; until cancelled."""
        while True:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.psubscribe("rt:who-ev:*")
                    async for message in pubsub.listen():
                        if message.get("type") == "pmessage":
                            channel = message["channel"]
                            if isinstance(channel, bytes):
                                channel = channel.decode()
                            change = orjson.loads(message["data"])
                            self.relay.add(
                                channel.removeprefix("rt:who-ev:"), change["kind"], change["data"]
                            )
            except redis_failures() as exc:
                log.warning("presence_listener_lost", error=type(exc).__name__)
                await asyncio.sleep(retry_s)

    async def run(self) -> None:
        """Renew this process's connections and sweep everyone's expired ones; until
        cancelled."""
        last_sweep = 0.0
        while True:
            try:
                await self._renew()
                if time.monotonic() - last_sweep >= self._sweep_s:
                    await self.sweep()
                    last_sweep = time.monotonic()
            except redis_failures() as exc:
                log.warning("presence_unavailable", error=type(exc).__name__)
            if _cancelling():
                raise asyncio.CancelledError  # swallowed by a Redis call: stop as asked
            await asyncio.sleep(self._beat_s)

    async def _renew(self) -> None:
        expires = time.time() + self._ttl_s
        channels = [(ch, list(conns.values())) for ch, conns in self._local.items() if conns]
        if not channels:
            return
        async with self._redis.pipeline(transaction=False) as pipe:
            for channel, connections in channels:
                # XX: renew only; CH: count them, to notice the ones Redis no longer has.
                members = {c.id: expires for c in connections}
                pipe.zadd(f"rt:who-exp:{channel}", members, xx=True, ch=True)
            renewed = await pipe.execute()
        for (_channel, connections), count in zip(channels, renewed, strict=True):
            if int(count) < len(connections):
                # Swept while this process was stalled, or Redis lost them: still connected,
                # so they join again (a join of a known connection announces nothing).
                for connection in connections:
                    await self.join(connection)

    async def sweep(self, batch: int = 500) -> int:
        removed = 0
        for raw in await self._redis.smembers(CHANNELS_KEY):
            channel = raw.decode() if isinstance(raw, bytes) else raw
            removed += int(
                await self._sweep(
                    keys=[*_keys(channel), CHANNELS_KEY], args=[channel, time.time(), batch]
                )
            )
        return removed


def _cancelling() -> bool:
    """Whether this task was asked to stop. redis-py can absorb a cancellation that arrives
    during a command (it tears the connection down and returns), which left a loop around it
    running on — and an app's shutdown waiting for it."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0
