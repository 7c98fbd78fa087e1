"""Health Index: categories and products (with the seed catalog), carts, orders

Revision ID: 0014_healthindex
Revises: 0013_billing
Create Date: 2026-12-01
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import sqlalchemy as sa
from alembic import op

from appfleet.core.database import UTCDateTime

revision: str = "0014_healthindex"
down_revision: str | Sequence[str] | None = "0013_billing"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
# The catalog as first shipped; later changes to it come with migrations of their own.
CATALOG = "catalog_v1.json"
SHIPPED = datetime(2026, 12, 1, tzinfo=UTC)


def upgrade() -> None:
    op.create_table(
        "healthindex_category",
        sa.Column("slug", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("emoji", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_healthindex_category")),
    )
    op.create_table(
        "healthindex_order",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("total_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("checkout_id", sa.String(length=255), nullable=True),
        sa.Column("paid_cents", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("paid_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("canceled_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_healthindex_order_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_healthindex_order")),
    )
    with op.batch_alter_table("healthindex_order", schema=None) as batch_op:
        batch_op.create_index(
            "ix_healthindex_order_user", ["user_id", "created_at", "id"], unique=False
        )

    op.create_table(
        "healthindex_product",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=4000), nullable=False),
        sa.Column("price_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("image_key", sa.String(length=400), nullable=True),
        sa.Column("stock", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "price_cents >= 0", name=op.f("ck_healthindex_product_price_not_negative")
        ),
        sa.CheckConstraint(
            "stock IS NULL OR stock >= 0", name=op.f("ck_healthindex_product_stock_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["category"],
            ["healthindex_category.slug"],
            name=op.f("fk_healthindex_product_category_healthindex_category"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_healthindex_product")),
        sa.UniqueConstraint("slug", name=op.f("uq_healthindex_product_slug")),
    )
    with op.batch_alter_table("healthindex_product", schema=None) as batch_op:
        batch_op.create_index(
            "ix_healthindex_product_listing",
            ["active", "category", "position", "name"],
            unique=False,
        )

    op.create_table(
        "healthindex_cart_line",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("added_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["healthindex_product.id"],
            name=op.f("fk_healthindex_cart_line_product_id_healthindex_product"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_healthindex_cart_line_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "product_id", name=op.f("pk_healthindex_cart_line")),
    )
    op.create_table(
        "healthindex_order_item",
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("price_cents", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["healthindex_order.id"],
            name=op.f("fk_healthindex_order_item_order_id_healthindex_order"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["healthindex_product.id"],
            name=op.f("fk_healthindex_order_item_product_id_healthindex_product"),
        ),
        sa.PrimaryKeyConstraint("order_id", "product_id", name=op.f("pk_healthindex_order_item")),
    )
    _seed()


def _seed() -> None:
    catalog = json.loads(
        resources.files("appfleet.apps.healthindex.data").joinpath(CATALOG).read_text("utf-8")
    )
    categories = sa.table(
        "healthindex_category", *(sa.column(n) for n in ("slug", "name", "emoji", "position"))
    )
    op.bulk_insert(categories, catalog["categories"])
    typed: dict[str, Any] = {
        "id": sa.Uuid(),
        "created_at": UTCDateTime(),
        "updated_at": UTCDateTime(),
    }
    names = (*catalog["products"][0], "active", "image_key", "created_at", "updated_at")
    products = sa.table("healthindex_product", *(sa.column(n, typed.get(n)) for n in names))
    rows = [
        {
            **p,
            "id": uuid.UUID(p["id"]),
            "active": True,
            "image_key": None,
            "created_at": SHIPPED,
            "updated_at": SHIPPED,
        }
        for p in catalog["products"]
    ]
    op.bulk_insert(products, rows)


def downgrade() -> None:
    op.drop_table("healthindex_order_item")
    op.drop_table("healthindex_cart_line")
    with op.batch_alter_table("healthindex_product", schema=None) as batch_op:
        batch_op.drop_index("ix_healthindex_product_listing")

    op.drop_table("healthindex_product")
    with op.batch_alter_table("healthindex_order", schema=None) as batch_op:
        batch_op.drop_index("ix_healthindex_order_user")

    op.drop_table("healthindex_order")
    op.drop_table("healthindex_category")
