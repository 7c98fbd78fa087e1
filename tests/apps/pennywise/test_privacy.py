"""PennyWise's part of the data export and of the purge."""

from __future__ import annotations

from datetime import timedelta

import httpx2
import pytest
from fastapi import FastAPI

from appfleet.apps.pennywise.models import Account, Category, Transaction
from appfleet.core.clock import FixedClock
from tests.apps.pennywise.ledger import PW, member, record
from tests.fixtures.accounts import purge_deleted, stored

pytestmark = pytest.mark.anyio


async def test_the_export_holds_the_ledger_and_the_purge_erases_it(
    app: FastAPI, client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    ann, bob = await member(client), await member(client, "bob@example.com")
    for auth in (ann, bob):
        await client.put(f"{PW}/account", json={"currency": "EUR"}, headers=auth)
        pets = (await client.post(f"{PW}/categories", json={"name": "Pets"}, headers=auth)).json()
        await record(client, auth, "19.99", category_id=pets["id"], description="Food for Rex")
    bob_id = (await client.get(f"{PW}/users/me", headers=bob)).json()["id"]
    export = (await client.get(f"{PW}/users/me/data", headers=ann)).json()["pennywise"]
    assert export["currency"] == "EUR"
    assert [c["name"] for c in export["categories"]] == ["Pets"]
    [spent] = export["transactions"]
    assert (spent["amount"], spent["description"]) == ("-19.99", "Food for Rex")

    assert (await client.delete(f"{PW}/auth/account", headers=ann)).status_code == 202
    clock.advance(timedelta(days=31))
    assert await purge_deleted(app) == 1
    for model in (Transaction, Account):
        assert [str(row.user_id) for row in await stored(app, model)] == [bob_id]
    owners = {str(row.user_id) for row in await stored(app, Category) if row.user_id}
    assert owners == {bob_id}  # the defaults stay
