"""Transactions: exact amounts in the member's currency, signed inside (income +, expense -),
filtered and paged by date; the balance as a SUM, cached five minutes (seed 003)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

import orjson
from sqlalchemy import Select, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.pennywise.models import Transaction
from appfleet.apps.pennywise.money import AmountError, to_minor, to_text
from appfleet.apps.pennywise.schemas import (
    BalanceRead,
    Kind,
    TransactionCreate,
    TransactionPage,
    TransactionRead,
    TransactionUpdate,
)
from appfleet.apps.pennywise.service import _accounts, _categories
from appfleet.apps.pennywise.service._common import (
    BALANCE_TTL_S,
    Ledger,
    Owner,
    balance_key,
    balance_moved,
    first_page_key,
    forget_money,
    sums,
)
from appfleet.core.database import Database, insert_for, unit_of_work
from appfleet.core.errors import NotFound, ValidationFailed
from appfleet.core.pagination import CursorParams, cursor_page, keyset_page
from appfleet.runtime.cache import read_through

T = Transaction.__table__.c


def read(row: Transaction) -> TransactionRead:
    kind: Kind = "income" if row.amount_minor > 0 else "expense"
    return TransactionRead(
        id=row.id,
        amount=to_text(abs(row.amount_minor), row.currency),
        type=kind,
        signed_amount=to_text(row.amount_minor, row.currency),
        currency=row.currency,
        category_id=row.category_id,
        description=row.description,
        date=row.occurred_on,
        client_id=row.client_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def signed_minor(amount: Decimal, kind: Kind, currency: str) -> int:
    try:
        minor = to_minor(amount, currency)
    except AmountError as exc:
        raise ValidationFailed(str(exc), details={"amount": {"message": str(exc)}}) from exc
    return minor if kind == "income" else -minor


@cache
def _insert(dialect: str) -> Any:
    # Built once: a retry with the same client id inserts nothing and returns no row.
    return (
        insert_for(dialect, Transaction.__table__)
        .on_conflict_do_nothing(index_elements=["user_id", "client_id"])
        .returning(T.id)
    )


@dataclass(frozen=True, slots=True)
class Written:
    transaction: TransactionRead
    created: bool


async def create(
    session: AsyncSession, ledger: Ledger, owner: Owner, body: TransactionCreate
) -> Written:
    await _categories.usable(session, owner, body.category_id)
    currency = await _accounts.currency_of(session, ledger, owner.user_id)
    now = ledger.clock.now()
    minor = signed_minor(body.amount, body.type, currency)
    values = {
        "id": uuid.uuid4(),
        "user_id": owner.user_id,
        "category_id": body.category_id,
        "amount_minor": minor,
        "currency": currency,
        "description": body.description,
        "occurred_on": body.date or owner.today(ledger.clock),
        "client_id": body.client_id,
        "created_at": now,
        "updated_at": now,
    }
    inserted = await session.execute(_insert(session.get_bind().dialect.name), values)
    if inserted.scalar() is None:
        existing = await session.scalar(
            select(Transaction).where(
                Transaction.user_id == owner.user_id, Transaction.client_id == body.client_id
            )
        )
        assert existing is not None  # noqa: S101 - the conflict was on this row
        return Written(read(existing), created=False)
    forget_money(session, ledger, owner)
    balance_moved(session, ledger, owner.user_id, minor, currency)
    return Written(read(Transaction(**values)), created=True)


async def owned(session: AsyncSession, owner: Owner, transaction_id: uuid.UUID) -> Transaction:
    found = await session.get(Transaction, transaction_id)
    if found is None or found.user_id != owner.user_id:
        raise NotFound("No such transaction")
    return found


async def change(
    session: AsyncSession,
    ledger: Ledger,
    owner: Owner,
    row: Transaction,
    body: TransactionUpdate,
) -> TransactionRead:
    before = row.amount_minor
    if body.category_id is not None:
        await _categories.usable(session, owner, body.category_id)
        row.category_id = body.category_id
    if body.amount is not None or body.type is not None:
        kind: Kind = body.type or ("income" if row.amount_minor > 0 else "expense")
        amount = body.amount if body.amount is not None else None
        if amount is None:
            row.amount_minor = abs(row.amount_minor) * (1 if kind == "income" else -1)
        else:
            row.amount_minor = signed_minor(amount, kind, row.currency)
    if body.description is not None:
        row.description = body.description
    if body.date is not None:
        row.occurred_on = body.date
    row.updated_at = ledger.clock.now()
    forget_money(session, ledger, owner)
    balance_moved(session, ledger, owner.user_id, row.amount_minor - before, row.currency)
    return read(row)


async def remove(session: AsyncSession, ledger: Ledger, owner: Owner, row: Transaction) -> None:
    await session.delete(row)
    forget_money(session, ledger, owner)
    balance_moved(session, ledger, owner.user_id, -row.amount_minor, row.currency)


@dataclass(frozen=True, slots=True)
class Filters:
    category_id: uuid.UUID | None = None
    start: date | None = None
    end: date | None = None
    min_amount: Decimal | None = None  # on the amount's size, whatever its type
    max_amount: Decimal | None = None
    q: str | None = None
    kind: Kind | None = None
    ascending: bool = False


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def filtered(statement: Select[Any], owner: Owner, currency: str, f: Filters) -> Select[Any]:
    conditions = [T.user_id == owner.user_id]
    if f.category_id is not None:
        conditions.append(T.category_id == f.category_id)
    if f.start is not None:
        conditions.append(T.occurred_on >= f.start)
    if f.end is not None:
        conditions.append(T.occurred_on <= f.end)
    if f.kind is not None:
        conditions.append(T.amount_minor > 0 if f.kind == "income" else T.amount_minor < 0)
    size = func.abs(T.amount_minor)
    if f.min_amount is not None:
        conditions.append(size >= _bound(f.min_amount, currency, "min_amount"))
    if f.max_amount is not None:
        conditions.append(size <= _bound(f.max_amount, currency, "max_amount"))
    if f.q:
        conditions.append(T.description.ilike(f"%{_escaped(f.q)}%", escape="\\"))
    return statement.where(and_(*conditions))


def _bound(amount: Decimal, currency: str, field: str) -> int:
    try:
        return abs(to_minor(amount, currency))
    except AmountError as exc:
        raise ValidationFailed(str(exc), details={field: {"message": str(exc)}}) from exc


FIRST_PAGE_TTL_S = 300
FIRST_PAGE_LIMIT = 20  # what the app asks when it opens


async def page(
    db: Database, ledger: Ledger, owner: Owner, filters: Filters, params: CursorParams
) -> bytes:
    """One page as JSON. The plain first page (newest, default size, no filter) is what
    every app start reads: it is cached until the member's next write (a hit opens no
    database session)."""

    async def load() -> bytes:
        async with unit_of_work(db, write=False) as session:
            return await _page(session, ledger, owner, filters, params)

    if filters == Filters() and params.cursor is None and params.limit == FIRST_PAGE_LIMIT:
        key = first_page_key(owner.user_id)
        body = await read_through(ledger.cache, key, FIRST_PAGE_TTL_S, load)
        assert body is not None  # noqa: S101 - load never answers None
        return body
    return await load()


async def _page(
    session: AsyncSession, ledger: Ledger, owner: Owner, filters: Filters, params: CursorParams
) -> bytes:
    currency = await _accounts.currency_of(session, ledger, owner.user_id)
    statement = filtered(select(Transaction), owner, currency, filters)
    statement = keyset_page(
        statement,
        [T.occurred_on, T.id],
        params,
        [date, uuid.UUID],
        descending=not filters.ascending,
    )
    rows = list(await session.scalars(statement))
    items, cursor = cursor_page(rows, params, lambda r: [r.occurred_on, str(r.id)])
    return (
        TransactionPage(items=[read(r) for r in items], next_cursor=cursor)
        .model_dump_json()
        .encode()
    )


async def balance(session: AsyncSession, ledger: Ledger, owner: Owner, as_of: date | None) -> bytes:
    """Income minus expenses (up to `as_of`, inclusive); today's is cached five minutes."""

    async def load() -> bytes:
        currency = await _accounts.currency_of(session, ledger, owner.user_id)
        totals = await sums(session, owner.user_id, None, as_of)
        earned, outgoing, count = totals.income, totals.spent, totals.transactions
        return orjson.dumps(
            BalanceRead(
                currency=currency,
                balance=to_text(earned - outgoing, currency),
                income=to_text(earned, currency),
                expenses=to_text(outgoing, currency),
                as_of=as_of,
                transactions=count,
            ).model_dump(mode="json")
        )

    if as_of is not None:
        return await load()
    body = await read_through(ledger.cache, balance_key(owner.user_id), BALANCE_TTL_S, load)
    assert body is not None  # noqa: S101 - load never answers None
    return body
