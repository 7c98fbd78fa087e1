from __future__ import annotations

import socket
import uuid
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


async def test_with_redis_down_ready_reports_it_degraded_and_the_api_keeps_serving(
    tmp_path: Path, sqlite_url: str
) -> None:
    settings = Settings(
        env="test",
        data_dir=tmp_path,
        secret_key="k" * 40,
        log={"access": False},
        database={"url": sqlite_url},
        redis={"url": f"redis://127.0.0.1:{closed_port()}/0", "socket_timeout_s": 0.5},
        jobs={"embedded_worker": False},
    )
    async with serve(create_app(settings)) as c:
        response = await c.get("/health/ready")
        email = f"{uuid.uuid4().hex[:8]}@example.com"
        # Limits fail open, the profile cache misses, revocations use what is known.
        body = {"email": email, "password": "correct horse battery", "name": "Ann"}
        registered = await c.post("/api/v1/corpfinity/auth/register", json=body)
        assert registered.status_code == 201, registered.text
        token = registered.json()["access_token"]
        me = await c.get(
            "/api/v1/corpfinity/users/me", headers={"Authorization": f"Bearer {token}"}
        )
        assert me.status_code == 200 and me.json()["email"] == email
    assert response.status_code == 200
    report: dict[str, Any] = response.json()
    assert (report["status"], report["degraded"]) == ("degraded", ["redis"])
    assert report["checks"]["database"]["status"] == "ok"
    assert report["checks"]["redis"]["status"] in {"down", "timeout"}


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
