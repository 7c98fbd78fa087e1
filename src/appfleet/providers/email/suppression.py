"""The suppression list: a hard bounce or a spam complaint stops every later email to that
address (mailbox providers punish senders who keep writing to dead or unwilling addresses)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.core.clock import Clock
from appfleet.core.database import Database, insert, unit_of_work
from appfleet.providers.email.models import EmailSuppression
from appfleet.runtime.outbox import OutboxMessage, Sender, Undeliverable


async def suppress(
    session: AsyncSession,
    clock: Clock,
    address: str,
    *,
    reason: str,
    source: str,
    detail: str | None = None,
) -> None:
    """Add `address` (the first reason recorded stays)."""
    await session.execute(
        insert(session, EmailSuppression)
        .values(
            address=address.strip().lower(),
            reason=reason,
            source=source,
            detail=(detail or "")[:300] or None,
            created_at=clock.now(),
        )
        .on_conflict_do_nothing(index_elements=["address"])
    )


class SuppressingSender:
    """Checks the list before handing a message to the real sender."""

    def __init__(self, inner: Sender, db: Database) -> None:
        self._inner, self._db = inner, db

    def provider(self, message: OutboxMessage) -> str:
        return self._inner.provider(message)

    async def send(self, message: OutboxMessage) -> str | None:
        async with unit_of_work(self._db, write=False) as session:
            found = await session.get(EmailSuppression, message.recipient.strip().lower())
        if found is not None:
            raise Undeliverable(f"suppressed after a {found.reason.replace('_', ' ')}")
        return await self._inner.send(message)
