"""Rate limits changed at run time through /api/v1/admin/limits: in force at once for the app
they name (or every app), back to the settings file's when cleared, and only for who may."""

from __future__ import annotations

from datetime import timedelta

import httpx2
import pytest
from fastapi import FastAPI

from appfleet.core.clock import FixedClock
from tests.fixtures.accounts import bearer, log_in, register
from tests.fixtures.admins import grant

pytestmark = pytest.mark.anyio
LIMITS = "/api/v1/admin/limits"


async def admin(
    client: httpx2.AsyncClient, app: FastAPI, clock: FixedClock, email: str, scope: str | None
) -> dict[str, str]:
    clock.advance(timedelta(seconds=21))
    made = await register(client, app="lowkeymode", email=email)
    await grant(app, email, "admin", scope)
    return bearer(made["access_token"])


async def test_a_login_limit_for_one_app_applies_at_once_and_clears(
    client: httpx2.AsyncClient, app: FastAPI, clock: FixedClock
) -> None:
    ops = await admin(client, app, clock, "ops@example.com", None)
    await register(client, app="corpfinity", email="ann@example.com")
    set_ = await client.put(
        f"{LIMITS}/login?app=corpfinity", json={"value": "1/minute"}, headers=ops
    )
    assert set_.status_code == 200 and set_.json()["value"] == "1/minute"
    assert (await log_in(client, app="corpfinity")).status_code == 200
    assert (await log_in(client, app="corpfinity")).status_code == 429
    assert (await log_in(client, app="lowkeymode", email="ops@example.com")).status_code == 200
    listed = (await client.get(LIMITS, headers=ops)).json()
    assert listed["defaults"]["login"] == "5/minute"
    assert [(o["app"], o["name"], o["value"]) for o in listed["overrides"]] == [
        ("corpfinity", "login", "1/minute")
    ]
    assert (await client.delete(f"{LIMITS}/login?app=corpfinity", headers=ops)).status_code == 204
    clock.advance(timedelta(seconds=61))
    assert [(await log_in(client, app="corpfinity")).status_code for _ in range(2)] == [200, 200]


async def test_every_apps_default_limit_changes_without_a_restart(
    client: httpx2.AsyncClient, app: FastAPI, clock: FixedClock
) -> None:
    ops = await admin(client, app, clock, "ops@example.com", None)
    member = bearer(
        (await register(client, app="healthindex", email="cy@example.com"))["access_token"]
    )
    put = await client.put(f"{LIMITS}/authenticated", json={"value": "3/minute"}, headers=ops)
    assert put.status_code == 200 and put.json()["app"] is None
    statuses = [
        (await client.get("/api/v1/healthindex/users/me", headers=member)).status_code
        for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]


async def test_values_names_and_permissions_are_checked(
    client: httpx2.AsyncClient, app: FastAPI, clock: FixedClock
) -> None:
    shop = await admin(client, app, clock, "shop@example.com", "healthindex")
    ok = await client.put(
        f"{LIMITS}/chat?app=healthindex", json={"value": "30/minute"}, headers=shop
    )
    assert ok.status_code == 200
    for url, body, code in (
        (f"{LIMITS}/chat?app=corpfinity", {"value": "30/minute"}, 403),
        (f"{LIMITS}/chat", {"value": "30/minute"}, 403),
        (f"{LIMITS}/chat?app=healthindex", {"value": "lots"}, 400),
        (f"{LIMITS}/chat?app=healthindex", {"value": "0/minute"}, 400),
        (f"{LIMITS}/ai_daily_tokens?app=healthindex", {"value": "-5"}, 400),
        (f"{LIMITS}/teleport?app=healthindex", {"value": "1/minute"}, 404),
        (f"{LIMITS}/chat?app=nope", {"value": "1/minute"}, 404),
    ):
        answer = await client.put(url, json=body, headers=shop)
        assert answer.status_code == code, (url, body, answer.text)
    budget = await client.put(
        f"{LIMITS}/ai_daily_tokens?app=healthindex", json={"value": "20000"}, headers=shop
    )
    assert budget.status_code == 200
    seen = (await client.get(LIMITS, headers=shop)).json()["overrides"]
    assert {(o["name"], o["value"]) for o in seen} == {
        ("chat", "30/minute"),
        ("ai_daily_tokens", "20000"),
    }
