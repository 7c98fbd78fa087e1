from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from appfleet.core.database import Base

USER_FK = "user_account.id"


class Category(Base):
    __tablename__ = "healthindex_category"

    slug: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    emoji: Mapped[str] = mapped_column(String(16), default="")
    position: Mapped[int] = mapped_column(default=0)


class Product(Base):
    """A product of the shop (seed 002). Prices are integer cents; `stock` None means the
    shop does not count it. Stock is taken when an order is placed and given back if the
    order is canceled, so it never goes below zero (the database refuses it too)."""

    __tablename__ = "healthindex_product"
    __table_args__ = (
        CheckConstraint("stock IS NULL OR stock >= 0", name="stock_not_negative"),
        CheckConstraint("price_cents >= 0", name="price_not_negative"),
        # The catalog's pages: active products of a category in shop order.
        Index("ix_healthindex_product_listing", "active", "category", "position", "name"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(4000), default="")
    price_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3), default="usd")
    category: Mapped[str] = mapped_column(ForeignKey("healthindex_category.slug"))
    image_key: Mapped[str | None] = mapped_column(String(400))  # an upload's storage key
    stock: Mapped[int | None]
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class CartLine(Base):
    __tablename__ = "healthindex_cart_line"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(USER_FK, ondelete="CASCADE"), primary_key=True
    )
    product_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("healthindex_product.id", ondelete="CASCADE"), primary_key=True
    )
    quantity: Mapped[int]
    added_at: Mapped[datetime]


class Order(Base):
    """An order: its lines keep the prices of the moment it was placed (seed 002's orders)."""

    __tablename__ = "healthindex_order"
    __table_args__ = (Index("ix_healthindex_order_user", "user_id", "created_at", "id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(USER_FK, ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10))  # pending | paid | canceled
    total_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    checkout_id: Mapped[str | None] = mapped_column(String(255))  # the provider's session
    paid_cents: Mapped[int | None]
    created_at: Mapped[datetime]
    paid_at: Mapped[datetime | None]
    canceled_at: Mapped[datetime | None]


class OrderItem(Base):
    __tablename__ = "healthindex_order_item"

    order_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("healthindex_order.id", ondelete="CASCADE"), primary_key=True
    )
    product_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("healthindex_product.id"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int]
    price_cents: Mapped[int]
