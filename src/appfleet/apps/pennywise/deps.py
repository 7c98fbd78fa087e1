from __future__ import annotations

import uuid
from typing import Annotated

import orjson
from fastapi import Depends, Request

from appfleet.apps.pennywise.models import Category, Transaction
from appfleet.apps.pennywise.service import Ledger, Owner, categories, transactions
from appfleet.core.deps import DbSession
from appfleet.platform.auth.deps import CurrentClaims
from appfleet.platform.auth.errors import TokenRejected


def ledger_of(request: Request) -> Ledger:
    state = request.app.state
    return Ledger(clock=state.clock, cache=state.cache, broker=state.broker, ai=state.ai)


async def get_ledger(request: Request) -> Ledger:
    return ledger_of(request)


LedgerDep = Annotated[Ledger, Depends(get_ledger)]


async def get_owner(request: Request, claims: CurrentClaims) -> Owner:
    """The caller from the cached profile (their timezone decides "today")."""
    state = request.app.state
    profile = await state.profiles.read(state.db, state.registry.get(claims.app), claims.user_id)
    if profile is None:
        raise TokenRejected("token_revoked", "This account is no longer active")
    return Owner(claims.user_id, orjson.loads(profile)["timezone"])


OwnerDep = Annotated[Owner, Depends(get_owner)]


async def get_owned_transaction(
    transaction_id: uuid.UUID, owner: OwnerDep, session: DbSession
) -> Transaction:
    """The caller's transaction; anyone else's is a 404."""
    return await transactions.owned(session, owner, transaction_id)


async def get_owned_category(
    category_id: uuid.UUID, owner: OwnerDep, session: DbSession
) -> Category:
    """The caller's own category (a default is 403, anyone else's a 404)."""
    return await categories.owned(session, owner, category_id)


OwnedTransaction = Annotated[Transaction, Depends(get_owned_transaction)]
OwnedCategory = Annotated[Category, Depends(get_owned_category)]
