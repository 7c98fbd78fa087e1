"""The shop's admin: products created, edited, retired, and their pictures (through uploads)."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.healthindex.models import Product
from appfleet.apps.healthindex.schemas import (
    ProductCreate,
    ProductDetail,
    ProductImage,
    ProductUpdate,
)
from appfleet.apps.healthindex.service._catalog import category_exists, product
from appfleet.apps.healthindex.service._common import Shop, forget_catalog, shop_from
from appfleet.core.database import after_commit
from appfleet.core.errors import Conflict, NotFound, ServiceUnavailable, ValidationFailed, validated
from appfleet.core.patching import patch_values
from appfleet.core.registry import CatalogField, EditableCatalog
from appfleet.platform.audit import service as audit
from appfleet.platform.audit.service import Origin
from appfleet.platform.uploads.models import Upload
from appfleet.providers.storage.base import StorageUnavailable

IMAGE_PURPOSE = "product_image"


async def _category(session: AsyncSession, slug: str) -> None:
    if not await category_exists(session, slug):
        raise ValidationFailed("No such category", details={"category": {"message": "unknown"}})


async def create(session: AsyncSession, shop: Shop, body: ProductCreate) -> ProductDetail:
    await _category(session, body.category)
    if await session.scalar(select(Product.id).where(Product.slug == body.slug)) is not None:
        raise Conflict("A product has this slug", details={"slug": body.slug})
    now = shop.clock.now()
    created = Product(**body.model_dump(), image_key=None, created_at=now, updated_at=now)
    session.add(created)
    await session.flush()
    forget_catalog(session, shop)
    return await product(session, shop, created.id, include_inactive=True)


async def update(
    session: AsyncSession, shop: Shop, product_id: uuid.UUID, body: ProductUpdate
) -> ProductDetail:
    found = await session.get(Product, product_id, with_for_update=True)
    if found is None:
        raise NotFound("No such product")
    changes = patch_values(body, nullable=("stock",))
    if "category" in changes:
        await _category(session, changes["category"])
    if changes.pop("track_stock", None) is False:
        changes["stock"] = None
    for name, value in changes.items():
        setattr(found, name, value)
    found.updated_at = shop.clock.now()
    forget_catalog(session, shop)
    return await product(session, shop, found.id, include_inactive=True)


async def attach_image(
    session: AsyncSession,
    shop: Shop,
    product_id: uuid.UUID,
    admin_id: uuid.UUID,
    app: str,
    body: ProductImage,
) -> ProductDetail:
    """Copy a completed upload of the admin's to the product's own key: the picture stays
    when the admin's account (and with it their uploads) is deleted."""
    found = await session.get(Product, product_id, with_for_update=True)
    if found is None:
        raise NotFound("No such product")
    upload = await session.get(Upload, body.upload_id)
    if upload is None or upload.user_id != admin_id or upload.app != app:
        raise NotFound("No such upload")
    if upload.status != "ready" or upload.purpose != IMAGE_PURPOSE:
        raise Conflict(
            f"Use a completed upload with purpose {IMAGE_PURPOSE}",
            details={"status": upload.status, "purpose": upload.purpose},
        )
    source = (
        upload.variant_key
        if upload.variant_status == "ready" and upload.variant_key
        else upload.key
    )
    suffix = PurePosixPath(source).suffix
    content_type = "image/webp" if source != upload.key else upload.content_type
    target = f"{app}/public/products/{found.id}/{uuid.uuid4().hex}{suffix}"
    try:
        await shop.storage.write(target, await shop.storage.read(source), content_type)
    except StorageUnavailable as exc:
        raise ServiceUnavailable("Storage is unavailable; try again shortly") from exc
    previous, found.image_key, found.updated_at = found.image_key, target, shop.clock.now()
    if previous:
        old_key, storage = previous, shop.storage

        async def drop_previous() -> None:
            try:
                await storage.delete(old_key)
            except StorageUnavailable:
                pass  # an orphaned picture costs bytes, not correctness

        after_commit(session, drop_previous)
    forget_catalog(session, shop)
    return await product(session, shop, found.id, include_inactive=True)


# The console's view of the products (`CATALOG`): pictures are set through the admin API.
FIELDS = (
    CatalogField("slug", "Slug (lower-case, dashes)", on_create_only=True),
    CatalogField("name", "Name"),
    CatalogField("description", "Description", "long_text"),
    CatalogField("price_cents", "Price in cents", "int"),
    CatalogField("currency", "Currency (ISO 4217, lower-case)"),
    CatalogField("category", "Category slug"),
    CatalogField("stock", "Stock (empty: not counted)", "int"),
    CatalogField("position", "Position in the shop", "int"),
    CatalogField("active", "On sale", "bool"),
)
_COLUMNS = tuple(f.name for f in FIELDS)


async def rows(session: AsyncSession) -> list[dict[str, Any]]:
    found = await session.scalars(select(Product).order_by(Product.position, Product.name))
    return [{"id": str(p.id), **{c: getattr(p, c) for c in _COLUMNS}} for p in found]


async def write(
    session: AsyncSession,
    resources: Any,
    origin: Origin,
    by: uuid.UUID,
    item_id: str | None,
    values: dict[str, Any],
) -> dict[str, Any]:
    shop = shop_from(resources)
    values = {**values, "stock": values.get("stock") if values.get("stock") != "" else None}
    if item_id is None:
        saved = await create(session, shop, validated(ProductCreate, values))
    else:
        change = {k: v for k, v in values.items() if k != "slug"}
        change["track_stock"] = change.get("stock") is not None
        saved = await update(session, shop, _uuid(item_id), validated(ProductUpdate, change))
    await audit.record(
        session,
        shop.clock,
        origin,
        "product_changed",
        by,
        product=str(saved.id),
        created=item_id is None,
    )
    return saved.model_dump(mode="json")


def _uuid(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise NotFound("No such product") from None


CATALOG = EditableCatalog("products", "Products", "products", FIELDS, rows, write)
