"""Transactions: exact amounts with a type, owned by their member alone, filtered and paged by
date without skipping or repeating a row, retried writes stored once; the balance now and as
of a date."""

from __future__ import annotations

import httpx2
import pytest

from tests.apps.pennywise.ledger import FOOD, PW, SALARY, TRANSPORT, member, record

pytestmark = pytest.mark.anyio


async def test_a_transaction_is_stored_exactly_and_belongs_to_its_member(
    client: httpx2.AsyncClient,
) -> None:
    ann = await member(client)
    made = await record(client, ann, "12.5", description="Lunch", date="2026-03-07")
    assert (made["amount"], made["type"], made["signed_amount"]) == ("12.50", "expense", "-12.50")
    assert (made["currency"], made["date"], made["description"]) == ("USD", "2026-03-07", "Lunch")
    read = await client.get(f"{PW}/transactions/{made['id']}", headers=ann)
    assert read.json() == made
    changed = await client.put(
        f"{PW}/transactions/{made['id']}",
        json={"amount": "0.10", "type": "income", "category_id": SALARY},
        headers=ann,
    )
    assert changed.status_code == 200
    assert (changed.json()["signed_amount"], changed.json()["category_id"]) == ("0.10", SALARY)
    flipped = await client.put(
        f"{PW}/transactions/{made['id']}", json={"type": "expense"}, headers=ann
    )
    assert flipped.json()["signed_amount"] == "-0.10"

    bob = await member(client, "bob@example.com")
    for method in ("GET", "PUT", "DELETE"):
        body = {"description": "mine now"} if method == "PUT" else None
        other = await client.request(
            method, f"{PW}/transactions/{made['id']}", json=body, headers=bob
        )
        assert other.status_code == 404, method
    assert (await client.get(f"{PW}/transactions", headers=bob)).json()["items"] == []
    assert (await client.delete(f"{PW}/transactions/{made['id']}", headers=ann)).status_code == 204
    assert (await client.get(f"{PW}/transactions/{made['id']}", headers=ann)).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "1.005"}, "amount"),  # more decimals than USD has
        ({"amount": "0"}, "amount"),
        ({"amount": "-5"}, "amount"),  # the sign is the type's
        ({"amount": "abc"}, "amount"),
        ({"amount": 1e300}, "amount"),
        ({"type": "refund"}, "type"),
        ({"category_id": "00000000-0000-0000-0000-000000000001"}, "category_id"),
        ({"description": "x" * 501}, "description"),
        ({"date": "2026-02-30"}, "date"),
    ],
)
async def test_bad_input_is_refused_naming_the_field(
    client: httpx2.AsyncClient, body: dict[str, object], field: str
) -> None:
    ann = await member(client)
    valid = {"amount": "3.00", "type": "expense", "category_id": FOOD}
    refused = await client.post(f"{PW}/transactions", json={**valid, **body}, headers=ann)
    assert refused.status_code == 400, refused.text
    assert refused.json()["error"]["code"] == "VALIDATION_ERROR"
    assert field in str(refused.json()["error"]["details"])
    assert (await client.get(f"{PW}/transactions", headers=ann)).json()["items"] == []


async def test_another_members_category_cannot_be_used(client: httpx2.AsyncClient) -> None:
    ann, bob = await member(client), await member(client, "bob@example.com")
    mine = await client.post(f"{PW}/categories", json={"name": "Pets", "icon": "pets"}, headers=bob)
    refused = await client.post(
        f"{PW}/transactions",
        json={"amount": "3", "type": "expense", "category_id": mine.json()["id"]},
        headers=ann,
    )
    assert refused.status_code == 400
    assert "category_id" in refused.json()["error"]["details"]


async def test_a_retry_with_the_same_client_id_is_one_transaction(
    client: httpx2.AsyncClient,
) -> None:
    ann = await member(client)
    body = {"amount": "4.20", "type": "expense", "category_id": FOOD, "client_id": "phone-1"}
    first = await client.post(f"{PW}/transactions", json=body, headers=ann)
    again = await client.post(f"{PW}/transactions", json=body, headers=ann)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    bob = await member(client, "bob@example.com")
    theirs = await client.post(f"{PW}/transactions", json=body, headers=bob)
    assert theirs.status_code == 201  # client ids are per member
    assert len((await client.get(f"{PW}/transactions", headers=ann)).json()["items"]) == 1


