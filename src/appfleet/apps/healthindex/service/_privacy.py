"""Health Index's part of a user's data export and erasure."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.healthindex.models import CartLine, Order, OrderItem
from appfleet.apps.healthindex.service._orders import items_of


async def export_data(session: AsyncSession, user_id: uuid.UUID) -> dict[str, Any]:
    cart = await session.scalars(select(CartLine).where(CartLine.user_id == user_id))
    orders = list(
        await session.scalars(
            select(Order).where(Order.user_id == user_id).order_by(Order.created_at)
        )
    )
    items = await items_of(session, [o.id for o in orders])
    return {
        "cart": [{"product_id": str(c.product_id), "quantity": c.quantity} for c in cart],
        "orders": [
            {
                "id": str(o.id),
                "status": o.status,
                "total_cents": o.total_cents,
                "currency": o.currency,
                "created_at": o.created_at.isoformat(),
                "lines": [
                    {"name": i.name, "quantity": i.quantity, "price_cents": i.price_cents}
                    for i in items[o.id]
                ],
            }
            for o in orders
        ],
    }


async def erase_data(session: AsyncSession, user_id: uuid.UUID) -> None:
    await session.execute(delete(CartLine).where(CartLine.user_id == user_id))
    order_ids = select(Order.id).where(Order.user_id == user_id)
    await session.execute(delete(OrderItem).where(OrderItem.order_id.in_(order_ids)))
    await session.execute(delete(Order).where(Order.user_id == user_id))
