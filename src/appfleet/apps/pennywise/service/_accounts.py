"""The member's currency: chosen once, before the first transaction (amounts are not
converted)."""

from __future__ import annotations

import uuid

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.pennywise.models import Account, Transaction
from appfleet.apps.pennywise.money import exponent
from appfleet.apps.pennywise.service._common import DEFAULT_CURRENCY, Ledger, Owner, currency_key
from appfleet.core.errors import Conflict, ValidationFailed
from appfleet.runtime.cache import forget_after_commit, read_through

CURRENCY_TTL_S = 86_400


async def stored_currency(session: AsyncSession, user_id: uuid.UUID) -> str:
    found = await session.scalar(select(Account.currency).where(Account.user_id == user_id))
    return found or DEFAULT_CURRENCY


async def currency_of(session: AsyncSession, ledger: Ledger, user_id: uuid.UUID) -> str:
    """Through the cache: every money read and write needs it."""

    async def load() -> bytes:
        return (await stored_currency(session, user_id)).encode()

    cached = await read_through(ledger.cache, currency_key(user_id), CURRENCY_TTL_S, load)
    return (cached or DEFAULT_CURRENCY.encode()).decode()


async def set_currency(session: AsyncSession, ledger: Ledger, owner: Owner, currency: str) -> str:
    try:
        exponent(currency)
    except ValueError as exc:
        raise ValidationFailed(
            str(exc), details={"currency": {"message": "not a supported ISO 4217 code"}}
        ) from exc
    account = await session.get(Account, owner.user_id)
    current = account.currency if account else DEFAULT_CURRENCY
    if currency == current:
        return current
    if await session.scalar(select(exists().where(Transaction.user_id == owner.user_id))):
        raise Conflict(
            f"Your transactions are in {current}; the currency cannot change once there are any"
        )
    now = ledger.clock.now()
    forget_after_commit(session, ledger.cache, currency_key(owner.user_id))
    if account is None:
        session.add(
            Account(user_id=owner.user_id, currency=currency, created_at=now, updated_at=now)
        )
    else:
        account.currency, account.updated_at = currency, now
    return currency
