"""The catalog: categories, product pages (cached: the shop's busiest read), one product."""

from __future__ import annotations

import uuid

import orjson
from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.healthindex.models import Category, Product
from appfleet.apps.healthindex.schemas import CategoryRead, ProductDetail, ProductPage, ProductRead
from appfleet.apps.healthindex.service._common import (
    CACHED_OFFSETS,
    CATALOG_PREFIX,
    CATALOG_TTL_S,
    Shop,
)
from appfleet.core.database import Database, unit_of_work
from appfleet.core.errors import NotFound
from appfleet.core.pagination import OffsetParams
from appfleet.runtime.cache import read_through


def read(shop: Shop, product: Product) -> ProductRead:
    return ProductRead(
        id=product.id,
        slug=product.slug,
        name=product.name,
        description=product.description,
        price_cents=product.price_cents,
        currency=product.currency,
        category=product.category,
        image_url=shop.image_url(product),
        in_stock=product.stock is None or product.stock > 0,
        active=product.active,
    )


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _listing(category: str | None, search: str | None, include_inactive: bool) -> Select[Product]:
    query = select(Product).join(Category, Category.slug == Product.category)
    if not include_inactive:
        query = query.where(Product.active.is_(True))
    if category is not None:
        query = query.where(Product.category == category)
    if search:
        pattern = f"%{_escaped(search)}%"
        query = query.where(
            or_(
                Product.name.ilike(pattern, escape="\\"),
                Product.description.ilike(pattern, escape="\\"),
            )
        )
    return query


async def _page(
    session: AsyncSession,
    shop: Shop,
    category: str | None,
    search: str | None,
    paging: OffsetParams,
    include_inactive: bool,
) -> ProductPage:
    listing = _listing(category, search, include_inactive)
    total = await session.scalar(select(func.count()).select_from(listing.subquery()))
    rows = await session.scalars(
        listing.order_by(Category.position, Product.position, Product.name, Product.id)
        .limit(paging.limit)
        .offset(paging.offset)
    )
    return ProductPage(
        items=[read(shop, p) for p in rows],
        total=int(total or 0),
        limit=paging.limit,
        offset=paging.offset,
    )


def is_shared(search: str | None, paging: OffsetParams, *, include_inactive: bool = False) -> bool:
    """Whether a catalog page is one everyone browses, and so cached (here and at the edge)."""
    return not (search or include_inactive or paging.offset > CACHED_OFFSETS)


async def products(
    db: Database,
    shop: Shop,
    category: str | None,
    search: str | None,
    paging: OffsetParams,
    *,
    include_inactive: bool = False,
) -> bytes:
    """A page of the catalog as JSON. The pages people browse come from the cache (a database
    session is opened only to fill it); searches and the admin's view are read each time."""

    async def load() -> bytes:
        async with unit_of_work(db, write=False) as session:
            if category is not None and not await category_exists(session, category):
                raise NotFound("No such category")
            page = await _page(session, shop, category, search, paging, include_inactive)
        return orjson.dumps(page.model_dump(mode="json"))

    if not is_shared(search, paging, include_inactive=include_inactive):
        return await load()
    key = f"{CATALOG_PREFIX}products:{category or '*'}:{paging.limit}:{paging.offset}"
    body = await read_through(shop.cache, key, CATALOG_TTL_S, load)
    return body or await load()


async def categories(db: Database, shop: Shop) -> bytes:
    async def load() -> bytes:
        async with unit_of_work(db, write=False) as session:
            counted = (
                select(Product.category, func.count().label("n"))
                .where(Product.active.is_(True))
                .group_by(Product.category)
                .subquery()
            )
            rows = await session.execute(
                select(Category, func.coalesce(counted.c.n, 0))
                .outerjoin(counted, counted.c.category == Category.slug)
                .order_by(Category.position, Category.slug)
            )
            found = [
                CategoryRead(slug=c.slug, name=c.name, emoji=c.emoji, product_count=int(n))
                for c, n in rows
            ]
        return orjson.dumps([c.model_dump() for c in found])

    body = await read_through(shop.cache, f"{CATALOG_PREFIX}categories", CATALOG_TTL_S, load)
    return body or await load()


async def product(
    session: AsyncSession, shop: Shop, product_id: uuid.UUID, *, include_inactive: bool = False
) -> ProductDetail:
    found = await session.get(Product, product_id)
    if found is None or not (found.active or include_inactive):
        raise NotFound("No such product")
    return ProductDetail(**read(shop, found).model_dump(), stock=found.stock)


async def category_exists(session: AsyncSession, slug: str) -> bool:
    return await session.get(Category, slug) is not None
