"""The edge cache: declared public pages answered from the cache before routing, stored only
when the app marked them public, dropped with their prefix, never stored across an invalidation."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx2
import pytest
from fastapi import Query, Response

from appfleet.core.conditional import cacheable_json
from appfleet.core.dispatch import FleetAPI
from appfleet.core.registry import PublicPage
from appfleet.runtime.cache import MemoryCache
from appfleet.runtime.edge import EdgeCache

pytestmark = pytest.mark.anyio
PREFIX = "cache:shop:"


@dataclass
class Shop:
    price: int = 100
    built: int = 0
    gate: asyncio.Event | None = None
    started: asyncio.Event = field(default_factory=asyncio.Event)
    seen: list[str] = field(default_factory=list)


def shop_app(shop: Shop, cache: MemoryCache) -> FleetAPI:
    api = FleetAPI()
    api.state.cache = cache

    @api.get("/api/v1/shop/products")
    async def products(limit: int = Query(10, le=100), q: str | None = None) -> Response:
        shop.built += 1
        shop.started.set()
        if shop.gate is not None:
            await shop.gate.wait()
        body = f'{{"price":{shop.price},"limit":{limit}}}'.encode()
        return cacheable_json(body, None, max_age_s=60, public=not q)

    edge = EdgeCache(api.router)
    edge.add("/api/v1/shop", (PublicPage("/products", ("limit",), PREFIX, 300),))
    api.dispatch = edge
    return api


Setup = tuple[Shop, MemoryCache, httpx2.AsyncClient]


@pytest.fixture
async def setup() -> AsyncIterator[Setup]:
    shop, cache = Shop(), MemoryCache()
    transport = httpx2.ASGITransport(app=shop_app(shop, cache))
    async with httpx2.AsyncClient(transport=transport, base_url="http://test") as client:
        yield shop, cache, client


URL = "/api/v1/shop/products"


async def test_a_public_page_is_built_once_then_served_from_the_cache(setup: Setup) -> None:
    shop, _, client = setup
    first = await client.get(URL, params={"limit": 5})
    shop.price = 999  # the cache answers until the app invalidates
    second = await client.get(URL, params={"limit": 5})
    assert first.json() == second.json() == {"price": 100, "limit": 5}
    assert shop.built == 1
    assert second.headers["etag"] == first.headers["etag"]
    assert second.headers["cache-control"] == "public, max-age=60"
    not_modified = await client.get(
        URL, params={"limit": 5}, headers={"If-None-Match": first.headers["etag"]}
    )
    assert not_modified.status_code == 304 and not_modified.content == b""
    other = await client.get(URL, params={"limit": 7})  # another query is another entry
    assert other.json() == {"price": 999, "limit": 7} and shop.built == 2


async def test_undeclared_parameters_private_answers_and_errors_go_through(setup: Setup) -> None:
    shop, _, client = setup
    for _ in range(2):
        await client.get(URL, params={"limit": 5, "q": "tea"})  # q is not declared
        await client.get(URL + "?limit=5&limit=6")  # repeated
        assert (await client.get(URL, params={"limit": 500})).status_code == 422
    assert shop.built == 4  # two per round: 422s never reach the handler
    await client.get(URL)
    await client.get(URL)
    assert shop.built == 5


async def test_the_prefix_delete_drops_entries(setup: Setup) -> None:
    shop, cache, client = setup
    await client.get(URL)
    shop.price = 250
    await cache.delete_prefix(PREFIX)
    assert (await client.get(URL)).json()["price"] == 250


async def test_a_page_built_across_an_invalidation_is_not_stored(setup: Setup) -> None:
    shop, cache, client = setup
    shop.gate = asyncio.Event()
    slow = asyncio.create_task(client.get(URL))
    await asyncio.wait_for(shop.started.wait(), 5)
    await cache.delete_prefix(PREFIX)  # the change committed while the old page was built
    shop.gate.set()
    assert (await slow).json()["price"] == 100
    shop.price = 300
    assert (await client.get(URL)).json()["price"] == 300
    assert shop.built == 2
