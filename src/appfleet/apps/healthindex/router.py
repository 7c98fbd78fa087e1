"""Health Index's API (seed 002): the catalog, the cart, checkout and orders, and the shop's
admin. Sign-in (Sign in with Apple first), payments and uploads come from the platform."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Query, Response

from appfleet.apps.healthindex.deps import ShopDep
from appfleet.apps.healthindex.schemas import (
    SLUG,
    CartChange,
    CartRead,
    CategoryRead,
    CheckoutResult,
    OrderPage,
    OrderRead,
    ProductCreate,
    ProductDetail,
    ProductImage,
    ProductPage,
    ProductUpdate,
)
from appfleet.apps.healthindex.service import admin, cart, catalog, orders
from appfleet.apps.healthindex.service._common import CATALOG_TTL_S
from appfleet.core.conditional import cacheable_json
from appfleet.core.deps import CurrentApp, DatabaseDep, DbSession
from appfleet.core.idempotency.deps import Idempotent
from appfleet.core.pagination import CursorPaging, OffsetPage
from appfleet.core.routing import app_router
from appfleet.platform.admin.deps import member_may
from appfleet.platform.auth.deps import CurrentClaims, CurrentMember

CategoryFilter = Annotated[str | None, Query(pattern=SLUG, description="A category slug.")]
Search = Annotated[
    str | None, Query(min_length=2, max_length=100, description="In names and descriptions.")
]
IfNoneMatch = Annotated[str | None, Header()]
ADMIN = [member_may("products")]


def router() -> APIRouter:
    api = app_router()

    @api.get("/products", tags=["catalog"], response_model=ProductPage)
    async def list_products(
        db: DatabaseDep,
        shop: ShopDep,
        paging: OffsetPage,
        category: CategoryFilter = None,
        q: Search = None,
        if_none_match: IfNoneMatch = None,
    ) -> Response:
        """Active products, in shop order (cached five minutes; ETag)."""
        body = await catalog.products(db, shop, category, q, paging)
        shared = catalog.is_shared(q, paging)
        return cacheable_json(body, if_none_match, max_age_s=60, public=shared)

    @api.get("/products/{product_id}", tags=["catalog"])
    async def read_product(
        product_id: uuid.UUID, session: DbSession, shop: ShopDep
    ) -> ProductDetail:
        """One active product, with how many are in stock."""
        return await catalog.product(session, shop, product_id)

    @api.get("/categories", tags=["catalog"], response_model=list[CategoryRead])
    async def list_categories(
        db: DatabaseDep, shop: ShopDep, if_none_match: IfNoneMatch = None
    ) -> Response:
        """The categories with their number of active products."""
        return cacheable_json(
            await catalog.categories(db, shop), if_none_match, max_age_s=CATALOG_TTL_S
        )

    @api.get("/cart", tags=["cart"])
    async def read_cart(claims: CurrentClaims, session: DbSession) -> CartRead:
        """Your cart at today's prices."""
        return await cart.read(session, claims.user_id)

    @api.post("/cart", tags=["cart"])
    async def change_cart(
        body: CartChange, claims: CurrentClaims, session: DbSession, shop: ShopDep
    ) -> CartRead:
        """Set a product's quantity (`quantity`; 0 removes it) or add to it (`add`)."""
        return await cart.change(session, shop, claims.user_id, body)

    @api.delete("/cart/{product_id}", tags=["cart"])
    async def remove_from_cart(
        product_id: uuid.UUID, claims: CurrentClaims, session: DbSession
    ) -> CartRead:
        """Take a product out of your cart."""
        await cart.remove(session, claims.user_id, product_id)
        return await cart.read(session, claims.user_id)

    @api.post("/checkout", status_code=201, tags=["orders"], dependencies=[Idempotent])
    async def checkout(
        member: CurrentMember, session: DbSession, shop: ShopDep, app: CurrentApp
    ) -> CheckoutResult:
        """Order your cart at today's prices (they are kept in the order) and get the page to
        pay on. The products are set aside until the payment, or until the checkout expires."""
        return await orders.checkout(session, shop, app, member.user)

    @api.get("/orders", tags=["orders"])
    async def list_orders(
        claims: CurrentClaims, session: DbSession, paging: CursorPaging
    ) -> OrderPage:
        """Your orders, newest first."""
        return await orders.page(session, claims.user_id, paging)

    @api.get("/orders/{order_id}", tags=["orders"])
    async def read_order(
        order_id: uuid.UUID, claims: CurrentClaims, session: DbSession
    ) -> OrderRead:
        return await orders.one(session, claims.user_id, order_id)

    @api.post("/orders/{order_id}/cancel", tags=["orders"])
    async def cancel_order(
        order_id: uuid.UUID,
        claims: CurrentClaims,
        session: DbSession,
        shop: ShopDep,
        app: CurrentApp,
    ) -> OrderRead:
        """Cancel an order awaiting payment: its checkout closes and its products go back."""
        return await orders.cancel(session, shop, app, claims.user_id, order_id)

    @api.get("/admin/products", tags=["admin"], dependencies=ADMIN, response_model=ProductPage)
    async def list_all_products(
        db: DatabaseDep,
        shop: ShopDep,
        paging: OffsetPage,
        category: CategoryFilter = None,
        q: Search = None,
    ) -> Response:
        """Every product, retired ones too."""
        body = await catalog.products(db, shop, category, q, paging, include_inactive=True)
        return Response(body, media_type="application/json")

    @api.post("/admin/products", status_code=201, tags=["admin"], dependencies=ADMIN)
    async def create_product(
        body: ProductCreate, session: DbSession, shop: ShopDep
    ) -> ProductDetail:
        return await admin.create(session, shop, body)

    @api.patch("/admin/products/{product_id}", tags=["admin"], dependencies=ADMIN)
    async def update_product(
        product_id: uuid.UUID, body: ProductUpdate, session: DbSession, shop: ShopDep
    ) -> ProductDetail:
        """Change a product; `active: false` retires it (orders keep their lines)."""
        return await admin.update(session, shop, product_id, body)

    @api.put("/admin/products/{product_id}/image", tags=["admin"], dependencies=ADMIN)
    async def set_product_image(
        product_id: uuid.UUID,
        body: ProductImage,
        member: CurrentMember,
        session: DbSession,
        shop: ShopDep,
        app: CurrentApp,
    ) -> ProductDetail:
        """The product's picture, from a completed upload of yours (purpose product_image)."""
        return await admin.attach_image(session, shop, product_id, member.user.id, app.name, body)

    return api
