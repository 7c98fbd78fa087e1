"""Referral codes: ambassadors create and manage theirs; a user redeems one code, never their
own, never beyond the maximum — even when a hundred redeem at once."""

from __future__ import annotations

import asyncio

import httpx2
import pytest
from fastapi import FastAPI

from appfleet.apps.lowkeymode.models import Redemption, ReferralCode
from tests.apps.lowkeymode.lowkey import LK, guest, make_admin, person
from tests.fixtures.accounts import stored

pytestmark = pytest.mark.anyio


async def ambassador(
    client: httpx2.AsyncClient, app: FastAPI, email: str = "amb@example.com"
) -> dict[str, str]:
    auth = await person(client, email)
    admin = await person(client, f"admin-{email}")
    await make_admin(app, f"admin-{email}")
    user_id = (await client.get(f"{LK}/users/me", headers=auth)).json()["id"]
    granted = await client.put(
        f"{LK}/admin/ambassadors/{user_id}", json={"ambassador": True}, headers=admin
    )
    assert granted.status_code == 200 and granted.json() == {"ambassador": True}
    return auth


async def redeem(client: httpx2.AsyncClient, auth: dict[str, str], code: str) -> httpx2.Response:
    return await client.post(f"{LK}/referral/redeem", json={"code": code}, headers=auth)


async def test_only_ambassadors_and_admins_manage_codes(
    client: httpx2.AsyncClient, app: FastAPI
) -> None:
    ann = await person(client)
    refused = await client.post(f"{LK}/referral/codes", json={}, headers=ann)
    assert refused.status_code == 403
    assert refused.json()["error"]["details"]["reason"] == "not_ambassador"
    assert (await client.get(f"{LK}/referral/codes", headers=ann)).status_code == 403
    user_id = (await client.get(f"{LK}/users/me", headers=ann)).json()["id"]
    not_admin = await client.put(
        f"{LK}/admin/ambassadors/{user_id}", json={"ambassador": True}, headers=ann
    )
    assert not_admin.status_code == 403
    amb = await ambassador(client, app)
    made = await client.post(f"{LK}/referral/codes", json={"max_redemptions": 3}, headers=amb)
    assert made.status_code == 201
    code = made.json()
    assert code["code"].startswith("LOWKEY-") and code["remaining"] == 3
    mine = (await client.get(f"{LK}/referral/codes", headers=amb)).json()
    assert [c["code"] for c in mine] == [code["code"]]
    taken = await client.post(f"{LK}/referral/codes", json={"code": code["code"]}, headers=amb)
    assert taken.status_code == 409


async def test_one_code_per_person_never_their_own_nor_a_paused_one(
    client: httpx2.AsyncClient, app: FastAPI
) -> None:
    amb = await ambassador(client, app)
    await client.patch(f"{LK}/profile", json={"pseudonym": "Calm Guide"}, headers=amb)
    for code in ("CALM-ONE", "CALM-TWO"):
        await client.post(f"{LK}/referral/codes", json={"code": code}, headers=amb)
    own = await redeem(client, amb, "CALM-ONE")
    assert own.status_code == 409 and own.json()["error"]["details"]["reason"] == "own_code"
    ann = await person(client)
    done = await redeem(client, ann, " calm-one ")
    assert done.status_code == 200
    assert done.json()["code"] == "CALM-ONE" and done.json()["ambassador"] == "Calm Guide"
    second = await redeem(client, ann, "CALM-TWO")
    assert second.json()["error"]["details"]["reason"] == "already_redeemed"
    bob = await person(client, "bob@example.com")
    assert (await redeem(client, bob, "NO-SUCH")).status_code == 404
    paused = await client.patch(
        f"{LK}/referral/codes/calm-two", json={"active": False}, headers=amb
    )
    assert paused.status_code == 200 and paused.json()["active"] is False
    refused = await redeem(client, bob, "CALM-TWO")
    assert refused.json()["error"]["details"]["reason"] == "code_inactive"
    # A code is changed only by its ambassador, and never below what was redeemed.
    other = await ambassador(client, app, "amb2@example.com")
    foreign = await client.patch(
        f"{LK}/referral/codes/CALM-ONE", json={"active": False}, headers=other
    )
    assert foreign.status_code == 404
    lowered = await client.patch(
        f"{LK}/referral/codes/CALM-ONE", json={"max_redemptions": 1}, headers=amb
    )
    assert lowered.status_code == 200 and lowered.json()["remaining"] == 0
    exhausted = await redeem(client, bob, "CALM-ONE")
    assert exhausted.json()["error"]["details"]["reason"] == "code_exhausted"
    assert [r.code for r in await stored(app, Redemption)] == ["CALM-ONE"]


async def test_a_hundred_at_once_never_redeem_more_than_fifty(
    client: httpx2.AsyncClient, app: FastAPI
) -> None:
    amb = await ambassador(client, app)
    made = await client.post(
        f"{LK}/referral/codes", json={"code": "FIFTY-LEFT", "max_redemptions": 60}, headers=amb
    )
    assert made.status_code == 201
    for _ in range(10):  # ten redeemed before: fifty left
        assert (await redeem(client, await guest(client), "FIFTY-LEFT")).status_code == 200
    crowd = [await guest(client) for _ in range(100)]
    answers = await asyncio.gather(*(redeem(client, auth, "FIFTY-LEFT") for auth in crowd))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] * 50 + [409] * 50, [a.text for a in answers if a.status_code >= 500]
    assert {a.json()["error"]["details"]["reason"] for a in answers if a.status_code == 409} == {
        "code_exhausted"
    }
    [code] = await stored(app, ReferralCode)
    assert code.redemptions == 60
    assert len(await stored(app, Redemption)) == 60
