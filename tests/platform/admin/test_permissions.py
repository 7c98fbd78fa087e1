"""Every role against every admin endpoint: the permission matrix of seed 001 (super_admin
everything; admin users, analytics, content, products, flags, outbox; support reading users),
deployment-wide or for one app. Written out by hand, so a change to the roles that moves a
boundary shows up here."""

from __future__ import annotations

from datetime import timedelta

import httpx2
import pytest
from fastapi import FastAPI

from appfleet.core.clock import FixedClock
from tests.fixtures.accounts import bearer, register
from tests.fixtures.admins import grant

pytestmark = pytest.mark.anyio
A = "/api/v1/admin"
FLAG = {"enabled": True}
# (method, path, body): the endpoint; reads and writes of each area.
ENDPOINTS = {
    "me": ("GET", f"{A}/me", None),
    "grants": ("GET", f"{A}/grants", None),
    "users": ("GET", f"{A}/users", None),
    "outbox": ("GET", f"{A}/outbox", None),
    "dead jobs": ("GET", f"{A}/jobs/dead", None),
    "dashboard": ("GET", f"{A}/dashboard", None),
    "dashboard of fitnudge": ("GET", f"{A}/dashboard?app=fitnudge", None),
    "health": ("GET", f"{A}/health", None),
    "moderation of fitnudge": ("GET", f"{A}/apps/fitnudge/moderation", None),
    "fitnudge flags": ("GET", f"{A}/apps/fitnudge/flags", None),
    "set a fitnudge flag": ("PUT", f"{A}/apps/fitnudge/flags/trial", FLAG),
    "set a healthindex flag": ("PUT", f"{A}/apps/healthindex/flags/trial", FLAG),
    "global flags": ("GET", f"{A}/flags", None),
    "set a global flag": ("PUT", f"{A}/flags/trial", FLAG),
    "fitnudge experiments": ("GET", f"{A}/apps/fitnudge/experiments", None),
    "fitnudge releases": ("GET", f"{A}/apps/fitnudge/releases", None),
    "limits": ("GET", f"{A}/limits", None),
    "a healthindex limit": ("PUT", f"{A}/limits/chat?app=healthindex", {"value": "9/minute"}),
    "every app's limit": ("PUT", f"{A}/limits/chat", {"value": "9/minute"}),
}
EVERYTHING = set(ENDPOINTS)
SHOP_ADMIN = {
    "me",
    "users",
    "outbox",
    "dashboard",
    "limits",
    "set a healthindex flag",
    "a healthindex limit",
}
ALLOWED = {
    "member": set(),
    "support": {"me", "users"},
    "admin of healthindex": SHOP_ADMIN,
    "admin": EVERYTHING - {"grants"},
    "super_admin": EVERYTHING,
}
GRANTS = {
    "support": ("support", None),
    "admin of healthindex": ("admin", "healthindex"),
    "admin": ("admin", None),
    "super_admin": ("super_admin", None),
}


@pytest.mark.parametrize("role", sorted(ALLOWED))
async def test_each_role_reaches_exactly_its_endpoints(
    client: httpx2.AsyncClient, app: FastAPI, clock: FixedClock, role: str
) -> None:
    clock.advance(timedelta(seconds=21))
    made = await register(client, app="lowkeymode", email="who@example.com")
    if role in GRANTS:
        await grant(app, "who@example.com", *GRANTS[role])
    auth = bearer(made["access_token"])
    reached = set()
    for name, (method, path, body) in ENDPOINTS.items():
        answer = await client.request(method, path, json=body, headers=auth)
        assert answer.status_code < 500, (name, answer.text)
        if answer.status_code == 403:
            assert answer.json()["error"]["code"] == "AUTHORIZATION_ERROR", name
        else:
            assert answer.status_code in (200, 201), (role, name, answer.text)
            reached.add(name)
    assert reached == ALLOWED[role]
    anonymous = await client.get(f"{A}/me")
    assert anonymous.status_code == 401
