"""One Redis client per process, with timeouts and idle health checks."""

from __future__ import annotations

from redis.asyncio import BlockingConnectionPool, Redis

from appfleet.core.settings import RedisSettings


def create_redis(settings: RedisSettings) -> Redis | None:
    if not settings.url:
        return None
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
