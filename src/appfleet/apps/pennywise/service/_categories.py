"""Categories: the shipped defaults (read-only) and each member's own, with icon names.

A member's list is cached a day (seed 003) and dropped by their every category change.
Deleting a category still in use needs `reassign_to`: its transactions move there first.
"""

from __future__ import annotations

import uuid

import orjson
from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.pennywise.models import Category, Transaction
from appfleet.apps.pennywise.schemas import CategoryCreate, CategoryRead, CategoryUpdate
from appfleet.apps.pennywise.service._common import (
    CATEGORIES_TTL_S,
    Ledger,
    Owner,
    categories_key,
    default_categories,
    forget_money,
)
from appfleet.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from appfleet.runtime.cache import forget_after_commit, read_through


def read(category: Category) -> CategoryRead:
    return CategoryRead(
        id=category.id, name=category.name, icon=category.icon, is_default=category.is_default
    )


def visible_to(user_id: uuid.UUID) -> ColumnElement[bool]:
    """Defaults and the member's own."""
    return or_(Category.user_id.is_(None), Category.user_id == user_id)


async def listing(session: AsyncSession, ledger: Ledger, owner: Owner) -> bytes:
    """Defaults first, then the member's own by name; as JSON, through the cache."""

    async def load() -> bytes:
        rows = await session.scalars(
            select(Category)
            .where(visible_to(owner.user_id))
            .order_by(Category.is_default.desc(), Category.name_key)
        )
        return orjson.dumps([read(c).model_dump(mode="json") for c in rows])

    body = await read_through(ledger.cache, categories_key(owner.user_id), CATEGORIES_TTL_S, load)
    assert body is not None  # noqa: S101 - load never answers None
    return body


DEFAULT_IDS = frozenset(uuid.UUID(str(c["id"])) for c in default_categories())


async def usable(session: AsyncSession, owner: Owner, category_id: uuid.UUID) -> uuid.UUID:
    """A category a transaction of the member's may be in; a 400 naming the field otherwise.
    The shipped defaults are known without a query (most transactions use one)."""
    if category_id in DEFAULT_IDS:
        return category_id
    owner_id = await session.scalar(select(Category.user_id).where(Category.id == category_id))
    if owner_id != owner.user_id:
        raise ValidationFailed(
            "Choose one of the default categories or one of your own",
            details={"category_id": {"message": "unknown category"}},
        )
    return category_id


async def owned(session: AsyncSession, owner: Owner, category_id: uuid.UUID) -> Category:
    """The member's own category to change: a default is 403, anyone else's a 404."""
    category = await session.get(Category, category_id)
    if category is None or category.user_id not in (None, owner.user_id):
        raise NotFound("No such category")
    if category.is_default:
        raise Forbidden("Default categories cannot be changed or deleted")
    return category


async def _name_free(
    session: AsyncSession, owner: Owner, name: str, except_id: uuid.UUID | None = None
) -> str:
    key = name.casefold()
    clash = await session.scalar(
        select(Category.id).where(
            visible_to(owner.user_id), Category.name_key == key, Category.id != except_id
        )
    )
    if clash is not None:
        raise Conflict(f"You already have a category named {name!r}")
    return key


async def create(
    session: AsyncSession, ledger: Ledger, owner: Owner, body: CategoryCreate
) -> CategoryRead:
    key = await _name_free(session, owner, body.name)
    category = Category(
        user_id=owner.user_id,
        name=body.name,
        name_key=key,
        icon=body.icon,
        is_default=False,
        created_at=ledger.clock.now(),
    )
    session.add(category)
    await session.flush()
    forget_after_commit(session, ledger.cache, categories_key(owner.user_id))
    return read(category)


async def change(
    session: AsyncSession, ledger: Ledger, owner: Owner, category: Category, body: CategoryUpdate
) -> CategoryRead:
    if body.name is not None and body.name != category.name:
        category.name_key = await _name_free(session, owner, body.name, category.id)
        category.name = body.name
    if body.icon is not None:
        category.icon = body.icon
    forget_after_commit(session, ledger.cache, categories_key(owner.user_id))
    forget_money(session, ledger, owner)  # analytics show category names
    return read(category)


async def remove(
    session: AsyncSession,
    ledger: Ledger,
    owner: Owner,
    category: Category,
    reassign_to: uuid.UUID | None,
) -> int:
    """Delete; answers how many transactions moved to `reassign_to`."""
    in_use = await session.scalar(
        select(func.count()).where(Transaction.category_id == category.id)
    )
    moved = 0
    if in_use:
        if reassign_to is None:
            raise Conflict(
                f"{in_use} transactions are in this category: pass reassign_to= to move them",
                details={"transactions": in_use},
            )
        if reassign_to == category.id:
            raise ValidationFailed(
                "Move the transactions to another category",
                details={"reassign_to": {"message": "the category being deleted"}},
            )
        target = await usable(session, owner, reassign_to)
        result = await session.execute(
            update(Transaction)
            .where(Transaction.category_id == category.id, Transaction.user_id == owner.user_id)
            .values(category_id=target, updated_at=ledger.clock.now())
        )
        moved = int(result.rowcount or 0)  # type: ignore[attr-defined]
    await session.delete(category)
    forget_after_commit(session, ledger.cache, categories_key(owner.user_id))
    forget_money(session, ledger, owner)
    return moved
