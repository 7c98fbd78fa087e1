"""Rate limiting with GCRA (the generic cell rate algorithm).

GCRA keeps one number per key — the theoretical arrival time of the next request — and allows
`limit` requests per `period` with no fixed-window edge where twice the limit gets through.
`MemoryRateLimiter` serves one process; `RedisRateLimiter` runs the same arithmetic in a Lua
script so every API process shares one count.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from fastapi import Depends, Request
from prometheus_client import Counter
from starlette.types import ASGIApp, Receive, Scope, Send

from appfleet.core.clock import Clock
from appfleet.core.errors import RateLimited
from appfleet.core.http import add_response_headers, error_response, request_id_of
from appfleet.core.logging import get_logger
from appfleet.core.settings import RateLimitSettings
from appfleet.runtime.limits import LimitBook
from appfleet.runtime.periodic import Periodic
from appfleet.runtime.redis import failures as redis_failures

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = get_logger("appfleet.ratelimit")
DEGRADED = Counter(
    "appfleet_ratelimit_unavailable",
    "Rate-limit checks let through because the shared limiter (Redis) did not answer.",
)

_SWEEP_AT = 50_000


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    retry_after_s: float
    reset_after_s: float


Check = tuple[str, int, float]  # key, limit, period in seconds


class RateLimiter(Protocol):
    async def hit(self, key: str, limit: int, period_s: float) -> Decision: ...

    async def hit_all(self, checks: list[Check]) -> list[Decision]:
        """Count one request against each key in turn, stopping at the first refusal (the
        keys before it stay counted, as separate `hit`s would leave them): the decisions
        up to and including that refusal."""
        ...


async def hit_in_turn(limiter: RateLimiter, checks: list[Check]) -> list[Decision]:
    """`hit_all` as one `hit` after another (limiters that answer in process)."""
    decisions = []
    for key, limit, period_s in checks:
        decisions.append(decision := await limiter.hit(key, limit, period_s))
        if not decision.allowed:
            break
    return decisions


class MemoryRateLimiter:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._tat: dict[str, float] = {}

    async def hit(self, key: str, limit: int, period_s: float) -> Decision:
        now = self._clock.timestamp()
        interval = period_s / limit
        tat = max(self._tat.get(key, now), now)
        new_tat = tat + interval
        allow_at = new_tat - period_s
        if now < allow_at:
            return Decision(False, limit, 0, allow_at - now, tat - now)
        self._tat[key] = new_tat
        if len(self._tat) > _SWEEP_AT:
            self._sweep(now)
        remaining = math.floor((period_s - (new_tat - now)) / interval + 1e-9)
        return Decision(True, limit, max(0, remaining), 0.0, new_tat - now)

    async def hit_all(self, checks: list[Check]) -> list[Decision]:
        return await hit_in_turn(self, checks)

    def raise_to(self, key: str, tat: float) -> None:
        """Adopt a shared arrival time when it is later than ours (SyncedRateLimiter)."""
        if tat > self._tat.get(key, 0.0):
            self._tat[key] = tat

    def _sweep(self, now: float) -> None:
        # Keys whose arrival time has passed are back at a full allowance: forget them.
        self._tat = {key: tat for key, tat in self._tat.items() if tat > now}


def limit_headers(decision: Decision) -> dict[str, str]:
    return {
        "X-RateLimit-Limit": str(decision.limit),
        "X-RateLimit-Remaining": str(decision.remaining),
    }


async def enforce(
    request: Request, limiter: RateLimiter, key: str, limit: int, period_s: float
) -> None:
    """Count one request against `key`; RateLimited (429) when over. Either way the response
    carries the X-RateLimit headers."""
    decision = await limiter.hit(key, limit, period_s)
    note_decision(request.scope, decision)
    if not decision.allowed:
        raise refusal(decision, period_s)


async def enforce_named(request: Request, key: str, name: str) -> None:
    """`enforce` with the limit named `name` as it stands for this app (an override made at run
    time, else `[ratelimit]`), unless limits are off."""
    await enforce_all_named(request, [(key, name)])


async def enforce_all_named(request: Request, limits: list[tuple[str, str]]) -> None:
    """`enforce_named` for several (key, limit name) pairs in one round trip to the limiter,
    in order: the first refusal raises RateLimited."""
    state = request.app.state
    settings: RateLimitSettings = state.settings.ratelimit
    if not settings.enabled:
        return
    app = request.scope["state"].get("app")
    checks: list[Check] = []
    for key, name in limits:
        rate = await state.limits.rate(app, name)
        if rate is not None:
            checks.append((f"{key}:{name}", rate.limit, rate.period_s))
    if not checks:
        return
    limiter: RateLimiter = state.limiter
    for decision, (_, _, period_s) in zip(await limiter.hit_all(checks), checks, strict=False):
        note_decision(request.scope, decision)
        if not decision.allowed:
            raise refusal(decision, period_s)


def note_decision(scope: Scope, decision: Decision) -> None:
    state = scope["state"]
    # Several limits may apply (per IP and per email): the headers describe the tightest.
    if decision.remaining <= state.get("ratelimit_remaining", decision.remaining):
        state["ratelimit_remaining"] = decision.remaining
        add_response_headers(scope, limit_headers(decision))


def refusal(decision: Decision, period_s: float) -> RateLimited:
    retry_after = max(1, math.ceil(decision.retry_after_s))
    return RateLimited(
        f"Too many requests; try again in {retry_after} s",
        details={"limit": decision.limit, "period_s": period_s, "retry_after_s": retry_after},
        headers={"Retry-After": str(retry_after)},
    )


def client_ip(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def ip_key(scope: Scope) -> str:
    """The key of a route limit counted per IP and app (`per_ip`)."""
    return f"ratelimit:ip:{client_ip(scope)}:{scope['state'].get('app')}"


def per_ip(name: str) -> Any:
    """A route dependency: the limit named `name` in settings, per IP and app."""

    async def dependency(request: Request) -> None:
        await enforce_named(request, ip_key(request.scope), name)

    return Depends(dependency)


Identify = Callable[[Scope, str], str | None]


class DefaultLimitMiddleware:
    """Every request to an app counts against its caller's default limit — per user when it
    carries a valid access token, else per IP — and against the app's overall cap when one is
    set. Route limits (login, AI, uploads) apply on top, as dependencies."""

    def __init__(self, app: ASGIApp, *, identify: Identify) -> None:
        self.app = app
        self.identify = identify

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app_name = scope["state"].get("app") if scope["type"] == "http" else None
        fleet = scope.get("app")
        if app_name is None or fleet is None:
            await self.app(scope, receive, send)
            return
        state = fleet.state
        settings: RateLimitSettings = state.settings.ratelimit
        if not settings.enabled:
            await self.app(scope, receive, send)
            return
        user = self.identify(scope, app_name)
        if user is not None:
            key, name = f"ratelimit:user:{user}:{app_name}:default", "authenticated"
        else:
            key, name = f"ratelimit:ip:{client_ip(scope)}:{app_name}:default", "anonymous"
        limits: LimitBook = state.limits
        checks = [(key, await limits.rate(app_name, name))]
        if (whole_app := await limits.rate(app_name, "per_app")) is not None:
            checks.append((f"ratelimit:app:{app_name}", whole_app))
        limiter: RateLimiter = state.default_limiter
        for check_key, rate in checks:
            if rate is None:
                continue
            decision = await limiter.hit(check_key, rate.limit, rate.period_s)
            note_decision(scope, decision)
            if not decision.allowed:
                refused = refusal(decision, rate.period_s)
                response = error_response(refused, request_id_of(scope))
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


# One round trip, atomic: the same GCRA as MemoryRateLimiter, on keys every process shares,
# each in turn until one refuses. ARGV: now, then (interval, period) per key. Answers one
# {allowed, remaining, retry_after, reset_after} per key it reached. Times travel as strings
# because Redis truncates Lua numbers to integers on the way out.
_GCRA = """
local now = tonumber(ARGV[1])
local out = {}
for i, key in ipairs(KEYS) do
  local interval = tonumber(ARGV[i * 2])
  local period = tonumber(ARGV[i * 2 + 1])
  local tat = tonumber(redis.call('GET', key) or ARGV[1])
  if tat < now then tat = now end
  local new_tat = tat + interval
  local allow_at = new_tat - period
  if now < allow_at then
    out[i] = {0, 0, tostring(allow_at - now), tostring(tat - now)}
    return out
  end
  -- At least 1 ms: with a huge limit the interval can vanish beside `now` in a double.
  redis.call('SET', key, tostring(new_tat), 'PX', math.max(1, math.ceil((new_tat - now) * 1000)))
  local remaining = math.floor((period - (new_tat - now)) / interval + 1e-9)
  out[i] = {1, remaining, '0', tostring(new_tat - now)}
