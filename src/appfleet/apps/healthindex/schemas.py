from __future__ import annotations

import uuid
from datetime import datetime
from typing import Self

from pydantic import ConfigDict, Field, model_validator

from appfleet.core.schemas import Schema
from appfleet.platform.billing.schemas import CheckoutRead

SLUG = r"^[a-z][a-z0-9_]{1,39}$"
MAX_QUANTITY = 99


class CategoryRead(Schema):
    slug: str
    name: str
    emoji: str
    product_count: int = Field(description="Active products in it.")


class ProductRead(Schema):
    id: uuid.UUID
    slug: str
    name: str
    description: str
    price_cents: int = Field(description="Integer cents.")
    currency: str
    category: str
    image_url: str | None = Field(description="A time-limited link to the product's picture.")
    in_stock: bool
    active: bool


class ProductDetail(ProductRead):
    stock: int | None = Field(description="How many can be bought now; null: not counted.")


class ProductPage(Schema):
    items: list[ProductRead]
    total: int
    limit: int
    offset: int


class CartChange(Schema):
    """Set a product's quantity (`quantity`, 0 removes it) or add to it (`add`)."""

    model_config = ConfigDict(extra="forbid")

    product_id: uuid.UUID
    quantity: int | None = Field(None, ge=0, le=MAX_QUANTITY)
    add: int | None = Field(None, ge=1, le=MAX_QUANTITY)

    @model_validator(mode="after")
    def _one(self) -> Self:
        if (self.quantity is None) == (self.add is None):
            raise ValueError("give quantity (to set it) or add (to add to it)")
        return self


class CartLineRead(Schema):
    product_id: uuid.UUID
    name: str
    unit_price_cents: int
    quantity: int
    line_total_cents: int
    available: bool = Field(description="False: inactive or not enough in stock now.")


class CartRead(Schema):
    lines: list[CartLineRead]
    subtotal_cents: int = Field(description="Of the lines that can be bought now.")
    currency: str
    item_count: int


class OrderLineRead(Schema):
    product_id: uuid.UUID
    name: str
    quantity: int
    price_cents: int = Field(description="The unit price when the order was placed.")


class OrderRead(Schema):
    id: uuid.UUID
    status: str = Field(description="pending (awaiting payment), paid or canceled.")
    total_cents: int
    currency: str
    lines: list[OrderLineRead]
    created_at: datetime
    paid_at: datetime | None
    canceled_at: datetime | None


class OrderPage(Schema):
    items: list[OrderRead]
    next_cursor: str | None


class CheckoutResult(Schema):
    order: OrderRead
    checkout: CheckoutRead = Field(description="Open `checkout.url` to pay.")


class ProductCreate(Schema):
    model_config = ConfigDict(extra="forbid")

    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,119}$")
    name: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=4000)
    price_cents: int = Field(ge=0, le=10_000_000)
    currency: str = Field("usd", pattern=r"^[a-z]{3}$")
    category: str = Field(pattern=SLUG)
    stock: int | None = Field(None, ge=0, le=1_000_000)
    position: int = Field(0, ge=0, le=100_000)
    active: bool = True


class ProductUpdate(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=4000)
    price_cents: int | None = Field(None, ge=0, le=10_000_000)
    category: str | None = Field(None, pattern=SLUG)
    stock: int | None = Field(None, ge=0, le=1_000_000)
    track_stock: bool | None = Field(None, description="false: stop counting stock.")
    position: int | None = Field(None, ge=0, le=100_000)
    active: bool | None = None


class ProductImage(Schema):
    model_config = ConfigDict(extra="forbid")

    upload_id: uuid.UUID = Field(description="A completed upload of yours (purpose product_image).")
