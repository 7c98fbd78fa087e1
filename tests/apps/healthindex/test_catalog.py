"""The catalog: the shipped products, pages, categories, search, cached pages that follow the
admin's changes, ETags."""

from __future__ import annotations

import uuid

import httpx2
import pytest
from fastapi import FastAPI

from tests.apps.healthindex.shop import CATALOG, HI, admin, seeded, set_product

pytestmark = pytest.mark.anyio


async def test_the_shipped_catalog_has_thirty_six_products_in_six_categories(
    client: httpx2.AsyncClient,
) -> None:
    first = (await client.get(f"{HI}/products", params={"limit": 30})).json()
    assert first["total"] == 36 and len(first["items"]) == 30
    rest = (await client.get(f"{HI}/products", params={"limit": 30, "offset": 30})).json()
    ids = [p["id"] for p in first["items"] + rest["items"]]
    assert len(set(ids)) == 36  # pages neither repeat nor skip
    assert {p["id"] for p in CATALOG["products"]} == set(ids)
    # Shop order: categories in their order, products in theirs.
    assert [p["category"] for p in first["items"][:7]] == ["supplements"] * 6 + ["fitness"]
    magnesium = first["items"][0]
    assert magnesium["price_cents"] == 1899 and magnesium["currency"] == "usd"
    assert magnesium["in_stock"] is True and magnesium["image_url"] is None


async def test_categories_count_their_active_products(client: httpx2.AsyncClient) -> None:
    response = await client.get(f"{HI}/categories")
    categories = response.json()
    assert [c["slug"] for c in categories] == [c["slug"] for c in CATALOG["categories"]]
    assert all(c["product_count"] == 6 for c in categories)


async def test_filter_by_category_and_search(client: httpx2.AsyncClient) -> None:
    sleep = (await client.get(f"{HI}/products", params={"category": "sleep"})).json()
    assert sleep["total"] == 6 and {p["category"] for p in sleep["items"]} == {"sleep"}
    found = (await client.get(f"{HI}/products", params={"q": "MAGNESIUM"})).json()
    expected = {
        p["id"]
        for p in CATALOG["products"]
        if "magnesium" in (p["name"] + " " + p["description"]).lower()
    }
    assert {p["id"] for p in found["items"]} == expected and len(expected) >= 3
    literal = (await client.get(f"{HI}/products", params={"q": "%%"})).json()
    assert literal["total"] == 0  # a wildcard is searched for, not obeyed
    bad = await client.get(f"{HI}/products", params={"category": "Not A Slug"})
    assert bad.status_code == 400


async def test_a_retired_product_leaves_the_cached_pages_at_once(
    client: httpx2.AsyncClient, app: FastAPI
) -> None:
    ops = await admin(client, app)
    mat = seeded("Yoga Mat 6 mm")
    before = (await client.get(f"{HI}/products", params={"category": "fitness"})).json()
    assert mat["id"] in [p["id"] for p in before["items"]]
    retired = await client.patch(
        f"{HI}/admin/products/{mat['id']}", json={"active": False}, headers=ops
    )
    assert retired.status_code == 200 and retired.json()["active"] is False
    after = (await client.get(f"{HI}/products", params={"category": "fitness"})).json()
    assert mat["id"] not in [p["id"] for p in after["items"]] and after["total"] == 5
    assert (await client.get(f"{HI}/products/{mat['id']}")).status_code == 404
    everything = (await client.get(f"{HI}/admin/products", headers=ops)).json()
    assert everything["total"] == 36  # the admin still sees it


async def test_a_product_in_detail_says_how_many_are_left(client: httpx2.AsyncClient) -> None:
    kettlebell = seeded("Kettlebell 12 kg")
    detail = (await client.get(f"{HI}/products/{kettlebell['id']}")).json()
    assert detail["stock"] == 15 and detail["name"] == "Kettlebell 12 kg"
    tea = (await client.get(f"{HI}/products/{seeded('Herbal Sleep Tea')['id']}")).json()
    assert tea["stock"] is None and tea["in_stock"] is True  # not counted
    assert (await client.get(f"{HI}/products/{uuid.uuid4()}")).status_code == 404
    assert (await client.get(f"{HI}/products/not-a-uuid")).status_code == 400


async def test_pages_carry_an_etag_and_answer_304(client: httpx2.AsyncClient, app: FastAPI) -> None:
    first = await client.get(f"{HI}/products")
    etag = first.headers["etag"]
    again = await client.get(f"{HI}/products", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    await set_product(app, seeded("Foam Roller")["id"], price_cents=2599)
    # A change made elsewhere shows once the cached page expires (five minutes at most)...
    await app.state.cache.delete_prefix("cache:healthindex:")
    changed = await client.get(f"{HI}/products", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag


async def test_browsing_pages_answered_from_the_edge_keep_the_platform_headers(
    client: httpx2.AsyncClient, app: FastAPI
) -> None:
    first = await client.get(f"{HI}/products", params={"limit": 5, "category": "sleep"})
    # Same query in another order: the same cached page, answered before routing.
    again = await client.get(f"{HI}/products", params={"category": "sleep", "limit": 5})
    assert again.json() == first.json() and again.headers["etag"] == first.headers["etag"]
    assert again.headers["x-request-id"] != first.headers["x-request-id"]
    assert again.headers["x-content-type-options"] == "nosniff"
    assert again.headers["cache-control"] == "public, max-age=60"
    searched = await client.get(f"{HI}/products", params={"q": "tea"})
    assert searched.headers["cache-control"] == "private, max-age=60"


async def test_an_unknown_category_is_not_found(client: httpx2.AsyncClient) -> None:
    for _ in range(2):  # neither answer is cached as an empty page
        missing = await client.get(f"{HI}/products", params={"category": "gadgets"})
        assert missing.status_code == 404
        assert missing.json()["error"]["code"] == "NOT_FOUND"
