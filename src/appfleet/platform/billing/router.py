"""Billing under every app prefix: plans, checkout, the customer portal, the subscription."""

from __future__ import annotations

from appfleet.core.deps import CurrentApp, DbSession
from appfleet.core.idempotency.deps import Idempotent
from appfleet.core.routing import app_router
from appfleet.platform.auth.deps import CurrentClaims, CurrentMember, per_user
from appfleet.platform.billing import service
from appfleet.platform.billing.deps import BillingDep
from appfleet.platform.billing.schemas import (
    CheckoutCreate,
    CheckoutRead,
    PlanChange,
    PlanRead,
    PortalRead,
    SubscriptionRead,
)

router = app_router(prefix="/billing", tags=["billing"])


@router.get("/plans")
async def list_plans(app: CurrentApp) -> list[PlanRead]:
    """The plans this app sells, cheapest first, with their feature limits."""
    return service.plans(app)


@router.get("/subscription")
async def read_subscription(
    claims: CurrentClaims, session: DbSession, app: CurrentApp
) -> SubscriptionRead:
    """The plan in force, its status and period (plan `free` without a subscription)."""
    return await service.subscription(session, app, claims.user_id)


@router.post("/checkout-session", status_code=201, dependencies=[per_user("billing"), Idempotent])
async def create_checkout(
    body: CheckoutCreate,
    member: CurrentMember,
    session: DbSession,
    app: CurrentApp,
    billing: BillingDep,
) -> CheckoutRead:
    """A checkout page for a plan (a subscription) or one of your orders: open its URL."""
    return await service.start_checkout(session, billing, app, member.user, body)


@router.get("/customer-portal", dependencies=[per_user("billing")])
async def customer_portal(
    member: CurrentMember, session: DbSession, app: CurrentApp, billing: BillingDep
) -> PortalRead:
    """A page to manage payment methods, invoices and cancellation."""
    return PortalRead(url=await service.portal(session, billing, app, member.user))


@router.post("/change-plan", dependencies=[per_user("billing"), Idempotent])
async def change_plan(
    body: PlanChange,
    member: CurrentMember,
    session: DbSession,
    app: CurrentApp,
    billing: BillingDep,
) -> SubscriptionRead:
    """Move your subscription to another plan, prorated by default."""
    await service.change_plan(session, billing, app, member.user, body.plan, prorate=body.prorate)
    return await service.subscription(session, app, member.user.id)
