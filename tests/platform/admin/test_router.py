"""Every admin endpoint against every kind of caller: who may do what, where."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from appfleet.core.database import unit_of_work
from appfleet.platform.admin.models import AdminGrant
from appfleet.platform.audit.models import AuditEvent
from appfleet.platform.users.models import User
from tests.fixtures.accounts import bearer, register, stored
from tests.fixtures.admins import grant

pytestmark = pytest.mark.anyio
ADMIN = "/api/v1/admin"
FLAG = {"enabled": True}
EXPERIMENT = {
    "variants": [{"name": "a", "weight": 1}, {"name": "b", "weight": 1}],
    "conversion_event": "bought",
}
RELEASE = {"min_version": "1.0"}

# (method, path, body): in fitnudge, in healthindex, and deployment-wide.
FITNUDGE = [
    ("GET", "/apps/fitnudge/flags", None),
    ("PUT", "/apps/fitnudge/flags/x", FLAG),
    ("GET", "/apps/fitnudge/experiments", None),
    ("PUT", "/apps/fitnudge/experiments/e", EXPERIMENT),
    ("GET", "/apps/fitnudge/releases", None),
    ("PUT", "/apps/fitnudge/releases/ios", RELEASE),
]
HEALTHINDEX = [(m, p.replace("fitnudge", "healthindex"), b) for m, p, b in FITNUDGE]
GLOBAL = [("GET", "/flags", None), ("PUT", "/flags/x", FLAG)]
GRANTS = [("GET", "/grants", None)]

# caller -> which of the groups it may use
CALLERS: dict[str, set[str]] = {
    "anonymous": set(),
    "member": set(),
    "support": set(),
    "admin of healthindex": {"healthindex"},
    "admin": {"fitnudge", "healthindex", "global"},
    "super_admin": {"fitnudge", "healthindex", "global", "grants"},
}
GRANTED = {
    "support": ("support", None),
    "admin of healthindex": ("admin", "healthindex"),
    "admin": ("admin", None),
    "super_admin": ("super_admin", None),
}


async def caller(client: httpx2.AsyncClient, app: FastAPI, who: str) -> dict[str, str]:
    if who == "anonymous":
        return {}
    email = who.replace(" ", "-") + "@example.com"
    auth = bearer((await register(client, app="corpfinity", email=email))["access_token"])
    if who in GRANTED:
        role, scope = GRANTED[who]
        await grant(app, email, role, scope)
    return auth


async def call(
    client: httpx2.AsyncClient, auth: dict[str, str], method: str, path: str, body: Any
) -> httpx2.Response:
    return await client.request(method, f"{ADMIN}{path}", json=body, headers=auth)


@pytest.mark.parametrize("who", list(CALLERS))
async def test_each_role_against_each_endpoint(
    client: httpx2.AsyncClient, app: FastAPI, who: str
) -> None:
    auth = await caller(client, app, who)
    allowed = CALLERS[who]
    groups = {"fitnudge": FITNUDGE, "healthindex": HEALTHINDEX, "global": GLOBAL, "grants": GRANTS}
    for group, endpoints in groups.items():
        for method, path, body in endpoints:
            response = await call(client, auth, method, path, body)
            if group in allowed:
                assert response.status_code in (200, 201), (who, method, path, response.text)
            else:
                expected = 401 if who == "anonymous" else 403
                assert response.status_code == expected, (who, method, path, response.text)
                code = "AUTHENTICATION_ERROR" if expected == 401 else "AUTHORIZATION_ERROR"
                assert response.json()["error"]["code"] == code


async def test_grants_are_given_and_taken_by_a_super_admin_and_audited(
    client: httpx2.AsyncClient, app: FastAPI
) -> None:
    root = await caller(client, app, "super_admin")
    ann = await register(client, app="healthindex", email="ann@example.com")
    ann_auth = bearer(ann["access_token"])
    assert (await client.get(f"{ADMIN}/me", headers=ann_auth)).status_code == 403
    given = await client.put(
        f"{ADMIN}/grants",
        json={"user_id": ann["user"]["id"], "role": "admin", "app": "healthindex"},
        headers=root,
    )
    assert given.status_code == 200, given.text
    me = (await client.get(f"{ADMIN}/me", headers=ann_auth)).json()
    assert me["permissions"]["flags"] == ["healthindex"]
    assert "grants" not in me["permissions"]
    # The app's own admin routes honour the grant, in that app only.
    products = "/api/v1/healthindex/admin/products"
    assert (await client.get(products, headers=ann_auth)).status_code == 200
    lk = bearer((await register(client, app="lowkeymode", email="bob@example.com"))["access_token"])
    assert (
        await client.put(
            f"/api/v1/lowkeymode/admin/ambassadors/{ann['user']['id']}",
            json={"ambassador": True},
            headers=lk,
        )
    ).status_code == 403

    for bad in (
        {"user_id": ann["user"]["id"], "role": "owner"},
        {"user_id": ann["user"]["id"], "role": "admin", "app": "nope"},
    ):
        assert (await client.put(f"{ADMIN}/grants", json=bad, headers=root)).status_code == 400
    missing = {"user_id": "00000000-0000-4000-8000-000000000000", "role": "admin"}
    assert (await client.put(f"{ADMIN}/grants", json=missing, headers=root)).status_code == 404

    taken = await client.delete(f"{ADMIN}/grants/{given.json()['id']}", headers=root)
    assert taken.status_code == 204
    assert (await client.get(products, headers=ann_auth)).status_code == 403
    assert (await client.get(f"{ADMIN}/me", headers=ann_auth)).status_code == 403
    changes = [e.details for e in await stored(app, AuditEvent) if e.action == "role_change"]
    assert [(c["role"], c["scope"]) for c in changes][-2:] == [
        ("admin", "healthindex"),
        (None, "healthindex"),
    ]
    assert all(g.role == "super_admin" for g in await stored(app, AdminGrant))


async def test_bad_tokens_are_refused(client: httpx2.AsyncClient, app: FastAPI) -> None:
    for header in ("Bearer nonsense", "Bearer a.b.c", "Basic abc"):
        response = await client.get(f"{ADMIN}/me", headers={"Authorization": header})
        assert response.status_code == 401, header


async def test_production_admins_must_use_two_factor(
    client: httpx2.AsyncClient, app: FastAPI
) -> None:
    auth = await caller(client, app, "admin")
    app.state.settings = app.state.settings.model_copy(update={"env": "production"})
    refused = await client.get(f"{ADMIN}/me", headers=auth)
    assert refused.status_code == 403
    assert refused.json()["error"]["details"]["reason"] == "mfa_required"
    async with unit_of_work(app.state.db) as session:
        await session.execute(
            update(User)
            .where(User.email == "admin@example.com")
            .values(totp_enabled_at=app.state.clock.now())
        )
    assert (await client.get(f"{ADMIN}/me", headers=auth)).status_code == 200