async def test_filters_and_pages(client: httpx2.AsyncClient) -> None:
    ann = await member(client)
    await record(client, ann, "2000", "income", SALARY, date="2026-03-01", description="Pay")
    await record(client, ann, "12.00", date="2026-03-02", description="Pizza 50% off")
    await record(client, ann, "30.00", "expense", TRANSPORT, date="2026-03-03", description="Taxi")
    await record(client, ann, "7.25", date="2026-03-04", description="Pizza slice")
    await record(client, ann, "99.99", date="2026-02-20", description="Old dinner")

    async def descriptions(**params: object) -> list[str]:
        page = await client.get(f"{PW}/transactions", params=params, headers=ann)
        assert page.status_code == 200, page.text
        return [t["description"] for t in page.json()["items"]]

    assert await descriptions() == ["Pizza slice", "Taxi", "Pizza 50% off", "Pay", "Old dinner"]
    assert await descriptions(order="asc", limit=2) == ["Old dinner", "Pay"]
    assert await descriptions(category_id=FOOD) == ["Pizza slice", "Pizza 50% off", "Old dinner"]
    assert await descriptions(**{"from": "2026-03-02", "to": "2026-03-03"}) == [
        "Taxi",
        "Pizza 50% off",
    ]
    assert await descriptions(min_amount="12", max_amount="99.99") == [
        "Taxi",
        "Pizza 50% off",
        "Old dinner",
    ]
    assert await descriptions(q="pizza") == ["Pizza slice", "Pizza 50% off"]
    assert await descriptions(q="50%") == ["Pizza 50% off"]  # % is a character, not a wildcard
    assert await descriptions(q="_") == []
    assert await descriptions(type="income") == ["Pay"]
    bad = await client.get(f"{PW}/transactions", params={"min_amount": "1.001"}, headers=ann)
    assert bad.status_code == 400

    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, object] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await client.get(f"{PW}/transactions", params=params, headers=ann)).json()
        seen += [t["description"] for t in page["items"]]
        if page["next_cursor"] is None:
            break
        # A new row on an earlier date, between pages, is neither skipped nor repeated after.
        if len(seen) == 2:
            await record(client, ann, "1.00", date="2026-01-01", description="Late entry")
        cursor = page["next_cursor"]
    assert seen == [
        "Pizza slice",
        "Taxi",
        "Pizza 50% off",
        "Pay",
        "Old dinner",
        "Late entry",
    ]
    broken = await client.get(f"{PW}/transactions", params={"cursor": "nope"}, headers=ann)
    assert broken.status_code == 400


async def test_the_balance_now_and_as_of_a_date(client: httpx2.AsyncClient) -> None:
    ann = await member(client)
    empty = (await client.get(f"{PW}/transactions/balance", headers=ann)).json()
    assert (empty["balance"], empty["transactions"]) == ("0.00", 0)
    await record(client, ann, "1000.00", "income", SALARY, date="2026-03-01")
    food = await record(client, ann, "0.10", date="2026-03-02")
    await record(client, ann, "0.20", date="2026-03-03")
    now = (await client.get(f"{PW}/transactions/balance", headers=ann)).json()
    assert now == {
        "currency": "USD",
        "balance": "999.70",  # exact: 0.1 + 0.2 is 0.30 here
        "income": "1000.00",
        "expenses": "0.30",
        "as_of": None,
        "transactions": 3,
    }
    then = await client.get(
        f"{PW}/transactions/balance", params={"as_of": "2026-03-02"}, headers=ann
    )
    assert (then.json()["balance"], then.json()["as_of"]) == ("999.90", "2026-03-02")
    await client.delete(f"{PW}/transactions/{food['id']}", headers=ann)
    after = (await client.get(f"{PW}/transactions/balance", headers=ann)).json()
    assert after["balance"] == "999.80"  # the cached balance went with the change


async def test_the_currency_is_chosen_before_the_first_transaction(
    client: httpx2.AsyncClient,
) -> None:
    ann = await member(client)
    assert (await client.get(f"{PW}/account", headers=ann)).json() == {"currency": "USD"}
    unknown = await client.put(f"{PW}/account", json={"currency": "XYZ"}, headers=ann)
    assert unknown.status_code == 400
    assert (await client.put(f"{PW}/account", json={"currency": "JPY"}, headers=ann)).is_success
    yen = await record(client, ann, "1200")
    assert (yen["amount"], yen["currency"]) == ("1200", "JPY")
    fraction = await client.post(
        f"{PW}/transactions",
        json={"amount": "12.5", "type": "expense", "category_id": FOOD},
        headers=ann,
    )
    assert fraction.status_code == 400  # yen have no decimals
    late = await client.put(f"{PW}/account", json={"currency": "EUR"}, headers=ann)
    assert late.status_code == 409
