"""`POST /import`: the app's AsyncStorage export becomes transactions and categories once, with
categories matched by name and every bad row reported with its reason."""

from __future__ import annotations

import httpx2
import pytest

from tests.apps.pennywise.ledger import FOOD, OTHER, PW, SALARY, member

pytestmark = pytest.mark.anyio

EXPORT = {
    "categories": [
        {"id": "c-food", "name": "food & dining", "icon": "restaurant"},
        {"id": "c-pets", "name": "Pets", "icon": "pets"},
    ],
    "transactions": [
        {
            "id": "t1",
            "amount": -4.5,
            "categoryId": "c-food",
            "description": "Latte",
            "date": "2026-03-01T08:30:00.000Z",
        },
        {
            "id": "t2",
            "amount": "2500",
            "type": "income",
            "category": "Salary",
            "date": "2026-03-01",
        },
        {
            "id": "t3",
            "amount": "30.00",
            "type": "expense",
            "categoryId": "c-pets",
            "date": "2026-03-02",
        },
        {"id": "t4", "amount": 12, "category": "Something new", "date": "2026-03-03"},
        {"amount": -9.99, "description": "no id", "date": "2026-03-04"},
        {"id": "bad-1", "amount": "1.005", "date": "2026-03-04"},
        {"id": "bad-2", "amount": -3, "date": "yesterday"},
        {"id": "bad-3", "date": "2026-03-04"},
        {"id": "bad-4", "amount": 0, "date": "2026-03-04"},
        {"id": "bad-5", "amount": 5, "type": "refund", "date": "2026-03-04"},
    ],
}


async def test_an_export_imports_once_with_reasons_for_bad_rows(
    client: httpx2.AsyncClient,
) -> None:
    ann = await member(client, timezone="America/New_York")
    first = await client.post(f"{PW}/import", json=EXPORT, headers=ann)
    assert first.status_code == 200, first.text
    result = first.json()
    assert (result["categories_created"], result["categories_matched"]) == (1, 1)
    assert result["transactions"] == {"created": 5, "skipped": 0, "invalid": 5}
    reasons = {p["id"]: p["reason"] for p in result["problems"]}
    assert reasons == {
        "bad-1": "USD amounts have at most 2 decimals",
        "bad-2": "date 'yesterday' is not an ISO date",
        "bad-3": "amount is missing",
        "bad-4": "amount is zero",
        "bad-5": "type must be income or expense",
    }
    items = (await client.get(f"{PW}/transactions", params={"order": "asc"}, headers=ann)).json()
    by_client = {t["client_id"]: t for t in items["items"]}
    latte = by_client["t1"]
    # 08:30 UTC on 1 March is still 1 March in New York; the category matched by name.
    assert (latte["signed_amount"], latte["category_id"], latte["date"]) == (
        "-4.50",
        FOOD,
        "2026-03-01",
    )
    assert (by_client["t2"]["signed_amount"], by_client["t2"]["category_id"]) == ("2500.00", SALARY)
    assert by_client["t4"]["category_id"] == OTHER  # no such category: Other
    assert by_client["t4"]["type"] == "income"  # positive and no type
    categories = (await client.get(f"{PW}/categories", headers=ann)).json()
    pets = next(c for c in categories if c["name"] == "Pets")
    assert by_client["t3"]["category_id"] == pets["id"]

    again = (await client.post(f"{PW}/import", json=EXPORT, headers=ann)).json()
    assert again["transactions"] == {"created": 0, "skipped": 5, "invalid": 5}
    assert (again["categories_created"], again["categories_matched"]) == (0, 2)
    balance = (await client.get(f"{PW}/transactions/balance", headers=ann)).json()
    assert balance["balance"] == "2467.51"  # 2500 + 12 - 4.50 - 30 - 9.99, once

    bob = await member(client, "bob@example.com")
    assert (await client.get(f"{PW}/transactions", headers=bob)).json()["items"] == []


async def test_a_file_that_is_not_an_export_is_refused(client: httpx2.AsyncClient) -> None:
    ann = await member(client)
    wrong = await client.post(f"{PW}/import", json={"transactions": "all of them"}, headers=ann)
    assert wrong.status_code == 400
    too_many = {"transactions": [{"amount": 1, "date": "2026-03-01"}] * 5001}
    assert (await client.post(f"{PW}/import", json=too_many, headers=ann)).status_code == 400
