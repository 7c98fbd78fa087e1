"""Steps of using Lowkey Mode, shared by its tests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx2
from fastapi import FastAPI

from tests.fixtures.accounts import bearer, log_in, register
from tests.fixtures.admins import grant

LK = "/api/v1/lowkeymode"


async def person(
    client: httpx2.AsyncClient, email: str = "ann@example.com", **extra: Any
) -> dict[str, str]:
    tokens = await register(client, app="lowkeymode", email=email, **extra)
    return bearer(tokens["access_token"])


async def guest(client: httpx2.AsyncClient) -> dict[str, str]:
    response = await client.post(f"{LK}/auth/anonymous")
    assert response.status_code == 201, response.text
    return bearer(response.json()["access_token"])


async def make_admin(app: FastAPI, email: str) -> None:
    await grant(app, email)


async def score(
    client: httpx2.AsyncClient, auth: dict[str, str], db_level: int, at: datetime
) -> httpx2.Response:
    return await client.post(
        f"{LK}/quiet-score",
        json={"db_level": db_level, "recorded_at": at.isoformat()},
        headers=auth,
    )


async def signed_in(client: httpx2.AsyncClient, email: str = "ann@example.com") -> dict[str, str]:
    """A fresh token (after the clock moved past the last one's expiry)."""
    response = await log_in(client, app="lowkeymode", email=email)
    assert response.status_code == 200, response.text
    return bearer(response.json()["access_token"])
