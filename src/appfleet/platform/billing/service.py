"""Plans, checkout, the portal, plan changes and the plan in force."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.core.database import insert
from appfleet.core.registry import AppContext
from appfleet.platform.billing.errors import (
    AlreadySubscribed,
    BillingDisabled,
    BillingUnavailable,
    NoSubscription,
    UnknownPlan,
)
from appfleet.platform.billing.models import (
    CheckoutSession,
    Customer,
    Invoice,
    Payment,
    Subscription,
)
from appfleet.platform.billing.runtime import Billing
from appfleet.platform.billing.schemas import (
    CheckoutCreate,
    CheckoutRead,
    PlanRead,
    SubscriptionRead,
)
from appfleet.platform.users.models import User
from appfleet.providers.payments.base import CheckoutRequest, PaymentProvider, PaymentsUnavailable
from appfleet.runtime.cache import forget_after_commit

FREE = "free"
# A subscription in these states gives its plan; past_due keeps it while the provider retries.
ENTITLED = ("trialing", "active", "past_due")
PLAN_TTL_S = 60


def plan_name(app: AppContext, key: str) -> str:
    plan = app.plans.get(key)
    return (plan.display_name if plan else "") or key.replace("_", " ").title()


def plans(app: AppContext) -> list[PlanRead]:
    rows = [
        PlanRead(
            key=key,
            display_name=plan_name(app, key),
            amount_cents=plan.amount_cents,
            currency=plan.currency,
            interval=plan.interval,
            level=plan.level,
            trial_days=plan.trial_days,
            limits=plan.limits,
        )
        for key, plan in app.plans.items()
    ]
    return sorted(rows, key=lambda p: p.level)


def _provider(billing: Billing) -> PaymentProvider:
    if billing.provider is None:
        raise BillingDisabled()
    return billing.provider


async def _customer(session: AsyncSession, billing: Billing, app: AppContext, user: User) -> str:
    """The user's customer at the provider, created at their first checkout."""
    provider = _provider(billing)
    found = await session.get(Customer, (user.id, app.name))
    if found is not None and found.provider == provider.name:
        return found.customer_id
    try:
        customer_id = await provider.create_customer(
            email=user.email, metadata={"app": app.name, "user_id": str(user.id)}
        )
    except PaymentsUnavailable as exc:
        raise BillingUnavailable(details={"reason": str(exc)}) from exc
    if found is not None:
        found.provider, found.customer_id = provider.name, customer_id
        return customer_id
    # Two first checkouts at once: one customer is kept (the other stays unused at the provider).
    await session.execute(
        insert(session, Customer)
        .values(
            user_id=user.id,
            app=app.name,
            provider=provider.name,
            customer_id=customer_id,
            created_at=billing.clock.now(),
        )
        .on_conflict_do_nothing(index_elements=["user_id", "app"])
    )
    kept = await session.scalar(
        select(Customer.customer_id).where(Customer.user_id == user.id, Customer.app == app.name)
    )
    return str(kept or customer_id)


async def entitled_subscription(
    session: AsyncSession, app: AppContext, user_id: uuid.UUID
) -> Subscription | None:
    """The subscription that gives the user their plan now, if any (the highest level)."""
    rows = await session.scalars(
        select(Subscription).where(
            Subscription.app == app.name,
            Subscription.user_id == user_id,
            Subscription.status.in_(ENTITLED),
        )
    )
    found = [s for s in rows if s.plan in app.plans]
    return max(found, key=lambda s: app.plans[s.plan].level, default=None)


def plan_key(app: AppContext, user_id: uuid.UUID) -> str:
    return f"cache:plan:{app.name}:{user_id}"


async def current_plan(
    session: AsyncSession, billing: Billing, app: AppContext, user_id: uuid.UUID
) -> str:
    """The plan in force for the user (cached a minute; dropped when a subscription changes)."""
    key = plan_key(app, user_id)
    if (hit := await billing.cache.get(key)) is not None:
        return hit.decode()
    found = await entitled_subscription(session, app, user_id)
    plan = found.plan if found else FREE
    await billing.cache.set(key, plan.encode(), PLAN_TTL_S)
    return plan


