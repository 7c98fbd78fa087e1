"""PennyWise's part of a user's data export and erasure."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.pennywise.models import Account, Category, Insight, Message, Transaction
from appfleet.apps.pennywise.money import to_text


async def export_data(session: AsyncSession, user_id: uuid.UUID) -> dict[str, Any]:
    account = await session.get(Account, user_id)
    categories = await session.scalars(select(Category).where(Category.user_id == user_id))
    transactions = await session.scalars(
        select(Transaction)
        .where(Transaction.user_id == user_id)
        .order_by(Transaction.occurred_on, Transaction.id)
    )
    messages = await session.scalars(
        select(Message).where(Message.user_id == user_id).order_by(Message.created_at)
    )
    insights = await session.scalars(select(Insight).where(Insight.user_id == user_id))
    return {
        "currency": account.currency if account else None,
        "messages": [
            {"sender": m.sender, "content": m.content, "created_at": m.created_at.isoformat()}
            for m in messages
        ],
        "insights": [{"type": i.type, "title": i.title, "content": i.content} for i in insights],
        "categories": [{"id": str(c.id), "name": c.name, "icon": c.icon} for c in categories],
        "transactions": [
            {
                "id": str(t.id),
                "amount": to_text(t.amount_minor, t.currency),
                "currency": t.currency,
                "category_id": str(t.category_id),
                "description": t.description,
                "date": t.occurred_on.isoformat(),
            }
            for t in transactions
        ],
    }


async def erase_data(session: AsyncSession, user_id: uuid.UUID) -> None:
    # Transactions first: they reference the user's categories.
    for model in (Message, Insight, Transaction, Category, Account):
        await session.execute(delete(model).where(model.user_id == user_id))
