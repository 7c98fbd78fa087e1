"""Categories: sixteen defaults with icons for everyone, each member's own beside them; the
defaults cannot change, names do not repeat, and a category in use is deleted only by moving
its transactions."""

from __future__ import annotations

import httpx2
import pytest

from tests.apps.pennywise.ledger import FOOD, OTHER, PW, member, record

pytestmark = pytest.mark.anyio


async def test_defaults_then_my_own_with_icons(client: httpx2.AsyncClient) -> None:
    ann, bob = await member(client), await member(client, "bob@example.com")
    listed = (await client.get(f"{PW}/categories", headers=ann)).json()
    assert len(listed) == 16 and all(c["is_default"] for c in listed)
    assert {"id": FOOD, "name": "Food & Dining", "icon": "restaurant", "is_default": True} in listed
    made = await client.post(
        f"{PW}/categories", json={"name": " Pets ", "icon": "pets"}, headers=ann
    )
    assert made.status_code == 201
    assert (made.json()["name"], made.json()["is_default"]) == ("Pets", False)
    mine = (await client.get(f"{PW}/categories", headers=ann)).json()
    assert mine[-1]["name"] == "Pets" and len(mine) == 17  # the cached list was dropped
    assert len((await client.get(f"{PW}/categories", headers=bob)).json()) == 16
    again = await client.post(f"{PW}/categories", json={"name": "PETS"}, headers=ann)
    assert again.status_code == 409
    default_name = await client.post(f"{PW}/categories", json={"name": "salary"}, headers=ann)
    assert default_name.status_code == 409
    bad_icon = await client.post(
        f"{PW}/categories", json={"name": "X", "icon": "<svg>"}, headers=ann
    )
    assert bad_icon.status_code == 400


async def test_defaults_cannot_change_and_others_are_not_found(client: httpx2.AsyncClient) -> None:
    ann, bob = await member(client), await member(client, "bob@example.com")
    assert (
        await client.put(f"{PW}/categories/{FOOD}", json={"name": "Eats"}, headers=ann)
    ).status_code == 403
    assert (await client.delete(f"{PW}/categories/{FOOD}", headers=ann)).status_code == 403
    pets = (await client.post(f"{PW}/categories", json={"name": "Pets"}, headers=ann)).json()
    for method in ("PUT", "DELETE"):
        body = {"name": "Mine"} if method == "PUT" else None
        other = await client.request(
            method, f"{PW}/categories/{pets['id']}", json=body, headers=bob
        )
        assert other.status_code == 404
    renamed = await client.put(
        f"{PW}/categories/{pets['id']}", json={"name": "Pet food", "icon": "pets"}, headers=ann
    )
    assert renamed.json()["name"] == "Pet food"


async def test_a_category_in_use_moves_its_transactions_when_deleted(
    client: httpx2.AsyncClient,
) -> None:
    ann, bob = await member(client), await member(client, "bob@example.com")
    pets = (await client.post(f"{PW}/categories", json={"name": "Pets"}, headers=ann)).json()
    await record(client, ann, "20.00", category_id=pets["id"])
    await record(client, ann, "5.00", category_id=pets["id"])
    refused = await client.delete(f"{PW}/categories/{pets['id']}", headers=ann)
    assert refused.status_code == 409 and refused.json()["error"]["details"]["transactions"] == 2
    to_itself = await client.delete(
        f"{PW}/categories/{pets['id']}", params={"reassign_to": pets["id"]}, headers=ann
    )
    assert to_itself.status_code == 400
    bobs = (await client.post(f"{PW}/categories", json={"name": "Bob's"}, headers=bob)).json()
    to_theirs = await client.delete(
        f"{PW}/categories/{pets['id']}", params={"reassign_to": bobs["id"]}, headers=ann
    )
    assert to_theirs.status_code == 400
    moved = await client.delete(
        f"{PW}/categories/{pets['id']}", params={"reassign_to": OTHER}, headers=ann
    )
    assert moved.status_code == 204
    items = (await client.get(f"{PW}/transactions", headers=ann)).json()["items"]
    assert {t["category_id"] for t in items} == {OTHER} and len(items) == 2
    unused = (await client.post(f"{PW}/categories", json={"name": "Spare"}, headers=ann)).json()
    assert (await client.delete(f"{PW}/categories/{unused['id']}", headers=ann)).status_code == 204