def forget_plan(
    session: AsyncSession, billing: Billing, app: AppContext, user_id: uuid.UUID
) -> None:
    forget_after_commit(session, billing.cache, plan_key(app, user_id))


async def subscription(
    session: AsyncSession, app: AppContext, user_id: uuid.UUID
) -> SubscriptionRead:
    found = await entitled_subscription(session, app, user_id)
    if found is None:
        latest = await session.scalar(
            select(Subscription)
            .where(Subscription.app == app.name, Subscription.user_id == user_id)
            .order_by(Subscription.updated_at.desc())
            .limit(1)
        )
        free = app.plans.get(FREE)
        return SubscriptionRead(
            plan=FREE,
            status=latest.status if latest else None,
            current_period_end=latest.current_period_end if latest else None,
            cancel_at_period_end=False,
            trial_end=None,
            limits=free.limits if free else {},
        )
    return SubscriptionRead(
        plan=found.plan,
        status=found.status,
        current_period_end=found.current_period_end,
        cancel_at_period_end=found.cancel_at_period_end,
        trial_end=found.trial_end,
        limits=app.plans[found.plan].limits,
    )


async def start_checkout(
    session: AsyncSession, billing: Billing, app: AppContext, user: User, body: CheckoutCreate
) -> CheckoutRead:
    provider = _provider(billing)
    metadata = {"app": app.name, "user_id": str(user.id)}
    if body.plan is not None:
        plan = app.plans.get(body.plan)
        if plan is None or plan.amount_cents == 0:
            raise UnknownPlan(
                details={"plan": {"allowed": [p.key for p in plans(app) if p.amount_cents]}}
            )
        current = await entitled_subscription(session, app, user.id)
        if current is not None:
            if current.plan == body.plan:
                raise AlreadySubscribed()
            raise AlreadySubscribed(
                "You have a subscription already: change its plan instead",
                details={"change_plan": f"{app.prefix}/billing/change-plan"},
            )
        request = CheckoutRequest(
            mode="subscription",
            customer_id=await _customer(session, billing, app, user),
            success_url=billing.return_url(app, "success"),
            cancel_url=billing.return_url(app, "cancel"),
            metadata={**metadata, "plan": body.plan},
            price_id=billing.price_for(app, body.plan),
            trial_days=plan.trial_days,
        )
        amount, currency = plan.amount_cents, plan.currency
        description = plan_name(app, body.plan)
    else:
        order_id = str(body.order_id)
        if app.orders is None:
            raise UnknownPlan("This app sells no orders")
        # One open checkout per order: a second request gets the same page (never two charges).
        existing = await session.scalar(
            select(CheckoutSession).where(
                CheckoutSession.app == app.name,
                CheckoutSession.user_id == user.id,
                CheckoutSession.order_id == order_id,
                CheckoutSession.status == "open",
            )
        )
        if existing is not None:
            return _read(existing)
        quote = await app.orders.quote(session, user.id, order_id)
        request = CheckoutRequest(
            mode="payment",
            customer_id=await _customer(session, billing, app, user),
            success_url=billing.return_url(app, "success"),
            cancel_url=billing.return_url(app, "cancel"),
            metadata={**metadata, "order_id": order_id},
            amount_cents=quote.amount_cents,
            currency=quote.currency,
            description=quote.description,
        )
        amount, currency, description = quote.amount_cents, quote.currency, quote.description
    try:
        checkout = await provider.create_checkout(request)
    except PaymentsUnavailable as exc:
        raise BillingUnavailable(details={"reason": str(exc)}) from exc
    row = CheckoutSession(
        app=app.name,
        user_id=user.id,
        provider=provider.name,
        provider_session_id=checkout.id,
        mode=request.mode,
        plan=body.plan,
        order_id=body.order_id,
        amount_cents=amount,
        currency=currency,
        description=description[:200],
        url=checkout.url,
        status="open",
        created_at=billing.clock.now(),
    )
    session.add(row)
    return _read(row)