end
return out
"""


class RedisRateLimiter:
    """GCRA in Redis, shared by every API process. When Redis cannot answer, requests are let
    through (the API keeps serving), the failure is logged and counted, and readiness shows
    Redis down."""

    def __init__(self, redis: Redis, clock: Clock) -> None:
        self._clock = clock
        self._script = redis.register_script(_GCRA)

    async def hit(self, key: str, limit: int, period_s: float) -> Decision:
        return (await self.hit_all([(key, limit, period_s)]))[0]

    async def hit_all(self, checks: list[Check]) -> list[Decision]:
        args = [repr(self._clock.timestamp())]
        for _, limit, period_s in checks:
            args += [repr(period_s / limit), repr(period_s)]
        try:
            answers = await self._script(keys=[key for key, _, _ in checks], args=args)
        except redis_failures() as exc:
            return [self._unavailable(key, limit, exc) for key, limit, _ in checks]
        return [
            _decision(limit, answer) for (_, limit, _), answer in zip(checks, answers, strict=False)
        ]

    @staticmethod
    def _unavailable(key: str, limit: int, exc: BaseException) -> Decision:
        DEGRADED.inc()
        log.warning("ratelimit_unavailable", key=key, error=type(exc).__name__)
        return Decision(True, limit, limit, 0.0, 0.0)


def _decision(limit: int, answer: list[Any]) -> Decision:
    allowed, remaining, retry_after, reset_after = answer
    return Decision(bool(allowed), limit, int(remaining), float(retry_after), float(reset_after))


# KEYS: the keys to account. ARGV: now, then (interval, count, first arrival) per key. Adds
# `count` arrivals, from the first one's time on, to each key's shared GCRA state (they have
# happened: they count even past the limit) and answers each key's new arrival time as a string.
_GCRA_ACCOUNT = """
local now = tonumber(ARGV[1])
local out = {}
for i, key in ipairs(KEYS) do
  local interval = tonumber(ARGV[i * 3 - 1])
  local count = tonumber(ARGV[i * 3])
  local first = tonumber(ARGV[i * 3 + 1])
  local tat = tonumber(redis.call('GET', key) or ARGV[i * 3 + 1])
  if tat < first then tat = first end
  local new_tat = tat + interval * count
  if count > 0 and new_tat > now then
    redis.call('SET', key, tostring(new_tat), 'PX', math.ceil((new_tat - now) * 1000))
  end
  out[i] = tostring(new_tat)
