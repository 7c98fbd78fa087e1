"""Profiles: a made-up pseudonym, changed and unique whatever the case, preferences shared
with /users/me; Lowkey Mode's part of the export and the purge."""

from __future__ import annotations

from datetime import timedelta

import httpx2
import pytest
from fastapi import FastAPI

from appfleet.apps.lowkeymode.models import (
    BoardEntry,
    Meditation,
    Profile,
    QuietScore,
    ReferralCode,
    Streak,
)
from appfleet.core.clock import FixedClock
from tests.apps.lowkeymode.lowkey import LK, make_admin, person, score
from tests.fixtures.accounts import purge_deleted, stored

pytestmark = pytest.mark.anyio


async def test_a_pseudonym_is_made_up_once_and_never_the_name(client: httpx2.AsyncClient) -> None:
    ann = await person(client, name="Ann Lee")
    first = await client.get(f"{LK}/profile", headers=ann)
    assert first.status_code == 200
    profile = first.json()
    assert profile["pseudonym"] and "Ann" not in profile["pseudonym"]
    assert profile["listed"] is True and profile["ambassador"] is False
    again = (await client.get(f"{LK}/profile", headers=ann)).json()
    assert again["pseudonym"] == profile["pseudonym"]


async def test_pseudonyms_are_unique_regardless_of_case(client: httpx2.AsyncClient) -> None:
    ann, bob = await person(client), await person(client, "bob@example.com")
    taken = await client.patch(f"{LK}/profile", json={"pseudonym": "Still Water"}, headers=ann)
    assert taken.status_code == 200 and taken.json()["pseudonym"] == "Still Water"
    clash = await client.patch(f"{LK}/profile", json={"pseudonym": "still WATER"}, headers=bob)
    assert clash.status_code == 409
    assert clash.json()["error"]["details"]["reason"] == "pseudonym_taken"
    for bad in ("x", "<script>", " padded ", "a" * 25):
        refused = await client.patch(f"{LK}/profile", json={"pseudonym": bad}, headers=bob)
        assert refused.status_code == 400, bad
    # Ann may change the case of her own.
    own = await client.patch(f"{LK}/profile", json={"pseudonym": "still water"}, headers=ann)
    assert own.status_code == 200


async def test_preferences_merge_and_show_in_users_me(client: httpx2.AsyncClient) -> None:
    ann = await person(client)
    await client.patch(
        f"{LK}/profile", json={"preferences": {"theme": "dusk", "haptics": True}}, headers=ann
    )
    changed = await client.patch(
        f"{LK}/profile", json={"preferences": {"haptics": None, "sound": "rain"}}, headers=ann
    )
    assert changed.json()["preferences"] == {"theme": "dusk", "sound": "rain"}
    me = (await client.get(f"{LK}/users/me", headers=ann)).json()
    assert me["preferences"] == {"theme": "dusk", "sound": "rain"}
    unknown = await client.patch(f"{LK}/profile", json={"name": "Ann"}, headers=ann)
    assert unknown.status_code == 400


async def test_the_export_holds_lowkey_data_and_the_purge_erases_it(
    app: FastAPI, client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    ann, bob = await person(client), await person(client, "bob@example.com")
    await make_admin(app, "bob@example.com")
    for auth in (ann, bob):
        assert (await score(client, auth, 31, clock.now())).status_code == 201
        logged = await client.post(f"{LK}/streak", json={"duration_seconds": 600}, headers=auth)
        assert logged.status_code == 201
    ann_id = (await client.get(f"{LK}/users/me", headers=ann)).json()["id"]
    bob_id = (await client.get(f"{LK}/users/me", headers=bob)).json()["id"]
    granted = await client.put(
        f"{LK}/admin/ambassadors/{ann_id}", json={"ambassador": True}, headers=bob
    )
    assert granted.status_code == 200
    code = await client.post(f"{LK}/referral/codes", json={"code": "ANN-CALM"}, headers=ann)
    assert code.status_code == 201
    assert (
        await client.post(f"{LK}/referral/redeem", json={"code": "ann-calm"}, headers=bob)
    ).status_code == 200

    export = (await client.get(f"{LK}/users/me/data", headers=ann)).json()["lowkeymode"]
    assert export["quiet_scores"][0]["db_level"] == 31
    assert export["meditations"][0]["duration_seconds"] == 600
    assert export["streak"][0]["current"] == 1
    assert {s["period"] for s in export["standings"]} == {"all", "d2026-03-08", "w2026-W10"}
    assert export["referral_codes"][0]["code"] == "ANN-CALM"

    await client.request("DELETE", f"{LK}/auth/account", headers=ann)
    clock.advance(timedelta(days=31))
    assert await purge_deleted(app) == 1
    for model in (Profile, QuietScore, BoardEntry, Meditation, Streak):
        assert {str(row.user_id) for row in await stored(app, model)} == {bob_id}
    # Ann's code stays, without her and closed, so Bob keeps his redemption.
    [kept] = await stored(app, ReferralCode)
    assert kept.ambassador_id is None and kept.active is False and kept.redemptions == 1
