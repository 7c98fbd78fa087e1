"""Checkout and orders: prices kept from the moment of ordering, stock taken once and given
back, paid once through the sandbox's events, never two orders awaiting payment, and stock
that never goes negative under concurrent checkouts."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx2
import pytest
from fastapi import FastAPI

from appfleet.apps.healthindex.models import Order
from appfleet.core.clock import FixedClock
from tests.apps.healthindex.shop import HI, add, admin, seeded, set_product, shopper, stock_of
from tests.fixtures.accounts import emails_to, stored
from tests.platform.billing.flows import press, settle

pytestmark = pytest.mark.anyio


async def place(client: httpx2.AsyncClient, auth: dict[str, str]) -> dict[str, Any]:
    response = await client.post(f"{HI}/checkout", headers=auth)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_an_order_keeps_its_prices_and_is_paid_once(
    client: httpx2.AsyncClient, app: FastAPI
) -> None:
    ann = await shopper(client)
    ops = await admin(client, app)
    bell, tea = seeded("Kettlebell 12 kg"), seeded("Herbal Sleep Tea")
    await add(client, ann, bell["id"], 2)
    await add(client, ann, tea["id"], 3)
    placed = await place(client, ann)
    order, checkout = placed["order"], placed["checkout"]
    assert order["status"] == "pending" and order["total_cents"] == 2 * 5499 + 3 * 699
    assert checkout["amount_cents"] == order["total_cents"]
    assert await stock_of(client, bell["id"]) == 13  # set aside for this order

    # The price changes after the order was placed: the order (and its charge) do not.
    await client.patch(f"{HI}/admin/products/{bell['id']}", json={"price_cents": 9999}, headers=ops)
    assert (await press(client, checkout["url"], "pay")).status_code == 303
    await settle(app)
    paid = (await client.get(f"{HI}/orders/{order['id']}", headers=ann)).json()
    assert paid["status"] == "paid" and paid["total_cents"] == 2 * 5499 + 3 * 699
    assert {line["name"]: line["price_cents"] for line in paid["lines"]} == {
        "Kettlebell 12 kg": 5499,
        "Herbal Sleep Tea": 699,
    }
    [row] = await stored(app, Order)
    assert row.paid_cents == row.total_cents
    assert (await client.get(f"{HI}/cart", headers=ann)).json()["lines"] == []  # bought
    assert await stock_of(client, bell["id"]) == 13  # taken once, at ordering
    [receipt] = await emails_to(app, "ann@example.com", "payment_receipt")
    assert "$130.95" in receipt.payload["subject"]
    again = await client.post(
        "/api/v1/healthindex/billing/checkout-session", json={"order_id": order["id"]}, headers=ann
    )
    assert again.status_code == 409  # a paid order cannot be charged again


async def test_one_order_awaits_payment_at_a_time_and_canceling_gives_stock_back(
    client: httpx2.AsyncClient, app: FastAPI
) -> None:
    ann = await shopper(client)
    bowl = seeded("Singing Bowl")
    await add(client, ann, bowl["id"], 4)
    placed = await place(client, ann)
    assert await stock_of(client, bowl["id"]) == 16
    second = await client.post(f"{HI}/checkout", headers=ann)
    assert second.status_code == 409
    assert second.json()["error"]["details"]["order_id"] == placed["order"]["id"]

    canceled = await client.post(f"{HI}/orders/{placed['order']['id']}/cancel", headers=ann)
    assert canceled.status_code == 200 and canceled.json()["status"] == "canceled"
    assert await stock_of(client, bowl["id"]) == 20
    assert (await press(client, placed["checkout"]["url"], "pay")).status_code == 409  # closed
    await settle(app)
    assert (await client.get(f"{HI}/orders/{placed['order']['id']}", headers=ann)).json()[
        "status"
    ] == "canceled"
    twice = await client.post(f"{HI}/orders/{placed['order']['id']}/cancel", headers=ann)
    assert twice.status_code == 409
    assert len((await client.get(f"{HI}/cart", headers=ann)).json()["lines"]) == 1  # kept
    assert (await client.post(f"{HI}/checkout", headers=ann)).status_code == 201


async def test_leaving_the_checkout_page_releases_the_order(
    client: httpx2.AsyncClient, app: FastAPI
) -> None:
    ann = await shopper(client)
    shower = seeded("Shower Filter")
    await add(client, ann, shower["id"], 5)
    placed = await place(client, ann)
    await press(client, placed["checkout"]["url"], "cancel")
    await settle(app)  # checkout.session.expired: the order is canceled, stock back
    assert await stock_of(client, shower["id"]) == 25
    order = (await client.get(f"{HI}/orders/{placed['order']['id']}", headers=ann)).json()
    assert order["status"] == "canceled"


async def test_what_cannot_be_bought_stops_the_checkout_and_sets_nothing_aside(
    client: httpx2.AsyncClient, app: FastAPI
) -> None:
    ann = await shopper(client)
    assert (await client.post(f"{HI}/checkout", headers=ann)).status_code == 409  # empty
    bell, mat = seeded("Kettlebell 12 kg"), seeded("Yoga Mat 6 mm")
    await add(client, ann, bell["id"], 3)
    await add(client, ann, mat["id"], 1)
    await set_product(app, mat["id"], active=False)
    retired = await client.post(f"{HI}/checkout", headers=ann)
    assert retired.status_code == 409
    assert retired.json()["error"]["details"]["unavailable"] == [mat["id"]]
    await set_product(app, mat["id"], active=True)
    await set_product(app, bell["id"], stock=2)  # sold elsewhere since it went in the cart
    short = await client.post(f"{HI}/checkout", headers=ann)
    assert short.status_code == 409
    assert short.json()["error"]["details"]["lines"] == [{"product_id": bell["id"], "available": 2}]
    assert await stock_of(client, mat["id"]) == 30  # the mat's stock was not kept
    assert await stored(app, Order) == []


async def test_concurrent_checkouts_never_oversell(
    client: httpx2.AsyncClient, app: FastAPI, clock: FixedClock
) -> None:
    bell = seeded("Kettlebell 12 kg")
    await set_product(app, bell["id"], stock=3)
    shoppers = []
    for i in range(8):
        shoppers.append(await shopper(client, f"s{i}@example.com"))
        clock.advance(timedelta(seconds=20))  # sign-ups from one address: 3 a minute
    for auth in shoppers:
        assert (await add(client, auth, bell["id"], 1)).status_code == 200
    answers = await asyncio.gather(*(client.post(f"{HI}/checkout", headers=a) for a in shoppers))
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [201] * 3 + [409] * 5, [r.text for r in answers if r.status_code >= 500]
    assert await stock_of(client, bell["id"]) == 0
    assert len(await stored(app, Order)) == 3
    # Sold out now shows on the (cached) catalog page.
    page = (await client.get(f"{HI}/products", params={"category": "fitness"})).json()
    assert {p["id"]: p["in_stock"] for p in page["items"]}[bell["id"]] is False


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)  # row locks
async def test_buyers_of_an_uncounted_product_do_not_wait_for_each_other(
    client: httpx2.AsyncClient, app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    tea = seeded("Herbal Sleep Tea")  # its stock is not counted
    ann, bob = await shopper(client), await shopper(client, "bob@example.com")
    for auth in (ann, bob):
        await add(client, auth, tea["id"], 1)
    provider = app.state.billing.provider
    create, opening, answer = provider.create_checkout, asyncio.Event(), asyncio.Event()

    async def slow_for_the_first(request: Any) -> Any:  # the payment provider keeps Ann waiting
        if not opening.is_set():
            opening.set()
            await answer.wait()
        return await create(request)

    monkeypatch.setattr(provider, "create_checkout", slow_for_the_first)
    first = asyncio.create_task(client.post(f"{HI}/checkout", headers=ann))
    await asyncio.wait_for(opening.wait(), timeout=10)
    # Ann's checkout is open mid-transaction; Bob's goes through meanwhile.
    second = await asyncio.wait_for(client.post(f"{HI}/checkout", headers=bob), timeout=10)
    assert second.status_code == 201, second.text
    answer.set()
    assert (await first).status_code == 201


async def test_orders_are_their_owners(client: httpx2.AsyncClient) -> None:
    ann = await shopper(client)
    bob = await shopper(client, "bob@example.com")
    await add(client, ann, seeded("Foam Roller")["id"])
    placed = await place(client, ann)
    order_id = placed["order"]["id"]
    assert (await client.get(f"{HI}/orders/{order_id}", headers=bob)).status_code == 404
    assert (await client.post(f"{HI}/orders/{order_id}/cancel", headers=bob)).status_code == 404
    assert (await client.get(f"{HI}/orders", headers=bob)).json() == {
        "items": [],
        "next_cursor": None,
    }
    mine = (await client.get(f"{HI}/orders", headers=ann)).json()
    assert [o["id"] for o in mine["items"]] == [order_id]
    exported = (await client.get(f"{HI}/users/me/data", headers=ann)).json()["healthindex"]
    assert [o["id"] for o in exported["orders"]] == [order_id]
    assert exported["orders"][0]["lines"] == [
        {"name": "Foam Roller", "quantity": 1, "price_cents": 2499}
    ]
