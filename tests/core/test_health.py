from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import httpx2
import pytest

from appfleet.core.settings import Settings
from appfleet.main import create_app
from tests.fixtures.app import serve

pytestmark = pytest.mark.anyio


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        return int(probe_socket.getsockname()[1])


async def test_liveness_does_not_need_the_database(client: httpx2.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


async def test_ready_reports_each_service(client: httpx2.AsyncClient, settings: Settings) -> None:
    response = await client.get("/health/ready")
    assert response.status_code == 200
    checks = response.json()["checks"]
    expected = {"database", "redis"} if settings.redis.url else {"database"}
    assert set(checks) == expected
    assert all(check["status"] == "ok" for check in checks.values())


async def test_ready_is_503_with_redis_down(tmp_path: Path, sqlite_url: str) -> None:
    settings = Settings(
        env="test",
        data_dir=tmp_path,
        secret_key="k" * 40,
        log={"access": False},
        database={"url": sqlite_url},
        redis={"url": f"redis://127.0.0.1:{closed_port()}/0", "socket_timeout_s": 0.5},
    )
    async with serve(create_app(settings)) as c:
        response = await c.get("/health/ready")
        assert (await c.get("/health")).status_code == 200
    assert response.status_code == 503
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == "SERVICE_UNAVAILABLE"
    assert error["message"] == "Not ready: redis"
    assert error["details"]["database"]["status"] == "ok"
    assert error["details"]["redis"]["status"] in {"down", "timeout"}


async def test_ready_is_503_with_postgres_down(tmp_path: Path) -> None:
    settings = Settings(
        env="test",
        data_dir=tmp_path,
        secret_key="k" * 40,
        log={"access": False},
        database={
            "url": f"postgresql://appfleet@127.0.0.1:{closed_port()}/none",
            "connect_timeout_s": 1,
        },
    )
    async with serve(create_app(settings)) as c:  # starts although the database is away
        response = await c.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["error"]["details"]["database"]["status"] in {"down", "timeout"}