end
return out
"""


class SyncedRateLimiter:
    """The default per-caller limits when scaled: decided in process, shared within `sync_s`.

    A round trip per request would halve what an API process serves (measured: bench/README.md),
    so each process decides with its own GCRA and, every `sync_s`, adds what it let through to
    the shared state in Redis (one script for every key touched) and adopts the shared arrival
    time. The long-run rate is the shared one; a burst spread over several processes within one
    interval can pass up to one limit per process before each sees the others. Route limits
    that guard something (login, AI, uploads) use the exact `RedisRateLimiter` instead.
    """

    def __init__(self, redis: Redis, clock: Clock, *, sync_s: float = 0.1) -> None:
        self._clock = clock
        self._local = MemoryRateLimiter(clock)
        self._script = redis.register_script(_GCRA_ACCOUNT)
        # key -> (interval, arrivals let through, time of the first one)
        self._pending: dict[str, tuple[float, int, float]] = {}
        self._periodic = Periodic(self.sync, sync_s, "ratelimit_sync")

    async def hit(self, key: str, limit: int, period_s: float) -> Decision:
        decision = await self._local.hit(key, limit, period_s)
        # A refused key is synced too (with nothing to add), to learn when others let it go.
        if (pending := self._pending.get(key)) is None:
            pending = (period_s / limit, 0, self._clock.timestamp())
        self._pending[key] = (pending[0], pending[1] + decision.allowed, pending[2])
        return decision

    async def hit_all(self, checks: list[Check]) -> list[Decision]:
        return await hit_in_turn(self, checks)

    async def sync(self) -> None:
        """Account what this process let through since the last sync, adopt the shared state."""
        pending, self._pending = self._pending, {}
        if not pending:
            return
        keys = list(pending)
        args: list[str] = [repr(self._clock.timestamp())]
        for key in keys:
            interval, count, first = pending[key]
            args += [repr(interval), str(count), repr(first)]
        try:
            tats = await self._script(keys=keys, args=args)
        except redis_failures() as exc:
            DEGRADED.inc()
            log.warning("ratelimit_sync_failed", keys=len(keys), error=type(exc).__name__)
            return  # each process goes on with its own count until Redis is back
        for key, tat in zip(keys, tats, strict=True):
            self._local.raise_to(key, float(tat))

    async def run(self) -> None:
        """Sync every `sync_s` until `stop()`, then once more (nothing counted is dropped)."""
        await self._periodic.run()

    def stop(self) -> None:
        self._periodic.stop()
