"""Finding and acting on accounts through /api/v1/admin/users."""

from __future__ import annotations

from datetime import timedelta

import httpx2
import pytest
from fastapi import FastAPI

from appfleet.core.clock import FixedClock
from tests.apps.fitnudge.coach import subscribe
from tests.fixtures.accounts import PASSWORD, bearer, emails_to, log_in, register
from tests.fixtures.admins import grant

pytestmark = pytest.mark.anyio
USERS = "/api/v1/admin/users"


async def people(client: httpx2.AsyncClient, clock: FixedClock) -> dict[str, dict[str, str]]:
    """Four members in three apps (Dan uses two apps of the shared identity group), and an
    admin of everything and one of the shop only, signed in through corpfinity."""
    made: dict[str, dict[str, str]] = {}
    for name, app in (
        ("ann", "fitnudge"),
        ("bob", "fitnudge"),
        ("cat", "healthindex"),
        ("dan", "healthindex"),
        ("ops", "corpfinity"),
        ("shop", "corpfinity"),
    ):
        clock.advance(timedelta(seconds=21))  # past the sign-up limit of 3 a minute
        body = await register(client, app=app, email=f"{name}@example.com", name=name.title())
        made[name] = {"id": body["user"]["id"], **bearer(body["access_token"])}
    assert (await log_in(client, "lowkeymode", "dan@example.com")).status_code == 200
    return made


def auth(person: dict[str, str]) -> dict[str, str]:
    return {"Authorization": person["Authorization"]}


async def test_search_filters_and_totals(
    client: httpx2.AsyncClient, app: FastAPI, clock: FixedClock
) -> None:
    who = await people(client, clock)
    await grant(app, "ops@example.com", "support")
    ops = auth(who["ops"])

    async def emails(query: str = "", headers: dict[str, str] = ops) -> tuple[list[str], int]:
        response = await client.get(f"{USERS}?limit=2&{query}", headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        return [u["email"].split("@")[0] for u in body["items"]], body["total"]

    assert await emails() == (["shop", "ops"], 6)  # newest first, two a page
    assert await emails("offset=2") == (["dan", "cat"], 6)
    assert await emails("app=fitnudge&limit=10") == (["bob", "ann"], 2)
    assert await emails("search=AN") == (["dan", "ann"], 2)
    assert await emails("search=%25") == ([], 0)  # a literal %, not a wildcard
    assert await emails("search=' OR 1=1 --") == ([], 0)
    await subscribe(client, app, auth(who["bob"]), "pro")
    assert await emails("plan=pro") == (["bob"], 1)
    assert await emails("plan=free&app=fitnudge") == (["ann"], 1)
    created = (clock.now().date()).isoformat()
    assert (await emails(f"created_from={created}"))[1] == 6
    assert (await emails("created_to=2000-01-01"))[1] == 0
    assert (await client.get(f"{USERS}?limit=500", headers=ops)).status_code == 400

    # An admin of the shop sees the shop's customers only.
    await grant(app, "shop@example.com", "admin", "healthindex")
    shop = auth(who["shop"])
    assert await emails("limit=10", shop) == (["dan", "cat"], 2)
    assert (await client.get(f"{USERS}?app=fitnudge", headers=shop)).status_code == 403
    assert (await client.get(f"{USERS}/{who['ann']['id']}", headers=shop)).status_code == 404
    # Plain members see nothing.
    assert (await client.get(USERS, headers=auth(who["ann"]))).status_code == 403


async def test_detail_shows_memberships_plans_devices_and_activity(
    client: httpx2.AsyncClient, app: FastAPI, clock: FixedClock
) -> None:
    who = await people(client, clock)
    await grant(app, "ops@example.com", "admin")
    detail = await client.get(f"{USERS}/{who['dan']['id']}", headers=auth(who["ops"]))
    assert detail.status_code == 200, detail.text
    body = detail.json()
    assert [(m["app"], m["plan"]) for m in body["memberships"]] == [
        ("healthindex", "free"),
        ("lowkeymode", "free"),
    ]
    assert {d["app"] for d in body["devices"]} == {"healthindex", "lowkeymode"}
    assert {"register", "login"} <= {a["action"] for a in body["recent_activity"]}
    missing = "00000000-0000-4000-8000-000000000000"
    assert (await client.get(f"{USERS}/{missing}", headers=auth(who["ops"]))).status_code == 404


async def test_a_suspended_users_tokens_stop_working_at_once(
    client: httpx2.AsyncClient, app: FastAPI, clock: FixedClock
) -> None:
    who = await people(client, clock)
    await grant(app, "ops@example.com", "admin")
    await grant(app, "shop@example.com", "admin", "healthindex")
    cat, dan = who["cat"], who["dan"]
    me = "/api/v1/healthindex/users/me"
    assert (await client.get(me, headers=auth(cat))).status_code == 200
    # The shop's admin may suspend a shop-only customer, not one who also uses lowkeymode.
    reason = {"reason": "Chargeback fraud"}
    shared = await client.post(
        f"{USERS}/{dan['id']}/suspend", json=reason, headers=auth(who["shop"])
    )
    assert shared.status_code == 403
    done = await client.post(f"{USERS}/{cat['id']}/suspend", json=reason, headers=auth(who["shop"]))
    assert done.status_code == 200, done.text
    assert done.json()["suspended_at"] is not None and done.json()["is_active"] is False
    assert (await client.get(me, headers=auth(cat))).status_code == 401
    assert (await log_in(client, "healthindex", "cat@example.com")).status_code == 401
    short = await client.post(
        f"{USERS}/{cat['id']}/suspend", json={"reason": ""}, headers=auth(who["ops"])
    )
    assert short.status_code == 400

    back = await client.post(f"{USERS}/{cat['id']}/unsuspend", headers=auth(who["ops"]))
    assert back.json()["is_active"] is True and back.json()["suspended_at"] is None
    assert (await log_in(client, "healthindex", "cat@example.com")).status_code == 200


async def test_forced_password_reset_export_and_deletion(
    client: httpx2.AsyncClient, app: FastAPI, clock: FixedClock
) -> None:
    who = await people(client, clock)
    await grant(app, "ops@example.com", "admin")
    await grant(app, "shop@example.com", "support")
    ops, ann = auth(who["ops"]), who["ann"]

    reset = await client.post(f"{USERS}/{ann['id']}/password-reset", headers=ops)
    assert reset.status_code == 202
    assert (await client.get("/api/v1/fitnudge/users/me", headers=auth(ann))).status_code == 401
    assert (await log_in(client, "fitnudge", "ann@example.com", PASSWORD)).status_code == 401
    assert len(await emails_to(app, "ann@example.com", "password_reset")) == 1

    exported = await client.get(f"{USERS}/{who['bob']['id']}/export", headers=ops)
    assert exported.status_code == 200
    assert list(exported.json()["apps"]) == ["fitnudge"]
    assert exported.json()["apps"]["fitnudge"]["account"]["email"] == "bob@example.com"

    support = auth(who["shop"])
    refused = await client.delete(f"{USERS}/{who['bob']['id']}", headers=support)
    assert refused.status_code == 403
    assert (await client.delete(f"{USERS}/{who['bob']['id']}", headers=ops)).status_code == 204
    assert (
        await client.get("/api/v1/fitnudge/users/me", headers=auth(who["bob"]))
    ).status_code == 401
    again = await client.delete(f"{USERS}/{who['bob']['id']}", headers=ops)
    assert again.status_code == 409