async def cancel_order(
    session: AsyncSession, billing: Billing, app: AppContext, user_id: uuid.UUID, order_id: str
) -> None:
    """Close the open checkout of an order (so it can no longer be paid) and let the app
    release the order. An order with no open checkout is released as it is."""
    open_checkout = await session.scalar(
        select(CheckoutSession)
        .where(
            CheckoutSession.app == app.name,
            CheckoutSession.user_id == user_id,
            CheckoutSession.order_id == order_id,
            CheckoutSession.status == "open",
        )
        .with_for_update()
    )
    if open_checkout is not None:
        provider = _provider(billing)
        try:
            await provider.expire_checkout(open_checkout.provider_session_id)
        except PaymentsUnavailable as exc:
            raise BillingUnavailable(
                "The checkout could not be closed (it may just have been paid)",
                details={"reason": str(exc)},
            ) from exc
        open_checkout.status = "expired"
    if app.orders is not None and app.orders.canceled is not None:
        await app.orders.canceled(session, order_id, billing.clock.now())


def _read(row: CheckoutSession) -> CheckoutRead:
    return CheckoutRead(
        id=row.provider_session_id,
        url=row.url,
        status=row.status,
        amount_cents=row.amount_cents,
        currency=row.currency,
    )


async def portal(session: AsyncSession, billing: Billing, app: AppContext, user: User) -> str:
    provider = _provider(billing)
    found = await session.get(Customer, (user.id, app.name))
    if found is None or found.provider != provider.name:
        raise NoSubscription("You have not paid for anything yet")
    try:
        return await provider.portal_url(found.customer_id, billing.return_url(app, "portal"))
    except PaymentsUnavailable as exc:
        raise BillingUnavailable(details={"reason": str(exc)}) from exc


async def change_plan(
    session: AsyncSession,
    billing: Billing,
    app: AppContext,
    user: User,
    plan: str,
    *,
    prorate: bool,
) -> dict[str, object]:
    """Move the subscription to `plan`; the provider's updated subscription (its webhook
    event then updates ours, like every change)."""
    provider = _provider(billing)
    target = app.plans.get(plan)
    if target is None or target.amount_cents == 0:
        raise UnknownPlan(
            details={"plan": {"allowed": [p.key for p in plans(app) if p.amount_cents]}}
        )
    current = await entitled_subscription(session, app, user.id)
    if current is None:
        raise NoSubscription()
    if current.plan == plan:
        raise AlreadySubscribed()
    try:
        updated = await provider.change_price(
            current.provider_subscription_id, billing.price_for(app, plan), prorate=prorate
        )
    except PaymentsUnavailable as exc:
        raise BillingUnavailable(details={"reason": str(exc)}) from exc
    # In force now; the provider's event about the change brings the rest of its state (its
    # time is later than any event before the change, so it applies).
    current.plan, current.updated_at = plan, billing.clock.now()
    forget_plan(session, billing, app, user.id)
    return {"id": updated.get("id"), "plan": plan, "prorated": prorate}


async def export(session: AsyncSession, app: AppContext, user_id: uuid.UUID) -> dict[str, Any]:
    """The user's billing records in this app, for their data export."""
    subscriptions = await session.scalars(
        select(Subscription)
        .where(Subscription.app == app.name, Subscription.user_id == user_id)
        .order_by(Subscription.created_at)
    )
    invoices = await session.scalars(
        select(Invoice)
        .where(Invoice.app == app.name, Invoice.user_id == user_id)
        .order_by(Invoice.created_at)
    )
    payments = await session.scalars(
        select(Payment)
        .where(Payment.app == app.name, Payment.user_id == user_id)
        .order_by(Payment.created_at)
    )
    return {
        "subscriptions": [
            {
                "plan": s.plan,
                "status": s.status,
                "provider": s.provider,
                "current_period_end": _iso(s.current_period_end),
                "created_at": s.created_at.isoformat(),
            }
            for s in subscriptions
        ],
        "invoices": [
            {
                "amount_cents": i.amount_cents,
                "currency": i.currency,
                "status": i.status,
                "created_at": i.created_at.isoformat(),
            }
            for i in invoices
        ],
        "payments": [
            {
                "order_id": p.order_id,
                "amount_cents": p.amount_cents,
                "currency": p.currency,
                "created_at": p.created_at.isoformat(),
            }
            for p in payments
        ],
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
