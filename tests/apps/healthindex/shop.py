"""Steps of shopping at Health Index, shared by its tests."""

from __future__ import annotations

import json
import uuid
from importlib import resources
from typing import Any

import httpx2
from fastapi import FastAPI
from sqlalchemy import update

from appfleet.apps.healthindex.models import Product
from appfleet.core.database import unit_of_work
from tests.fixtures.accounts import bearer, register
from tests.fixtures.admins import grant

HI = "/api/v1/healthindex"
CATALOG: dict[str, Any] = json.loads(
    resources.files("appfleet.apps.healthindex.data").joinpath("catalog_v1.json").read_text()
)


def seeded(name: str) -> dict[str, Any]:
    """A product of the shipped catalog, by name."""
    return next(p for p in CATALOG["products"] if p["name"] == name)


async def shopper(client: httpx2.AsyncClient, email: str = "ann@example.com") -> dict[str, str]:
    tokens = await register(client, app="healthindex", email=email)
    return bearer(tokens["access_token"])


async def admin(
    client: httpx2.AsyncClient, app: FastAPI, email: str = "ops@example.com"
) -> dict[str, str]:
    auth = await shopper(client, email)
    await grant(app, email)
    return auth


async def set_product(app: FastAPI, product_id: str, **values: Any) -> None:
    """Change a product straight in the database (as another process would)."""
    async with unit_of_work(app.state.db) as session:
        await session.execute(
            update(Product).where(Product.id == uuid.UUID(product_id)).values(**values)
        )


async def add(
    client: httpx2.AsyncClient, auth: dict[str, str], product_id: str, quantity: int = 1
) -> httpx2.Response:
    return await client.post(
        f"{HI}/cart", json={"product_id": product_id, "add": quantity}, headers=auth
    )


async def stock_of(client: httpx2.AsyncClient, product_id: str) -> int | None:
    response = await client.get(f"{HI}/products/{product_id}")
    assert response.status_code == 200, response.text
    return response.json()["stock"]  # type: ignore[no-any-return]
