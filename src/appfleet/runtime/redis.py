"""One Redis client per process, with timeouts and idle health checks.

redis-py is imported when a client is made (or an error of one is caught), not at start-up: a
process without REDIS_URL never loads it, which is about a tenth of a second of a cold start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from appfleet.core.settings import RedisSettings

if TYPE_CHECKING:
    from redis.asyncio import Redis


def failures() -> tuple[type[Exception], ...]:
    """What a Redis call raises when Redis is away or refuses, for the `except` clauses of the
    Redis-backed services (evaluated only once something was raised)."""
    from redis.exceptions import RedisError

    return (RedisError, OSError)


def create_redis(settings: RedisSettings) -> Redis | None:
    if not settings.url:
        return None
    from redis.asyncio import BlockingConnectionPool, Redis

    # Blocking: a burst (a thousand sockets connecting) waits for a connection rather than
    # failing at the pool's edge; pub-sub listeners hold one each for good.
    pool = BlockingConnectionPool.from_url(
        settings.url,
        max_connections=settings.max_connections,
        timeout=settings.socket_timeout_s,
        socket_timeout=settings.socket_timeout_s,
        socket_connect_timeout=settings.socket_timeout_s,
        health_check_interval=settings.health_check_interval_s,
        client_name="appfleet",
    )
    return Redis.from_pool(pool)  # owns the pool: closing the client closes its connections
