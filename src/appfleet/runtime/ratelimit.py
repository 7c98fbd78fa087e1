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
from typing import Any, Protocol

from fastapi import Depends, Request
from prometheus_client import Counter
from redis.asyncio import Redis
from redis.exceptions import RedisError

from appfleet.core.clock import Clock
from appfleet.core.errors import RateLimited
from appfleet.core.http import add_response_headers
from appfleet.core.logging import get_logger

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


class RateLimiter(Protocol):
    async def hit(self, key: str, limit: int, period_s: float) -> Decision: ...


class MemoryRateLimiter:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._tat: dict[str, float] = {}

    async def hit(self, key: str, limit: int, period_s: float) -> Decision:
        now = self._clock.now().timestamp()
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
    state = request.scope["state"]
    # Several limits may apply (per IP and per email): the headers describe the tightest.
    if decision.remaining <= state.get("ratelimit_remaining", decision.remaining):
        state["ratelimit_remaining"] = decision.remaining
        add_response_headers(request.scope, limit_headers(decision))
    if not decision.allowed:
        retry_after = max(1, math.ceil(decision.retry_after_s))
        raise RateLimited(
            f"Too many requests; try again in {retry_after} s",
            details={"limit": limit, "period_s": period_s, "retry_after_s": retry_after},
            headers={"Retry-After": str(retry_after)},
        )


def per_ip(name: str, limit: Callable[[Request], int], period_s: float = 60.0) -> Any:
    """A route dependency allowing `limit(request)` requests per `period_s` from one IP, per app
    (the limit is read per request so it can come from settings)."""

    async def dependency(request: Request) -> None:
        ip = request.client.host if request.client else "unknown"
        app = request.scope["state"].get("app")
        key = f"ratelimit:{ip}:{app}:{name}"
        await enforce(request, request.app.state.limiter, key, limit(request), period_s)

    return Depends(dependency)


# One round trip, atomic: the same GCRA as MemoryRateLimiter, on a key every process shares.
# Times travel as strings because Redis truncates Lua numbers to integers on the way out.
_GCRA = """
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local period = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or ARGV[1])
if tat < now then tat = now end
local new_tat = tat + interval
local allow_at = new_tat - period
if now < allow_at then
  return {0, 0, tostring(allow_at - now), tostring(tat - now)}
end
redis.call('SET', KEYS[1], tostring(new_tat), 'PX', math.ceil((new_tat - now) * 1000))
local remaining = math.floor((period - (new_tat - now)) / interval + 1e-9)
return {1, remaining, '0', tostring(new_tat - now)}
"""


class RedisRateLimiter:
    """GCRA in Redis, shared by every API process. When Redis cannot answer, requests are let
    through (the API keeps serving), the failure is logged and counted, and readiness shows
    Redis down."""

    def __init__(self, redis: Redis, clock: Clock) -> None:
        self._clock = clock
        self._script = redis.register_script(_GCRA)

    async def hit(self, key: str, limit: int, period_s: float) -> Decision:
        now = self._clock.now().timestamp()
        try:
            allowed, remaining, retry_after, reset_after = await self._script(
                keys=[key], args=[repr(now), repr(period_s / limit), repr(period_s)]
            )
        except (RedisError, OSError) as exc:
            DEGRADED.inc()
            log.warning("ratelimit_unavailable", key=key, error=type(exc).__name__)
            return Decision(True, limit, limit, 0.0, 0.0)
        return Decision(
            bool(allowed), limit, int(remaining), float(retry_after), float(reset_after)
        )
