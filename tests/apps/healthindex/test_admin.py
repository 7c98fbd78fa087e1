"""The shop's admin API: only admins, products created and changed with validation, pictures
from uploads (local storage here; the uploads tests cover S3)."""

from __future__ import annotations

import io
import uuid
from urllib.parse import urlsplit

import httpx2
import pytest
from fastapi import FastAPI
from PIL import Image

from tests.apps.healthindex.shop import HI, admin, seeded, shopper
from tests.fixtures.storage import png
from tests.platform.billing.flows import settle

pytestmark = pytest.mark.anyio
NEW = {
    "slug": "balance-board",
    "name": "Balance Board",
    "description": "Wooden rocker board for ankle stability.",
    "price_cents": 4599,
    "category": "fitness",
    "stock": 12,
}


def local_path(url: str) -> str:
    return urlsplit(url)._replace(scheme="", netloc="").geturl()


async def test_only_admins_manage_products(client: httpx2.AsyncClient) -> None:
    ann = await shopper(client)
    refused = await client.post(f"{HI}/admin/products", json=NEW, headers=ann)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "AUTHORIZATION_ERROR"
    product = seeded("Foam Roller")["id"]
    patched = await client.patch(
        f"{HI}/admin/products/{product}", json={"price_cents": 1}, headers=ann
    )
    assert patched.status_code == 403
    assert (await client.get(f"{HI}/admin/products", headers=ann)).status_code == 403
    assert (await client.get(f"{HI}/admin/products")).status_code == 401
    assert (await client.get(f"{HI}/products/{product}")).json()["price_cents"] == 2499


async def test_a_new_product_is_sold_at_once(client: httpx2.AsyncClient, app: FastAPI) -> None:
    ops = await admin(client, app)
    await client.get(f"{HI}/products", params={"category": "fitness"})  # a cached page
    created = await client.post(f"{HI}/admin/products", json=NEW, headers=ops)
    assert created.status_code == 201, created.text
    product = created.json()
    assert product["stock"] == 12 and product["active"] is True
    page = (await client.get(f"{HI}/products", params={"category": "fitness"})).json()
    assert "Balance Board" in [p["name"] for p in page["items"]]
    duplicate = await client.post(f"{HI}/admin/products", json=NEW, headers=ops)
    assert duplicate.status_code == 409
    untracked = await client.patch(
        f"{HI}/admin/products/{product['id']}", json={"track_stock": False}, headers=ops
    )
    assert untracked.json()["stock"] is None
    unchanged = await client.patch(
        f"{HI}/admin/products/{product['id']}",
        json={"name": None, "price_cents": None, "active": None},
        headers=ops,
    )
    assert unchanged.status_code == 200, unchanged.text
    assert unchanged.json()["name"] == product["name"]


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"category": "garden"}, 400),
        ({"price_cents": -1}, 400),
        ({"stock": -5}, 400),
        ({"name": ""}, 400),
        ({"colour": "red"}, 400),
    ],
)
async def test_bad_product_changes_are_refused(
    client: httpx2.AsyncClient, app: FastAPI, change: dict[str, object], status: int
) -> None:
    ops = await admin(client, app)
    product = seeded("Foam Roller")["id"]
    response = await client.patch(f"{HI}/admin/products/{product}", json=change, headers=ops)
    assert response.status_code == status
    assert (await client.get(f"{HI}/products/{product}")).json()["price_cents"] == 2499
    missing = await client.patch(f"{HI}/admin/products/{uuid.uuid4()}", json={}, headers=ops)
    assert missing.status_code == 404


async def test_a_product_picture_comes_from_an_upload(
    client: httpx2.AsyncClient, app: FastAPI
) -> None:
    ops = await admin(client, app)
    image = png(800, 600)
    ticket = (
        await client.post(
            f"{HI}/uploads",
            json={
                "filename": "roller.png",
                "content_type": "image/png",
                "size": len(image),
                "purpose": "product_image",
            },
            headers=ops,
        )
    ).json()
    headers = {k: v for k, v in ticket["upload"]["headers"].items() if k != "Content-Length"}
    sent = await client.put(local_path(ticket["upload"]["url"]), content=image, headers=headers)
    assert sent.status_code in (200, 204)
    upload_id = ticket["id"]
    product = seeded("Foam Roller")["id"]
    early = await client.put(
        f"{HI}/admin/products/{product}/image", json={"upload_id": upload_id}, headers=ops
    )
    assert early.status_code == 409  # not completed yet
    assert (await client.post(f"{HI}/uploads/{upload_id}/complete", headers=ops)).status_code == 200
    await settle(app)  # the WebP variant is made: the product gets that
    attached = await client.put(
        f"{HI}/admin/products/{product}/image", json={"upload_id": upload_id}, headers=ops
    )
    assert attached.status_code == 200, attached.text
    url = attached.json()["image_url"]
    assert url and "/media/file/" in url
    picture = await client.get(local_path(url))
    assert picture.status_code == 200
    shown = Image.open(io.BytesIO(picture.content))
    assert shown.format == "WEBP" and shown.size == (800, 600)
    listed = (await client.get(f"{HI}/products", params={"category": "fitness"})).json()
    assert {p["id"]: p["image_url"] for p in listed["items"]}[product] is not None
    # Someone else's upload cannot be attached.
    ann = await shopper(client)
    await client.patch(f"{HI}/admin/products/{product}", json={}, headers=ops)
    theirs = await client.put(
        f"{HI}/admin/products/{product}/image", json={"upload_id": str(uuid.uuid4())}, headers=ops
    )
    assert theirs.status_code == 404
    assert (
        await client.put(
            f"{HI}/admin/products/{product}/image", json={"upload_id": upload_id}, headers=ann
        )
    ).status_code == 403
