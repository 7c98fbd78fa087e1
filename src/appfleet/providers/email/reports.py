"""What became of the email we sent: delivery and bounce reports from the vendors' webhooks,
recorded on the outbox row they name, and per-kind counts computed in SQL (the admin console's
email metrics read them)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.runtime.outbox import OutboxMessage


def outbox_id(value: Any) -> uuid.UUID | None:
    """The outbox id a vendor echoed back (custom_args / Metadata), if it is one."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


async def record_delivered(session: AsyncSession, message_id: uuid.UUID, at: datetime) -> None:
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.delivered_at.is_(None))
        .values(delivered_at=at)
    )


async def record_bounced(
    session: AsyncSession, message_id: uuid.UUID, at: datetime, reason: str
) -> None:
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.bounced_at.is_(None))
        .values(bounced_at=at, last_error=f"bounced: {reason}"[:500])
    )


async def email_metrics(
    session: AsyncSession, app: str, since: datetime
) -> dict[str, dict[str, int]]:
    """Per email kind since `since`: queued, sent, delivered, bounced, opened and clicked
    (where the template tracks them), failed for good."""

    def count(condition: Any) -> Any:
        return func.sum(func.cast(condition, Integer))

    rows = await session.execute(
        select(
            OutboxMessage.kind,
            func.count(),
            count(OutboxMessage.status == "sent"),
            count(OutboxMessage.delivered_at.is_not(None)),
            count(OutboxMessage.bounced_at.is_not(None)),
            count(OutboxMessage.opened_at.is_not(None)),
            count(OutboxMessage.clicked_at.is_not(None)),
            count(OutboxMessage.status == "dead"),
        )
        .where(
            and_(
                OutboxMessage.app == app,
                OutboxMessage.channel == "email",
                OutboxMessage.created_at >= since,
            )
        )
        .group_by(OutboxMessage.kind)
    )
    return {
        kind: {
            "queued": int(total),
            "sent": int(sent or 0),
            "delivered": int(delivered or 0),
            "bounced": int(bounced or 0),
            "opened": int(opened or 0),
            "clicked": int(clicked or 0),
            "dead": int(dead or 0),
        }
        for kind, total, sent, delivered, bounced, opened, clicked, dead in rows
    }
