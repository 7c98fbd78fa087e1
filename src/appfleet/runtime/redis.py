"""One Redis client per process, with timeouts and idle health checks."""

from __future__ import annotations

from redis.asyncio import Redis

from appfleet.core.settings import RedisSettings


def create_redis(settings: RedisSettings) -> Redis | None:
    if not settings.url:
        return None
    return Redis.from_url(
        settings.url,
        socket_timeout=settings.socket_timeout_s,
        socket_connect_timeout=settings.socket_timeout_s,
        health_check_interval=settings.health_check_interval_s,
        client_name="appfleet",
    )
