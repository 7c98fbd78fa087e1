"""The dashboard and system health through /api/v1/admin: figures counted from what members
did (sign-ups, days active, subscriptions, messages), per app and overall, and who may see
them."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx2
import pytest
from fastapi import FastAPI

from appfleet.core.clock import FixedClock
from appfleet.core.database import unit_of_work
from appfleet.platform.billing.models import Subscription
from tests.fixtures.accounts import bearer, log_in, register
from tests.fixtures.admins import grant

pytestmark = pytest.mark.anyio
DASHBOARD = "/api/v1/admin/dashboard"


async def admin(
    client: httpx2.AsyncClient, app: FastAPI, clock: FixedClock, email: str, scope: str | None
) -> dict[str, str]:
    clock.advance(timedelta(seconds=21))
    await register(client, app="lowkeymode", email=email)
    await grant(app, email, "admin", scope)
    return bearer((await log_in(client, app="lowkeymode", email=email)).json()["access_token"])


async def subscribe(app: FastAPI, user_id: str, plan: str, status: str) -> None:
    now = app.state.clock.now()
    async with unit_of_work(app.state.db) as session:
        session.add(
            Subscription(
                app="fitnudge",
                user_id=uuid.UUID(user_id),
                provider="sandbox",
                provider_subscription_id=f"sub_{uuid.uuid4().hex}",
                plan=plan,
                status=status,
                state_at=now,
                created_at=now,
                updated_at=now,
            )
        )


def series(figures: dict, name: str) -> dict[str, int]:  # type: ignore[type-arg]
    [found] = [s for s in figures["daily"] if s["name"] == name]
    return {d: n for d, n in zip(found["days"], found["counts"], strict=True) if n}


async def test_users_actives_retention_revenue_and_messages_are_counted(
    client: httpx2.AsyncClient, app: FastAPI, clock: FixedClock
) -> None:
    joined = clock.now().date().isoformat()
    await register(client, app="corpfinity", email="ann@example.com")
    clock.advance(timedelta(seconds=21))
    bob = await register(client, app="fitnudge", email="bob@example.com")
    await subscribe(app, bob["user"]["id"], "pro", "active")
    clock.advance(timedelta(days=8))
    back = await log_in(client, app="corpfinity", email="ann@example.com")
    refreshed = await client.post(
        "/api/v1/corpfinity/auth/refresh", json={"refresh_token": back.json()["refresh_token"]}
    )
    assert refreshed.status_code == 200  # active twice today: counted once
    ops = await admin(client, app, clock, "ops@example.com", None)

    overall = (await client.get(DASHBOARD, headers=ops)).json()
    assert overall["apps"] is None
    assert overall["total_users"] == 3  # ann, bob and the admin
    assert overall["new_this_week"] == 1 and overall["active_today"] == 2  # ann and the admin
    assert overall["retention_7d"] == 0.5  # of ann and bob, who joined 8 days ago: ann came back
    assert overall["revenue"] == [{"currency": "usd", "mrr_cents": 799, "arr_cents": 9588}]
    assert series(overall, "signups") == {joined: 2, clock.now().date().isoformat(): 1}
    assert [m["channel"] for m in overall["messages"]] == ["email"]
    assert overall["messages"][0]["pending"] + overall["messages"][0]["sent"] >= 3

    corpfinity = (await client.get(f"{DASHBOARD}?app=corpfinity", headers=ops)).json()
    assert (corpfinity["total_users"], corpfinity["retention_7d"], corpfinity["dau"]) == (1, 1.0, 1)
    assert corpfinity["revenue"] == [] and corpfinity["churn_rate_30d"] is None
    assert "corpfinity challenge completions" in {s["name"] for s in corpfinity["daily"]}
    fitnudge = (await client.get(f"{DASHBOARD}?app=fitnudge", headers=ops)).json()
    assert (fitnudge["retention_7d"], fitnudge["mau"], fitnudge["dau"]) == (0.0, 1, 0)


async def test_figures_are_cached_briefly_and_scoped_to_the_admins_apps(
    client: httpx2.AsyncClient, app: FastAPI, clock: FixedClock
) -> None:
    shop = await admin(client, app, clock, "shop@example.com", "healthindex")
    first = (await client.get(DASHBOARD, headers=shop)).json()
    assert first["apps"] == ["healthindex"] and first["total_users"] == 0
    assert (await client.get(f"{DASHBOARD}?app=corpfinity", headers=shop)).status_code == 403
    assert (await client.get(f"{DASHBOARD}?app=nope", headers=shop)).status_code == 403
    assert (await client.get("/api/v1/admin/health", headers=shop)).status_code == 403
    clock.advance(timedelta(seconds=21))
    await register(client, app="healthindex", email="cy@example.com")
    again = (await client.get(DASHBOARD, headers=shop)).json()
    assert again["total_users"] == 0  # from the cache
    await app.state.cache.delete_prefix("cache:admin:dashboard:")
    assert (await client.get(DASHBOARD, headers=shop)).json()["total_users"] == 1


async def test_system_health_reports_services_queue_breakers_and_latency(
    client: httpx2.AsyncClient, app: FastAPI, clock: FixedClock
) -> None:
    ops = await admin(client, app, clock, "ops@example.com", None)
    report = (await client.get("/api/v1/admin/health", headers=ops)).json()
    assert report["checks"]["database"]["status"] == "ok"
    assert report["jobs"].get("queued", 0) >= 1  # the welcome email's delivery
    assert report["outbox"].get("pending", 0) >= 1
    assert {"ai_text", "ai_voice"} <= {b["name"] for b in report["breakers"]}
    assert all(b["state"] in ("closed", "open", "half_open") for b in report["breakers"])
    assert report["http"]["requests"] >= 2 and report["http"]["p95_ms_at_most"] is not None
    pool = report["database_connections"]
    assert pool["pool_size"] >= 1 and 1 <= pool["in_use"] <= pool["open"]  # this request's
