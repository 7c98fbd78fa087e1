"""Billing in requests: the runtime, and plan gates for apps' routes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from appfleet.core.database import unit_of_work
from appfleet.core.deps import CurrentApp, DatabaseDep
from appfleet.core.registry import AppContext
from appfleet.platform.auth.deps import CurrentClaims
from appfleet.platform.billing.errors import PlanRequired
from appfleet.platform.billing.runtime import Billing
from appfleet.platform.billing.service import FREE, current_plan


async def get_billing(request: Request) -> Billing:
    return request.app.state.billing  # type: ignore[no-any-return]


BillingDep = Annotated[Billing, Depends(get_billing)]


async def get_plan(
    claims: CurrentClaims, db: DatabaseDep, app: CurrentApp, billing: BillingDep
) -> str:
    """The caller's plan in this app (`free` without a subscription). Read in a unit of work
    of its own: the request's (a write one for POSTs) is not begun by a plan check, so a route
    may gate itself and still keep no transaction open while it calls out (a model, a voice)."""
    async with unit_of_work(db, write=False) as session:
        return await current_plan(session, billing, app, claims.user_id)


CurrentPlan = Annotated[str, Depends(get_plan)]


def require_plan(plan: str) -> Any:
    """A route dependency: the caller's plan is `plan` or a higher one (by the plans' level),
    else 403 plan_required with the plan needed and where to get it."""

    async def dependency(current: CurrentPlan, app: CurrentApp) -> str:
        needed = app.plans.get(plan)
        level = app.plans[current].level if current in app.plans else 0
        if needed is None or level < needed.level:
            raise PlanRequired(
                details={
                    "required": plan,
                    "current": current,
                    "checkout": f"{app.prefix}/billing/checkout-session",
                }
            )
        return current

    return Depends(dependency)


def plan_limit(app: AppContext, plan: str, feature: str, default: int = -1) -> int:
    """A plan's limit for a feature (-1: unlimited), falling back to the free plan's."""
    for key in (plan, FREE):
        limits = app.plans[key].limits if key in app.plans else {}
        if feature in limits:
            return int(limits[feature])
    return default
