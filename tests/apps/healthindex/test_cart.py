"""The cart: adding and setting quantities, today's prices, what cannot be bought, whose it is."""

from __future__ import annotations

import uuid

import httpx2
import pytest
from fastapi import FastAPI

from tests.apps.healthindex.shop import HI, add, seeded, set_product, shopper

pytestmark = pytest.mark.anyio


async def test_add_set_and_remove(client: httpx2.AsyncClient) -> None:
    ann = await shopper(client)
    zinc, rope = seeded("Zinc Picolinate 25 mg")["id"], seeded("Adjustable Jump Rope")["id"]
    await add(client, ann, zinc, 2)
    cart = (await add(client, ann, zinc, 1)).json()
    assert [(line["quantity"], line["line_total_cents"]) for line in cart["lines"]] == [(3, 2997)]
    await client.post(f"{HI}/cart", json={"product_id": rope, "quantity": 2}, headers=ann)
    cart = (await client.get(f"{HI}/cart", headers=ann)).json()
    assert cart["subtotal_cents"] == 3 * 999 + 2 * 1599 and cart["item_count"] == 5
    set_one = await client.post(f"{HI}/cart", json={"product_id": zinc, "quantity": 1}, headers=ann)
    assert {line["name"]: line["quantity"] for line in set_one.json()["lines"]} == {
        "Zinc Picolinate 25 mg": 1,
        "Adjustable Jump Rope": 2,
    }
    zero = await client.post(f"{HI}/cart", json={"product_id": zinc, "quantity": 0}, headers=ann)
    assert [line["name"] for line in zero.json()["lines"]] == ["Adjustable Jump Rope"]
    emptied = await client.delete(f"{HI}/cart/{rope}", headers=ann)
    assert emptied.json() == {"lines": [], "subtotal_cents": 0, "currency": "usd", "item_count": 0}


async def test_the_cart_shows_todays_price_and_what_can_no_longer_be_bought(
    client: httpx2.AsyncClient, app: FastAPI
) -> None:
    ann = await shopper(client)
    oil, mat = seeded("Omega-3 Fish Oil")["id"], seeded("Yoga Mat 6 mm")["id"]
    await add(client, ann, oil)
    await add(client, ann, mat)
    await set_product(app, oil, price_cents=2199)
    await set_product(app, mat, active=False)
    cart = (await client.get(f"{HI}/cart", headers=ann)).json()
    lines = {line["name"]: line for line in cart["lines"]}
    assert lines["Omega-3 Fish Oil"]["unit_price_cents"] == 2199
    assert lines["Yoga Mat 6 mm"]["available"] is False
    assert cart["subtotal_cents"] == 2199  # only what can be bought


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"quantity": 1}, 400),  # no product
        ({"product_id": "x", "quantity": 1}, 400),
        ({"product_id": "PRODUCT", "quantity": 1, "add": 1}, 400),
        ({"product_id": "PRODUCT"}, 400),
        ({"product_id": "PRODUCT", "quantity": -1}, 400),
        ({"product_id": "PRODUCT", "quantity": 100}, 400),
        ({"product_id": str(uuid.UUID(int=7)), "quantity": 1}, 404),
    ],
)
async def test_bad_cart_changes_are_clear_errors(
    client: httpx2.AsyncClient, body: dict[str, object], status: int
) -> None:
    ann = await shopper(client)
    product = seeded("Foam Roller")["id"]
    body = {k: (product if v == "PRODUCT" else v) for k, v in body.items()}
    response = await client.post(f"{HI}/cart", json=body, headers=ann)
    assert response.status_code == status
    assert response.json()["error"]["code"]
    assert (await client.get(f"{HI}/cart", headers=ann)).json()["lines"] == []


async def test_stock_caps_and_retired_products_are_refused(
    client: httpx2.AsyncClient, app: FastAPI
) -> None:
    ann = await shopper(client)
    blanket = seeded("Weighted Blanket 7 kg")["id"]  # 10 in stock
    over = await add(client, ann, blanket, 11)
    assert over.status_code == 409
    assert over.json()["error"]["details"] == {"requested": 11, "available": 10}
    await add(client, ann, blanket, 60)  # refused, not half-added
    tea = seeded("Herbal Sleep Tea")["id"]  # not counted: only the line cap applies
    assert (await add(client, ann, tea, 99)).status_code == 200
    capped = await add(client, ann, tea, 1)
    assert capped.status_code == 409 and capped.json()["error"]["details"]["max"] == 99
    await set_product(app, blanket, active=False)
    retired = await add(client, ann, blanket, 1)
    assert retired.status_code == 409


async def test_a_cart_is_its_owners(client: httpx2.AsyncClient) -> None:
    ann = await shopper(client)
    bob = await shopper(client, "bob@example.com")
    await add(client, ann, seeded("Singing Bowl")["id"])
    assert (await client.get(f"{HI}/cart", headers=bob)).json()["lines"] == []
    await client.delete(f"{HI}/cart/{seeded('Singing Bowl')['id']}", headers=bob)
    assert len((await client.get(f"{HI}/cart", headers=ann)).json()["lines"]) == 1
    assert (await client.get(f"{HI}/cart")).status_code == 401
