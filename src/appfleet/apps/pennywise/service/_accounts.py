"""The member's currency: chosen once, before the first transaction (amounts are not
converted)."""

from __future__ import annotations

import uuid

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.pennywise.models import Account, Transaction
from appfleet.apps.pennywise.money import exponent
from appfleet.apps.pennywise.service._common import DEFAULT_CURRENCY, Ledger, Owner
from appfleet.core.errors import Conflict, ValidationFailed


async def currency_of(session: AsyncSession, user_id: uuid.UUID) -> str:
    found = await session.scalar(select(Account.currency).where(Account.user_id == user_id))
    return found or DEFAULT_CURRENCY


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
    if account is None:
        session.add(
            Account(user_id=owner.user_id, currency=currency, created_at=now, updated_at=now)
        )
    else:
        account.currency, account.updated_at = currency, now
    return currency
