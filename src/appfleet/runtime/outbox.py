"""The outbox: a message to send is a row written in the same transaction as the change that
caused it, together with the job that delivers it, so it is sent if and only if that change
committed — and still sent if the process dies right after the commit. The delivery job hands
the message to the channel's sender (SMTP, FCM... or, embedded, the local outbox itself, which
`appfleet outbox list` shows) and records the outcome on the row: sent, failed (retrying with
backoff) or dead once the job's attempts are spent.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from prometheus_client import Counter
from sqlalchemy import JSON, Index, String, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from appfleet.core.clock import Clock
from appfleet.core.database import Base, unit_of_work
from appfleet.core.errors import Conflict
from appfleet.core.logging import get_logger
from appfleet.core.tasks import JobContext, Task
from appfleet.runtime.jobs import queue

log = get_logger("appfleet.outbox")
DELIVERIES = Counter(
    "appfleet_outbox_deliveries",
    "Outbox delivery attempts by channel, provider and outcome (sent, retried, dead).",
    ["channel", "provider", "outcome"],
)

Channel = Literal["email", "push"]
# Messages that no longer need sending: delivered, given up on, or withdrawn (a newer push
# with the same collapse key replaced this one before it went out).
FINAL = frozenset({"sent", "dead", "cancelled"})


class OutboxMessage(Base):
    __tablename__ = "outbox_message"
    __table_args__ = (Index(None, "status", "available_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    channel: Mapped[str] = mapped_column(String(10))
    app: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    recipient: Mapped[str] = mapped_column(String(320))
    kind: Mapped[str] = mapped_column(String(60))
    # Messages sent for one cause (one notification to each of a user's devices) share it.
    group_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    # A sensitive payload (a reset link, a code) is blanked once delivered.
    sensitive: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    available_at: Mapped[datetime]
    created_at: Mapped[datetime]
    # `sent` means the provider accepted it; `provider_ref` is the id it gave the message
    # (an FCM message name, an apns-id, SendGrid's X-Message-Id, Postmark's MessageID).
    sent_at: Mapped[datetime | None]
    provider: Mapped[str | None] = mapped_column(String(20))
    provider_ref: Mapped[str | None] = mapped_column(String(200))
    # Reported back by the vendor's webhooks (email): the receiving server accepted it, or not.
    delivered_at: Mapped[datetime | None]
    bounced_at: Mapped[datetime | None]
    # Email tracking (a pixel, signed redirect links) where the template opts in.
    opened_at: Mapped[datetime | None]
    open_count: Mapped[int] = mapped_column(default=0)
    clicked_at: Mapped[datetime | None]
    click_count: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))


async def enqueue(
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
    message_id: uuid.UUID | None = None,
    group_id: uuid.UUID | None = None,
    not_before: datetime | None = None,
) -> OutboxMessage:
    """Add a message and its delivery job; both commit (or not) with the caller's unit of work.
    `not_before` holds delivery back (a push waiting for the end of quiet hours)."""
    now = clock.now()
    available = max(now, not_before) if not_before is not None else now
    message = OutboxMessage(
        id=message_id or uuid.uuid4(),
        channel=channel,
        app=app,
        user_id=user_id,
        recipient=recipient,
        kind=kind,
        group_id=group_id,
        payload=payload,
        sensitive=sensitive,
        status="pending",
        attempts=0,
        open_count=0,
        click_count=0,
        available_at=available,
        created_at=now,
    )
    session.add(message)
    await queue.enqueue(
        session,
        clock,
        DELIVER,
        {"message_id": str(message.id)},
        delay=available - now if available > now else None,
    )
    return message


async def cancel_group(session: AsyncSession, group_id: uuid.UUID) -> None:
    """Withdraw the messages of `group_id` that have not gone out yet."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.group_id == group_id, OutboxMessage.status.in_(("pending", "failed")))
        .values(status="cancelled")
    )


