"""The outbox: a message to send is a row written in the same transaction as the change that
caused it, so it is sent if and only if that change committed. Delivery (workers, retries,
dead letters, the vendors) reads these rows; in embedded mode the rows are the local outbox
that `appfleet outbox list` shows.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import JSON, Index, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from appfleet.core.clock import Clock
from appfleet.core.database import Base

Channel = Literal["email", "push"]


class OutboxMessage(Base):
    __tablename__ = "outbox_message"
    __table_args__ = (Index(None, "status", "available_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    channel: Mapped[str] = mapped_column(String(10))
    app: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    recipient: Mapped[str] = mapped_column(String(320))
    kind: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    # A sensitive payload (a reset link, a code) is blanked once delivered.
    sensitive: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    available_at: Mapped[datetime]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))


def enqueue(
    session: AsyncSession,
    clock: Clock,
    *,
    channel: Channel,
    app: str,
    recipient: str,
    kind: str,
    payload: dict[str, Any],
    user_id: uuid.UUID | None = None,
    sensitive: bool = False,
) -> OutboxMessage:
    """Add a message to the outbox; it commits (or not) with the caller's unit of work."""
    now = clock.now()
    message = OutboxMessage(
        id=uuid.uuid4(),
        channel=channel,
        app=app,
        user_id=user_id,
        recipient=recipient,
        kind=kind,
        payload=payload,
        sensitive=sensitive,
        status="pending",
        attempts=0,
        available_at=now,
        created_at=now,
    )
    session.add(message)
    return message


async def recent(
    session: AsyncSession, *, app: str | None = None, recipient: str | None = None, limit: int = 20
) -> list[OutboxMessage]:
    """The newest messages first, optionally for one app or one recipient."""
    query = select(OutboxMessage).order_by(OutboxMessage.created_at.desc()).limit(limit)
    if app is not None:
        query = query.where(OutboxMessage.app == app)
    if recipient is not None:
        query = query.where(OutboxMessage.recipient == recipient)
    return list(await session.scalars(query))
