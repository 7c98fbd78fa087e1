"""Acting on the outbox as an operator: one message as the caller may see it, and sending a
dead one again (the `outbox` permission in the message's app)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.core.clock import Clock
from appfleet.core.errors import NotFound
from appfleet.platform.admin.deps import Admin
from appfleet.platform.audit import service as audit
from appfleet.runtime import outbox
from appfleet.runtime.outbox import OutboxMessage

PERMISSION = "outbox"


async def message(session: AsyncSession, admin: Admin, message_id: uuid.UUID) -> OutboxMessage:
    found = await session.get(OutboxMessage, message_id)
    if found is None or not admin.can(PERMISSION, found.app):
        raise NotFound("No such message")
    return found


async def requeue(
    session: AsyncSession, clock: Clock, admin: Admin, message_id: uuid.UUID
) -> OutboxMessage:
    """Send a dead message again (Conflict for any other status)."""
    m = await message(session, admin, message_id)
    await outbox.requeue(session, clock, m)
    await audit.record(
        session, clock, admin.acting_on(m.app), "outbox_requeued", admin.user.id, message=str(m.id)
    )
    return m
