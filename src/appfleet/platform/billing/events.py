"""Provider events: stored in the inbox as they arrive, then processed by a job, once per
event id. Stripe and the sandbox send the same event shapes (Stripe's), so one set of handlers
serves both. State comes from the event's object, and an older event never overwrites the
state a newer one recorded: deliveries may come twice and in any order."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.core.clock import Clock
from appfleet.core.database import insert
from appfleet.core.errors import Conflict, NotFound
from appfleet.core.logging import get_logger
from appfleet.core.registry import AppContext
from appfleet.core.tasks import JobContext, Task
from appfleet.platform.billing.models import (
    CheckoutSession,
    Customer,
    Invoice,
    Payment,
    Subscription,
    WebhookEvent,
)
from appfleet.platform.billing.runtime import Billing
from appfleet.platform.billing.service import forget_plan, plan_name
from appfleet.platform.users.models import User
from appfleet.providers.email.queue import queue_email
from appfleet.runtime.jobs.queue import enqueue

log = get_logger("appfleet.billing")


async def receive(
    session: AsyncSession, clock: Clock, provider: str, event: Mapping[str, Any]
) -> bool:
    """Put an event in the inbox and queue its processing, in the caller's unit of work;
    False when this event id was received before (a redelivery: nothing to do)."""
    statement = insert(session, WebhookEvent).values(
        id=str(event["id"]),
        provider=provider,
        type=str(event["type"])[:80],
        payload=dict(event),
        created_at=datetime.fromtimestamp(int(event["created"]), UTC),
        received_at=clock.now(),
        status="pending",
    )
    result: CursorResult[Any] = await session.execute(  # type: ignore[assignment]
        statement.on_conflict_do_nothing(index_elements=["id"])
    )
    if result.rowcount == 0:
        return False
    await enqueue(session, clock, PROCESS, {"event_id": str(event["id"])}, key=str(event["id"]))
    return True


async def replay(session: AsyncSession, clock: Clock, event_id: str) -> WebhookEvent:
    """Run an event's processing again (the console's replay of one that kept failing)."""
    event = await session.get(WebhookEvent, event_id)
    if event is None:
        raise NotFound("No such event")
    if event.status != "pending":
        raise Conflict(f"This event was {event.status} already; replaying it changes nothing")
    # A fresh job key: the first job is dead (or still retrying, and then one of them wins).
    attempt = f"{event_id}#replay@{clock.timestamp():.0f}"
    await enqueue(session, clock, PROCESS, {"event_id": event_id}, key=attempt)
    return event


@dataclass(frozen=True, slots=True)
class Handling:
    """One event being processed, with what its handler needs."""

    session: AsyncSession
    billing: Billing
    event: WebhookEvent

    @property
    def object(self) -> dict[str, Any]:
        data = self.event.payload.get("data") or {}
        found = data.get("object") if isinstance(data, dict) else None
        return found if isinstance(found, dict) else {}

    @property
    def at(self) -> datetime:
        return self.event.created_at

    def now(self) -> datetime:
        return self.billing.clock.now()


@dataclass(frozen=True, slots=True)
class Owner:
    app: AppContext
    user: User


Outcome = str | None  # None: processed; a string: ignored, and why
Handler = Callable[[Handling], Awaitable[Outcome]]


async def process_event(context: JobContext, args: dict[str, Any]) -> None:
    billing = context.resource(Billing)
    session = context.session
    event = await session.get(WebhookEvent, str(args["event_id"]), with_for_update=True)
    if event is None or event.status != "pending":
        return  # processed by an earlier run, or a replay raced the first job
    handler = HANDLERS.get(event.type)
    why = await handler(Handling(session, billing, event)) if handler else "not handled"
    event.status = "ignored" if why else "processed"
    event.outcome = why[:200] if why else None
    event.processed_at = context.clock.now()
    log.info("billing_event", event_id=event.id, type=event.type, status=event.status, why=why)


PROCESS = Task("billing.process_event", process_event, queue="default", max_attempts=8)


# --- whose event it is -------------------------------------------------------------------


async def _owner(h: Handling, obj: Mapping[str, Any]) -> Owner | None:
    """The app and user an object belongs to: its customer's, or its metadata's."""
    user_id: uuid.UUID | None = None
    app_name: str | None = None
    customer = _id(obj.get("customer"))
    if customer:
        found = await h.session.scalar(
            select(Customer).where(
                Customer.provider == h.event.provider, Customer.customer_id == customer
            )
        )
        if found is not None:
            user_id, app_name = found.user_id, found.app
    metadata = obj.get("metadata") or {}
    if user_id is None and isinstance(metadata, dict):
        app_name = metadata.get("app")
        try:
            user_id = uuid.UUID(str(metadata.get("user_id")))
        except ValueError:
            return None
    if user_id is None or app_name not in h.billing.registry.names:
        return None
    user = await h.session.get(User, user_id)
    if user is None:
        return None  # the account is gone (purged); nothing of it to update
    return Owner(h.billing.registry.get(str(app_name)), user)


# --- checkout and one-off payments -----------------------------------------------------


async def checkout_completed(h: Handling) -> Outcome:
    obj = h.object
    await h.session.execute(
        update(CheckoutSession)
        .where(
            CheckoutSession.provider == h.event.provider,
            CheckoutSession.provider_session_id == str(obj.get("id")),
        )
        .values(status="complete", completed_at=h.now())
    )
    if obj.get("mode") != "payment":
        return None  # the subscription's own events carry its state
    if obj.get("payment_status") != "paid":
        return "checkout completed without payment yet (an async method): waiting for it"
    ref = _id(obj.get("payment_intent")) or str(obj.get("id"))
    return await _settle_order(h, obj, ref, int(obj.get("amount_total") or 0))


async def checkout_expired(h: Handling) -> Outcome:
    obj = h.object
    session_id = str(obj.get("id"))
    row = await h.session.scalar(
        select(CheckoutSession).where(
            CheckoutSession.provider == h.event.provider,
            CheckoutSession.provider_session_id == session_id,
        )
    )
    if row is None or row.status != "open":
        return "no open checkout"
    row.status = "expired"
    app = h.billing.registry.get(row.app) if row.app in h.billing.registry.names else None
    if row.order_id is None or app is None or app.orders is None or app.orders.canceled is None:
        return None
    paid = await h.session.scalar(
        select(Payment.id).where(Payment.app == row.app, Payment.order_id == row.order_id)
    )
    if paid is None:
        await app.orders.canceled(h.session, row.order_id, h.at)
    return None


async def payment_succeeded(h: Handling) -> Outcome:
    obj = h.object
    amount = int(obj.get("amount_received") or obj.get("amount") or 0)
    return await _settle_order(h, obj, str(obj.get("id")), amount)


async def _settle_order(h: Handling, obj: Mapping[str, Any], ref: str, amount: int) -> Outcome:
    """Record an order's payment once, whichever event reports it first, and let the app
    mark it paid in the same transaction."""
    metadata = obj.get("metadata") or {}
    order_id = metadata.get("order_id") if isinstance(metadata, dict) else None
    if not order_id:
        return "no order in the metadata (not a payment of ours)"
    owner = await _owner(h, obj)
    if owner is None or owner.app.orders is None:
        return "no such app or user"
    currency = str(obj.get("currency") or "usd").lower()
    result: CursorResult[Any] = await h.session.execute(  # type: ignore[assignment]
        insert(h.session, Payment)
        .values(
            app=owner.app.name,
            user_id=owner.user.id,
            order_id=str(order_id),
            provider=h.event.provider,
            provider_ref=ref,
            amount_cents=amount,
            currency=currency,
            created_at=h.now(),
        )
        .on_conflict_do_nothing(index_elements=["app", "order_id"])
    )
    if result.rowcount == 0:
        return "order already paid"
    await owner.app.orders.paid(h.session, str(order_id), amount, currency, h.at)
    description = await h.session.scalar(
        select(CheckoutSession.description).where(
            CheckoutSession.app == owner.app.name, CheckoutSession.order_id == str(order_id)
        )
    )
    await _receipt(h, owner, amount, currency, description or f"Order {order_id}", None, None)
    return None


# --- subscriptions ---------------------------------------------------------------------


async def subscription_changed(h: Handling) -> Outcome:
    obj = h.object
    owner = await _owner(h, obj)
    if owner is None:
        return "no such app or user"
    app, billing = owner.app, h.billing
    item = _first_item(obj)
    price = _id(item.get("price"))
    metadata = obj.get("metadata") or {}
    plan = (price and billing.plan_for_price(app, price)) or (
        metadata.get("plan") if isinstance(metadata, dict) else None
    )
    if plan not in app.plans:
        return f"price {price} is none of {app.name}'s plans"
    status = "canceled" if h.event.type.endswith(".deleted") else str(obj.get("status"))
    # Locked: events of one subscription processed at once apply one after the other.
    row = await h.session.scalar(
        select(Subscription)
        .where(
            Subscription.provider == h.event.provider,
            Subscription.provider_subscription_id == str(obj.get("id")),
        )
        .with_for_update()
    )
    now = h.now()
    if row is None:
        row = Subscription(
            app=app.name,
            user_id=owner.user.id,
            provider=h.event.provider,
            provider_subscription_id=str(obj.get("id")),
            created_at=now,
        )
        h.session.add(row)
    elif row.status == "canceled":
        return "the subscription is canceled (a canceled subscription never comes back)"
    elif h.at < row.state_at:
        return "older than the state recorded"
    row.plan, row.status, row.state_at, row.updated_at = str(plan), status[:24], h.at, now
    row.current_period_start = _time(
        obj.get("current_period_start") or item.get("current_period_start")
    )
    row.current_period_end = _time(obj.get("current_period_end") or item.get("current_period_end"))
    row.cancel_at_period_end = bool(obj.get("cancel_at_period_end"))
    row.trial_end = _time(obj.get("trial_end"))
    forget_plan(h.session, billing, app, owner.user.id)
    return None


# --- invoices --------------------------------------------------------------------------


async def invoice_paid(h: Handling) -> Outcome:
    obj = h.object
    owner = await _owner(h, obj)
    if owner is None:
        return "no such app or user"
    amount = int(obj.get("amount_paid") or 0)
    if not await _record_invoice(h, owner, obj, "paid", amount):
        return "invoice recorded as paid already"
    subscription = await _subscription_of(h, obj)
    if subscription is not None and subscription.status == "past_due":
        # Paid after a failure: entitled again (the provider's subscription event follows).
        subscription.status, subscription.updated_at = "active", h.now()
        forget_plan(h.session, h.billing, owner.app, owner.user.id)
    if amount > 0:
        plan = plan_name(owner.app, subscription.plan) if subscription else _line_text(obj)
        next_date = _line_end(obj) or (subscription.current_period_end if subscription else None)
        hosted = obj.get("hosted_invoice_url")
        await _receipt(h, owner, amount, str(obj.get("currency") or "usd"), plan, next_date, hosted)
    return None


async def invoice_failed(h: Handling) -> Outcome:
    obj = h.object
    owner = await _owner(h, obj)
    if owner is None:
        return "no such app or user"
    amount = int(obj.get("amount_due") or 0)
    if not await _record_invoice(h, owner, obj, "failed", amount):
        return "invoice paid already"
    subscription = await _subscription_of(h, obj)
    if (
        subscription is not None
        and subscription.status in ("active", "trialing")
        and h.at >= subscription.state_at
    ):
        subscription.status, subscription.state_at, subscription.updated_at = (
            "past_due",
            h.at,
            h.now(),
        )
        forget_plan(h.session, h.billing, owner.app, owner.user.id)
    if owner.user.email:
        app = owner.app
        await queue_email(
            h.session,
            h.billing.clock,
            app,
            to=owner.user.email,
            template="payment_failed",
            user_id=owner.user.id,
            language=owner.user.language,
            name=owner.user.name,
            amount_cents=amount,
            currency=str(obj.get("currency") or "usd"),
            plan_name=plan_name(app, subscription.plan) if subscription else _line_text(obj),
            retry_on=_time(obj.get("next_payment_attempt")),
            update_url=obj.get("hosted_invoice_url") or h.billing.return_url(app, "portal"),
        )
    return None


async def _record_invoice(
    h: Handling, owner: Owner, obj: Mapping[str, Any], status: str, amount: int
) -> bool:
    """Insert or update our copy of an invoice; False when nothing changes (a paid invoice
    stays paid, a failure reported twice is one failure)."""
    invoice_id = str(obj.get("id"))
    row = await h.session.scalar(
        select(Invoice)
        .where(Invoice.provider == h.event.provider, Invoice.provider_invoice_id == invoice_id)
        .with_for_update()
    )
    if row is not None:
        if row.status == "paid" or row.status == status:
            return False
        row.status, row.amount_cents = status, amount
        return True
    h.session.add(
        Invoice(
            app=owner.app.name,
            user_id=owner.user.id,
            provider=h.event.provider,
            provider_invoice_id=invoice_id,
            provider_subscription_id=_invoice_subscription(obj),
            amount_cents=amount,
            currency=str(obj.get("currency") or "usd")[:3],
            status=status,
            hosted_url=obj.get("hosted_invoice_url"),
            created_at=h.now(),
        )
    )
    return True


async def _subscription_of(h: Handling, obj: Mapping[str, Any]) -> Subscription | None:
    subscription_id = _invoice_subscription(obj)
    if subscription_id is None:
        return None
    found: Subscription | None = await h.session.scalar(
        select(Subscription)
        .where(
            Subscription.provider == h.event.provider,
            Subscription.provider_subscription_id == subscription_id,
        )
        .with_for_update()
    )
    return found


async def _receipt(
    h: Handling,
    owner: Owner,
    amount: int,
    currency: str,
    what: str,
    next_date: datetime | None,
    invoice_url: str | None,
) -> None:
    if not owner.user.email:
        return
    await queue_email(
        h.session,
        h.billing.clock,
        owner.app,
        to=owner.user.email,
        template="payment_receipt",
        user_id=owner.user.id,
        language=owner.user.language,
        name=owner.user.name,
        amount_cents=amount,
        currency=currency,
        plan_name=what,
        paid_on=h.at,
        next_billing_date=next_date,
        invoice_url=invoice_url,
    )


HANDLERS: Mapping[str, Handler] = {
    "checkout.session.completed": checkout_completed,
    "checkout.session.expired": checkout_expired,
    "payment_intent.succeeded": payment_succeeded,
    "customer.subscription.created": subscription_changed,
    "customer.subscription.updated": subscription_changed,
    "customer.subscription.deleted": subscription_changed,
    "invoice.paid": invoice_paid,
    "invoice.payment_failed": invoice_failed,
}


# --- reading Stripe's objects ----------------------------------------------------------


def _id(value: Any) -> str | None:
    """An id field, whether Stripe sent the id or the expanded object."""
    if isinstance(value, dict):
        value = value.get("id")
    return str(value) if value else None


def _first_item(subscription: Mapping[str, Any]) -> dict[str, Any]:
    items = subscription.get("items") or {}
    data = items.get("data") if isinstance(items, dict) else None
    first = data[0] if isinstance(data, list) and data else {}
    return first if isinstance(first, dict) else {}


def _invoice_subscription(invoice: Mapping[str, Any]) -> str | None:
    # Newer API versions moved it under parent.subscription_details.
    direct = _id(invoice.get("subscription"))
    if direct:
        return direct
    parent = invoice.get("parent") or {}
    details = parent.get("subscription_details") if isinstance(parent, dict) else None
    return _id(details.get("subscription")) if isinstance(details, dict) else None


def _line_text(invoice: Mapping[str, Any]) -> str:
    lines = invoice.get("lines") or {}
    data = lines.get("data") if isinstance(lines, dict) else None
    if isinstance(data, list) and data and isinstance(data[0], dict):
        return str(data[0].get("description") or "")[:200]
    return ""


def _line_end(invoice: Mapping[str, Any]) -> datetime | None:
    """When the period the invoice paid for ends (the next payment's date)."""
    lines = invoice.get("lines") or {}
    data = lines.get("data") if isinstance(lines, dict) else None
    if not (isinstance(data, list) and data and isinstance(data[0], dict)):
        return None
    period = data[0].get("period") or {}
    return _time(period.get("end")) if isinstance(period, dict) else None


def _time(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    return datetime.fromtimestamp(int(value), UTC)
