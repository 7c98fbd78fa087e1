"""The cart: one line per product, priced at today's prices until checkout."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.healthindex.models import CartLine, Product
from appfleet.apps.healthindex.schemas import MAX_QUANTITY, CartChange, CartLineRead, CartRead
from appfleet.apps.healthindex.service._common import Shop
from appfleet.core.database import insert
from appfleet.core.errors import Conflict, NotFound

DEFAULT_CURRENCY = "usd"


async def lines(session: AsyncSession, user_id: uuid.UUID) -> list[tuple[CartLine, Product]]:
    rows = await session.execute(
        select(CartLine, Product)
        .join(Product, Product.id == CartLine.product_id)
        .where(CartLine.user_id == user_id)
        .order_by(CartLine.added_at, Product.name)
    )
    return [(line, product) for line, product in rows]


def available(product: Product, quantity: int) -> bool:
    return product.active and (product.stock is None or product.stock >= quantity)


async def read(session: AsyncSession, user_id: uuid.UUID) -> CartRead:
    found = await lines(session, user_id)
    rows = [
        CartLineRead(
            product_id=product.id,
            name=product.name,
            unit_price_cents=product.price_cents,
            quantity=line.quantity,
            line_total_cents=product.price_cents * line.quantity,
            available=available(product, line.quantity),
        )
        for line, product in found
    ]
    currency = found[0][1].currency if found else DEFAULT_CURRENCY
    return CartRead(
        lines=rows,
        subtotal_cents=sum(r.line_total_cents for r in rows if r.available),
        currency=currency,
        item_count=sum(r.quantity for r in rows),
    )


async def change(
    session: AsyncSession, shop: Shop, user_id: uuid.UUID, body: CartChange
) -> CartRead:
    product = await session.get(Product, body.product_id)
    if product is None:
        raise NotFound("No such product")
    existing = await session.get(CartLine, (user_id, product.id))
    current = existing.quantity if existing else 0
    quantity = body.quantity if body.quantity is not None else current + (body.add or 0)
    if quantity == 0:
        await remove(session, user_id, product.id)
        return await read(session, user_id)
    if quantity > MAX_QUANTITY:
        raise Conflict(
            f"At most {MAX_QUANTITY} of one product",
            details={"quantity": quantity, "max": MAX_QUANTITY},
        )
    if not product.active:
        raise Conflict("This product is no longer sold", details={"product_id": str(product.id)})
    if product.stock is not None and quantity > product.stock:
        raise Conflict(
            "Not enough in stock", details={"requested": quantity, "available": product.stock}
        )
    await session.execute(
        insert(session, CartLine)
        .values(
            user_id=user_id, product_id=product.id, quantity=quantity, added_at=shop.clock.now()
        )
        .on_conflict_do_update(
            index_elements=["user_id", "product_id"], set_={"quantity": quantity}
        )
    )
    session.expire_all()  # the line just upserted is read back fresh
    return await read(session, user_id)


async def remove(session: AsyncSession, user_id: uuid.UUID, product_id: uuid.UUID) -> None:
    await session.execute(
        delete(CartLine).where(CartLine.user_id == user_id, CartLine.product_id == product_id)
    )