async def recent(
    session: AsyncSession,
    *,
    app: str | None = None,
    recipient: str | None = None,
    status: str | None = None,
    apps: frozenset[str] | None = None,
    limit: int = 20,
) -> list[OutboxMessage]:
    """The newest messages first, optionally for one app (or any of `apps`), one recipient,
    one status."""
    query = select(OutboxMessage).order_by(OutboxMessage.created_at.desc()).limit(limit)
    if app is not None:
        query = query.where(OutboxMessage.app == app)
    if apps is not None:
        query = query.where(OutboxMessage.app.in_(apps))
    if recipient is not None:
        query = query.where(OutboxMessage.recipient == recipient)
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    return list(await session.scalars(query))


async def requeue(session: AsyncSession, clock: Clock, message: OutboxMessage) -> None:
    """Send a dead message again: fresh attempts and a new delivery job."""
    if message.status != "dead":
        raise Conflict(
            f"Only dead messages are requeued; this one is {message.status}",
            details={"reason": "not_dead", "status": message.status},
        )
    message.status, message.attempts, message.last_error = "pending", 0, None
    message.available_at = clock.now()
    await queue.enqueue(session, clock, DELIVER, {"message_id": str(message.id)})


class Undeliverable(Exception):
    """The vendor refused this message for good (a rejected address, a malformed message):
    retrying cannot help, so it goes straight to `dead`."""


class Sender(Protocol):
    """Hands one message to a vendor and answers the id the vendor gave it (if any); raises on
    failure (the job retries it, after `RetryLater.delay_s` when the vendor said when), or
    `Undeliverable` when no retry can succeed."""

    def provider(self, message: OutboxMessage) -> str:
        """Who delivers `message` (recorded on the row and in the metrics)."""
        ...

    async def send(self, message: OutboxMessage) -> str | None: ...


class LocalSender:
    """Embedded mode's delivery: the outbox row is the delivered message."""

    def provider(self, message: OutboxMessage) -> str:
        return "local"

    async def send(self, message: OutboxMessage) -> str | None:
        log.info(
            "outbox_delivered_locally",
            channel=message.channel,
            app=message.app,
            kind=message.kind,
            message=str(message.id),
        )
        return None


@dataclass(frozen=True, slots=True)
class Senders:
    """The sender of each channel, provided to jobs by the composition root."""

    by_channel: Mapping[str, Sender] = field(default_factory=dict)
    fallback: Sender = field(default_factory=LocalSender)

    def for_channel(self, channel: str) -> Sender:
        return self.by_channel.get(channel, self.fallback)


async def deliver(context: JobContext, args: dict[str, Any]) -> None:
    message_id = uuid.UUID(args["message_id"])
    # Read outside the job's own transaction: on SQLite that one holds the single writer slot,
    # and the vendor call below may take seconds.
    async with unit_of_work(context.db, write=False) as reading:
        message = await reading.get(OutboxMessage, message_id)
    if message is None or message.status in FINAL:
        return  # delivered already (a job run twice), withdrawn, or removed by a purge
    sender = context.resource(Senders).for_channel(message.channel)
    provider = sender.provider(message)
    now = context.clock.now()
    try:
        reference = await sender.send(message)
    except Exception as exc:
        last = isinstance(exc, Undeliverable) or context.attempt >= DELIVER.max_attempts
        DELIVERIES.labels(message.channel, provider, "dead" if last else "retried").inc()
        async with unit_of_work(context.db) as session:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id)
                .values(
                    status="dead" if last else "failed",
                    attempts=context.attempt,
                    provider=provider,
                    last_error=f"{type(exc).__name__}: {exc}"[:500],
                    available_at=now,
                )
            )
        if isinstance(exc, Undeliverable):
            log.warning("outbox_undeliverable", message=str(message_id), error=str(exc))
            return  # recorded dead; the job itself is done
        raise
    DELIVERIES.labels(message.channel, provider, "sent").inc()
    values: dict[str, Any] = {
        "status": "sent",
        "sent_at": now,
        "attempts": context.attempt,
        "provider": provider,
        "provider_ref": reference[:200] if reference else None,
    }
    if message.sensitive:
        values["payload"] = {"redacted": True}  # a sent reset link or code need not be kept
    await context.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values)
    )


DELIVER = Task(
    "outbox.deliver", deliver, queue="notifications", max_attempts=8, backoff_base_s=10.0
)
