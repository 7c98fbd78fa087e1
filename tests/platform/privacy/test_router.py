"""Consents, the data export, account deletion, restore and the purge, through the API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx2
import pytest
from fastapi import FastAPI

from appfleet.core.clock import FixedClock
from appfleet.platform.audit.models import AuditEvent
from appfleet.platform.auth.models import AuthSession
from appfleet.platform.privacy.models import Consent
from appfleet.platform.users.models import Membership, User
from tests.fixtures.accounts import (
    PASSWORD,
    bearer,
    emails_to,
    log_in,
    purge_deleted,
    register,
    stored,
)
from tests.fixtures.probe import ProbeItem

pytestmark = pytest.mark.anyio
CF = "/api/v1/corpfinity"
PROBE = "/api/v1/probe"


def reason(response: httpx2.Response) -> str:
    return response.json()["error"]["details"]["reason"]  # type: ignore[no-any-return]


purge = purge_deleted


async def test_consents_keep_history_and_show_the_latest(client: httpx2.AsyncClient) -> None:
    ann = bearer((await register(client))["access_token"])
    bob = bearer((await register(client, email="bob@example.com", name="Bob"))["access_token"])
    for body in (
        {"purpose": "marketing_email", "granted": True, "version": "2026-01"},
        {"purpose": "analytics", "granted": True},
        {"purpose": "marketing_email", "granted": False, "version": "2026-01"},
    ):
        response = await client.post(f"{CF}/users/me/consents", json=body, headers=ann)
        assert response.status_code == 201, response.text
    mine = (await client.get(f"{CF}/users/me/consents", headers=ann)).json()
    current = {c["purpose"]: c["granted"] for c in mine["current"]}
    assert current == {"marketing_email": False, "analytics": True}
    assert [c["purpose"] for c in mine["history"]] == [
        "marketing_email",
        "analytics",
        "marketing_email",
    ]
    theirs = (await client.get(f"{CF}/users/me/consents", headers=bob)).json()
    assert theirs == {"current": [], "history": []}
    elsewhere = await log_in(client, app="fitnudge")
    assert elsewhere.status_code == 401  # another identity group: a different account
    bad = await client.post(
        f"{CF}/users/me/consents", json={"purpose": "Drop Table", "granted": True}, headers=ann
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "VALIDATION_ERROR"


async def test_export_holds_this_apps_data_and_only_the_callers(
    client: httpx2.AsyncClient, app: FastAPI
) -> None:
    ann = await register(client, app="probe", device={"name": "Ann's phone", "platform": "ios"})
    bob = await register(client, app="probe", email="bob@example.com", name="Bob")
    for owner, title in ((ann, "ann's note"), (bob, "bob's note")):
        created = await client.post(
            f"{PROBE}/items", json={"title": title}, headers={"x-probe-user": owner["user"]["id"]}
        )
        assert created.status_code == 201
    headers = bearer(ann["access_token"])
    await client.post(
        f"{PROBE}/users/me/consents", json={"purpose": "terms", "granted": True}, headers=headers
    )
    response = await client.get(f"{PROBE}/users/me/data", headers=headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    assert data["app"] == "probe"
    assert data["account"]["email"] == "ann@example.com"
    assert data["account"]["has_password"] is True
    assert [s["device_name"] for s in data["sessions"]] == ["Ann's phone"]
    assert [c["purpose"] for c in data["consents"]] == ["terms"]
    assert "register" in [a["action"] for a in data["activity"]]
    assert data["probe"] == {
        "items": [{"title": "ann's note", "created_at": data["probe"]["items"][0]["created_at"]}]
    }
    assert PASSWORD not in response.text and ann["refresh_token"] not in response.text
    assert "export" in [e.action for e in await stored(app, AuditEvent)]


async def test_deleting_signs_out_at_once_and_restore_undoes_it(
    client: httpx2.AsyncClient, app: FastAPI, clock: FixedClock
) -> None:
    account = await register(client)
    headers = bearer(account["access_token"])
    deleted = await client.delete(f"{CF}/auth/account", headers=headers)
    assert deleted.status_code == 202, deleted.text
    body = deleted.json()
    assert body["apple_grant_revoked"] is None
    assert body["purge_after"].startswith((clock.now() + timedelta(days=30)).date().isoformat())

    me = await client.get(f"{CF}/users/me", headers=headers)
    assert me.status_code == 401 and reason(me) == "token_revoked"
    refreshed = await client.post(
        f"{CF}/auth/refresh", json={"refresh_token": account["refresh_token"]}
    )
    assert refreshed.status_code == 401
    login = await log_in(client)
    assert login.status_code == 403
    assert reason(login) == "account_deleted"
    assert login.json()["error"]["details"]["restorable_until"]
    wrong = await log_in(client, password="not the password")
    assert wrong.status_code == 401  # nothing is told without the right password
    assert [m.kind for m in await emails_to(app, "ann@example.com")] == ["account_deleted"]

    clock.advance(timedelta(days=29))
    restored = await client.post(
        f"{CF}/auth/account/restore", json={"email": "ann@example.com", "password": PASSWORD}
    )
    assert restored.status_code == 200, restored.text
    me = await client.get(f"{CF}/users/me", headers=bearer(restored.json()["access_token"]))
    assert me.status_code == 200
    assert (await log_in(client)).status_code == 200
    again = await client.post(
        f"{CF}/auth/account/restore", json={"email": "ann@example.com", "password": PASSWORD}
    )
    assert again.status_code == 409
    actions = [e.action for e in await stored(app, AuditEvent)]
    assert "account_deleted" in actions and "account_restored" in actions


async def test_restore_needs_the_right_credentials_and_one_method(
    client: httpx2.AsyncClient,
) -> None:
    account = await register(client)
    await client.delete(f"{CF}/auth/account", headers=bearer(account["access_token"]))
    wrong = await client.post(
        f"{CF}/auth/account/restore", json={"email": "ann@example.com", "password": "nope nope"}
    )
    assert wrong.status_code == 401
    both = await client.post(
        f"{CF}/auth/account/restore",
        json={
            "email": "ann@example.com",
            "password": PASSWORD,
            "provider": "apple",
            "identity_token": "x",
        },
    )
    assert both.status_code == 400
    neither = await client.post(f"{CF}/auth/account/restore", json={})
    assert neither.status_code == 400


async def test_purge_erases_everything_after_the_retention_period(
    client: httpx2.AsyncClient, app: FastAPI, clock: FixedClock
) -> None:
    ann = await register(client, app="probe")
    bob = await register(client, app="probe", email="bob@example.com", name="Bob")
    for owner in (ann, bob):
        await client.post(
            f"{PROBE}/items", json={"title": "note"}, headers={"x-probe-user": owner["user"]["id"]}
        )
    headers = bearer(ann["access_token"])
    await client.post(
        f"{PROBE}/users/me/consents", json={"purpose": "terms", "granted": True}, headers=headers
    )
    await client.delete(f"{PROBE}/auth/account", headers=headers)
    assert await purge(app) == 0  # not yet: the account can still be restored

    clock.advance(timedelta(days=30, seconds=1))
    late = await client.post(
        f"{PROBE}/auth/account/restore", json={"email": "ann@example.com", "password": PASSWORD}
    )
    assert late.status_code == 401
    assert await purge(app) == 1
    assert await purge(app) == 0

    ann_id = ann["user"]["id"]
    assert [str(u.id) for u in await stored(app, User)] == [bob["user"]["id"]]
    assert all(str(m.user_id) != ann_id for m in await stored(app, Membership))
    assert all(str(s.user_id) != ann_id for s in await stored(app, AuthSession))
    assert await stored(app, Consent) == []
    assert [i.owner for i in await stored(app, ProbeItem)] == [bob["user"]["id"]]
    events = await stored(app, AuditEvent)
    assert all(str(e.user_id) != ann_id for e in events)
    kept = [e for e in events if e.action in ("register", "account_deleted")]
    assert len(kept) == 3  # Ann's two kept pseudonymized, Bob's register
    purged = [e for e in events if e.action == "account_purged"]
    assert len(purged) == 1
    ann_kept = [e for e in kept if e.user_id == purged[0].user_id]
    assert len(ann_kept) == 2 and all(e.ip is None and e.user_agent is None for e in ann_kept)
    assert await emails_to(app, "ann@example.com") == []
    # The address is free again.
    await register(client, app="probe")
