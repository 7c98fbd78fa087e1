"""Checkout and orders. Placing an order snapshots its prices and takes its stock in one
transaction; billing's checkout charges exactly the snapshot; the payment (from either
provider's events) marks it paid once; an expired or canceled checkout gives the stock back."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.healthindex.models import CartLine, Order, OrderItem, Product
from appfleet.apps.healthindex.schemas import CheckoutResult, OrderLineRead, OrderPage, OrderRead
from appfleet.apps.healthindex.service._cart import lines as cart_lines
from appfleet.apps.healthindex.service._common import Shop, forget_catalog
from appfleet.core.errors import Conflict, NotFound
from appfleet.core.logging import get_logger
from appfleet.core.pagination import CursorParams, cursor_page, keyset_page
from appfleet.core.registry import AppContext, OrderQuote
from appfleet.platform.billing import service as billing
from appfleet.platform.billing.schemas import CheckoutCreate
from appfleet.platform.users.models import User

log = get_logger("appfleet.healthindex")


def _read(order: Order, items: Sequence[OrderItem]) -> OrderRead:
    return OrderRead(
        id=order.id,
        status=order.status,
        total_cents=order.total_cents,
        currency=order.currency,
        lines=[
            OrderLineRead(
                product_id=i.product_id, name=i.name, quantity=i.quantity, price_cents=i.price_cents
            )
            for i in items
        ],
        created_at=order.created_at,
        paid_at=order.paid_at,
        canceled_at=order.canceled_at,
    )


async def items_of(
    session: AsyncSession, order_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[OrderItem]]:
    found: dict[uuid.UUID, list[OrderItem]] = {i: [] for i in order_ids}
    if order_ids:
        rows = await session.scalars(
            select(OrderItem).where(OrderItem.order_id.in_(order_ids)).order_by(OrderItem.name)
        )
        for item in rows:
            found[item.order_id].append(item)
    return found


async def _take_stock(session: AsyncSession, product_id: uuid.UUID, quantity: int) -> int | None:
    """Take `quantity` of a counted product if that many are left, atomically: how many are
    left then, or None when there were not enough."""
    result: CursorResult[Any] = await session.execute(  # type: ignore[assignment]
        update(Product)
        .where(Product.id == product_id, Product.stock >= quantity)
        .values(stock=Product.stock - quantity)
        .returning(Product.stock)
    )
    return result.scalar_one_or_none()


async def _give_back(session: AsyncSession, items: Sequence[OrderItem]) -> None:
    for item in items:
        await session.execute(
            update(Product)
            .where(Product.id == item.product_id, Product.stock.is_not(None))
            .values(stock=Product.stock + item.quantity)
        )


async def checkout(
    session: AsyncSession, shop: Shop, app: AppContext, user: User
) -> CheckoutResult:
    """Place an order from the cart at today's prices and open its checkout."""
    pending = await session.scalar(
        select(Order).where(Order.user_id == user.id, Order.status == "pending").limit(1)
    )
    if pending is not None:
        raise Conflict(
            "You have an order awaiting payment: pay it or cancel it first",
            details={
                "order_id": str(pending.id),
                "cancel": f"{app.prefix}/orders/{pending.id}/cancel",
            },
        )
    found = await cart_lines(session, user.id)
    if not found:
        raise Conflict("Your cart is empty")
    # Nothing is locked to read: the stock is taken by conditional updates, which lock only
    # counted products, from that update to the commit, in id order so concurrent checkouts
    # never deadlock. (Locking every product of the cart for the whole checkout made every
    # buyer of a popular product wait for the one before, for uncounted products too.)
    ids = sorted(product.id for _, product in found)
    products = {product.id: product for _, product in found}
    quantities = {line.product_id: line.quantity for line, _ in found}
    unavailable = [str(i) for i in ids if not products[i].active]
    if unavailable:
        raise Conflict("Some products are no longer sold", details={"unavailable": unavailable})
    currencies = {products[i].currency for i in ids}
    if len(currencies) > 1:
        raise Conflict("One order has one currency", details={"currencies": sorted(currencies)})
    short: list[dict[str, Any]] = []
    sold_out = False
    for product_id in ids:
        if products[product_id].stock is None:  # not counted: never short, never written
            continue
        left = await _take_stock(session, product_id, quantities[product_id])
        if left is None:
            available = await session.scalar(select(Product.stock).where(Product.id == product_id))
            short.append({"product_id": str(product_id), "available": available})
        elif left == 0:
            sold_out = True
    if short:
        # Raising rolls back the stock taken for the other lines too.
        raise Conflict("Not enough in stock", details={"lines": short})
    now = shop.clock.now()
    order = Order(
        id=uuid.uuid4(),
        user_id=user.id,
        status="pending",
        total_cents=sum(products[i].price_cents * quantities[i] for i in ids),
        currency=currencies.pop(),
        created_at=now,
    )
    items = [
        OrderItem(
            order_id=order.id,
            product_id=i,
            name=products[i].name,
            quantity=quantities[i],
            price_cents=products[i].price_cents,
        )
        for i in ids
    ]
    session.add(order)
    session.add_all(items)
    await session.flush()
    if sold_out:
        forget_catalog(session, shop)  # "in stock" changed on a cached page
    opened = await billing.start_checkout(
        session, shop.billing, app, user, CheckoutCreate(order_id=str(order.id))
    )
    order.checkout_id = opened.id
    return CheckoutResult(order=_read(order, items), checkout=opened)


