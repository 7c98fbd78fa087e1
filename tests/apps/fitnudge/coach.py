"""Steps of using FitNudge, shared by its tests."""

from __future__ import annotations

from typing import Any

import httpx2
from fastapi import FastAPI

from tests.fixtures.accounts import bearer, log_in, member_of
from tests.platform.billing.flows import press, settle

FN = "/api/v1/fitnudge"


async def athlete(
    client: httpx2.AsyncClient, email: str = "ann@example.com", timezone: str = "UTC"
) -> dict[str, str]:
    return await member_of(client, "fitnudge", email, timezone)


async def signed_in(client: httpx2.AsyncClient, email: str = "ann@example.com") -> dict[str, str]:
    response = await log_in(client, app="fitnudge", email=email)
    assert response.status_code == 200, response.text
    return bearer(response.json()["access_token"])


async def goal(
    client: httpx2.AsyncClient,
    auth: dict[str, str],
    title: str = "Gym",
    frequency: int = 3,
    **extra: Any,
) -> dict[str, Any]:
    response = await client.post(
        f"{FN}/goals", json={"title": title, "frequency": frequency, **extra}, headers=auth
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def check_in(
    client: httpx2.AsyncClient,
    auth: dict[str, str],
    goal_id: str,
    status: str = "done",
    **extra: Any,
) -> httpx2.Response:
    return await client.post(
        f"{FN}/goals/{goal_id}/checkins", json={"status": status, **extra}, headers=auth
    )


async def subscribe(
    client: httpx2.AsyncClient, app: FastAPI, auth: dict[str, str], plan: str = "pro"
) -> None:
    """Pay for a plan through the sandbox checkout, as the phone's browser would."""
    started = await client.post(f"{FN}/billing/checkout-session", json={"plan": plan}, headers=auth)
    assert started.status_code == 201, started.text
    assert (await press(client, started.json()["url"], "pay")).status_code == 303
    await settle(app)
    current = (await client.get(f"{FN}/billing/subscription", headers=auth)).json()
    assert current["plan"] == plan, current