async def owned(session: AsyncSession, user_id: uuid.UUID, order_id: uuid.UUID) -> Order:
    order = await session.get(Order, order_id)
    if order is None or order.user_id != user_id:
        raise NotFound("No such order")
    return order


async def one(session: AsyncSession, user_id: uuid.UUID, order_id: uuid.UUID) -> OrderRead:
    order = await owned(session, user_id, order_id)
    return _read(order, (await items_of(session, [order.id]))[order.id])


async def page(session: AsyncSession, user_id: uuid.UUID, paging: CursorParams) -> OrderPage:
    columns: list[Any] = [Order.created_at, Order.id]
    query = keyset_page(
        select(Order).where(Order.user_id == user_id),
        columns,
        paging,
        (datetime, uuid.UUID),
    )
    rows, next_cursor = cursor_page(
        list(await session.scalars(query)), paging, lambda o: (o.created_at, str(o.id))
    )
    items = await items_of(session, [o.id for o in rows])
    return OrderPage(items=[_read(o, items[o.id]) for o in rows], next_cursor=next_cursor)


async def cancel(
    session: AsyncSession, shop: Shop, app: AppContext, user_id: uuid.UUID, order_id: uuid.UUID
) -> OrderRead:
    order = await owned(session, user_id, order_id)
    if order.status != "pending":
        raise Conflict(f"This order is {order.status}; only a pending order can be canceled")
    await billing.cancel_order(session, shop.billing, app, user_id, str(order.id))
    return await one(session, user_id, order_id)


# Billing's hooks (OrderHooks)


async def quote(session: AsyncSession, user_id: uuid.UUID, order_id: str) -> OrderQuote:
    order = await owned(session, user_id, _uuid(order_id))
    if order.status != "pending":
        raise Conflict(f"This order is {order.status}")
    count = sum(i.quantity for i in (await items_of(session, [order.id]))[order.id])
    noun = "item" if count == 1 else "items"
    return OrderQuote(
        str(order.id), order.total_cents, order.currency, f"Health Index order, {count} {noun}"
    )


async def paid(
    session: AsyncSession, order_id: str, amount: int, currency: str, at: datetime
) -> None:
    order = await session.get(Order, _uuid(order_id), with_for_update=True)
    if order is None or order.status == "paid":
        return
    if amount != order.total_cents or currency != order.currency:
        log.error(
            "order_paid_amount_differs",
            order=order_id,
            expected=order.total_cents,
            paid=amount,
            currency=currency,
        )
    items = (await items_of(session, [order.id]))[order.id]
    if order.status == "canceled":
        # Paid after its checkout expired (the provider's events crossed): take the stock
        # again where there is some; the money came in, so the order is paid regardless.
        for item in items:
            product = await session.get(Product, item.product_id)
            if product is None or product.stock is None:  # gone, or not counted
                continue
            if await _take_stock(session, product.id, item.quantity) is None:
                log.error(
                    "order_paid_after_cancel_oversold", order=order_id, product=str(item.product_id)
                )
    order.status, order.paid_cents, order.paid_at, order.canceled_at = "paid", amount, at, None
    # What was bought leaves the cart.
    await session.execute(
        delete(CartLine).where(
            CartLine.user_id == order.user_id,
            CartLine.product_id.in_([i.product_id for i in items]),
        )
    )


async def canceled(session: AsyncSession, order_id: str, at: datetime) -> None:
    order = await session.get(Order, _uuid(order_id), with_for_update=True)
    if order is None or order.status != "pending":
        return
    order.status, order.canceled_at = "canceled", at
    await _give_back(session, (await items_of(session, [order.id]))[order.id])


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound("No such order") from None
