"""Pages people open in a browser: the sandbox's checkout and portal, and the page checkout
returns to when an app gives no deep link of its own."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.core.deps import ClockDep, DbSession
from appfleet.core.registry import AppContext
from appfleet.core.routing import DeferredRoute
from appfleet.platform.billing import sandbox
from appfleet.platform.billing.events import receive
from appfleet.platform.billing.models import CheckoutSession, Customer, Subscription
from appfleet.platform.billing.runtime import Billing
from appfleet.platform.billing.service import plan_name
from appfleet.providers.email.templates import FORMAT_FILTERS

router = APIRouter(include_in_schema=False, route_class=DeferredRoute)

_env = Environment(
    loader=PackageLoader("appfleet.platform.billing", "pages"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
)
_env.filters.update(FORMAT_FILTERS)

RESULTS = {
    "success": ("Payment complete", "Thank you. You can go back to the app now."),
    "cancel": ("Checkout canceled", "Nothing was charged. You can go back to the app."),
    "portal": ("All set", "You can go back to the app now."),
}
PORTAL_ACTIONS = {
    "cancel_at_period_end": "Cancel at the period end",
    "resume": "Keep my subscription",
    "cancel_now": "Cancel now",
    "renew": "Renew now (simulate the next payment)",
    "fail_renewal": "Fail the next payment (simulate a declined card)",
}
RETRY_AFTER = timedelta(days=3)


def _page(
    name: str,
    app: AppContext | None,
    *,
    status: int = 200,
    sandbox_page: bool = False,
    **context: Any,
) -> HTMLResponse:
    html = _env.get_template(name).render(
        language="en",
        app_name=app.display_name if app else "appfleet",
        brand_color=app.config.brand_color if app else "#4f46e5",
        sandbox=sandbox_page,
        **context,
    )
    # Pages with payment controls are never cached nor framed.
    headers = {"Cache-Control": "no-store", "X-Frame-Options": "DENY"}
    return HTMLResponse(html, status_code=status, headers=headers)


def _message(app: AppContext | None, title: str, message: str, status: int) -> HTMLResponse:
    return _page("message.html", app, status=status, title=title, message=message, link=None)


@router.get("/checkout/return")
async def checkout_return(request: Request, app: str = "", result: str = "success") -> HTMLResponse:
    """Where checkout and the portal send people back (unless the app set a deep link)."""
    registry = request.app.state.registry
    context = registry.get(app) if app in registry.names else None
    title, message = RESULTS.get(result, RESULTS["portal"])
    return _message(context, title, message, 200)


def _sandbox(request: Request) -> tuple[Billing, sandbox.SandboxProvider] | None:
    billing: Billing | None = getattr(request.app.state, "billing", None)
    if billing is None or not isinstance(billing.provider, sandbox.SandboxProvider):
        return None
    return billing, billing.provider


async def _checkout(session: AsyncSession, checkout_id: str) -> CheckoutSession | None:
    found: CheckoutSession | None = await session.scalar(
        select(CheckoutSession).where(
            CheckoutSession.provider == "sandbox",
            CheckoutSession.provider_session_id == checkout_id,
        )
    )
    return found


NO_PAGE = ("No such page", "This link is not valid (or payments run elsewhere).", 404)


@router.get("/sandbox/checkout/{checkout_id}")
async def checkout_page(request: Request, checkout_id: str, session: DbSession) -> HTMLResponse:
    found = _sandbox(request)
    row = await _checkout(session, checkout_id) if found else None
    if found is None or row is None:
        return _message(None, *NO_PAGE)
    billing, _ = found
    app = billing.registry.get(row.app)
    if row.status != "open":
        return _message(app, "This checkout is over", f"It is {row.status}.", 410)
    plan = app.plans.get(row.plan or "")
    base = f"{billing.public_url}/sandbox/checkout/{checkout_id}"
    return _page(
        "checkout.html",
        app,
        sandbox_page=True,
        description=row.description,
        amount_cents=row.amount_cents,
        currency=row.currency,
        interval=plan.interval if plan and row.mode == "subscription" else None,
        trial_days=plan.trial_days if plan and row.mode == "subscription" else 0,
        pay_url=f"{base}/pay",
        cancel_url=f"{base}/cancel",
    )


async def _claim(session: AsyncSession, row: CheckoutSession, status: str, now: datetime) -> bool:
    """Close an open checkout; False when it was closed already (a second click, a race)."""
    result: CursorResult[Any] = await session.execute(  # type: ignore[assignment]
        update(CheckoutSession)
        .where(CheckoutSession.id == row.id, CheckoutSession.status == "open")
        .values(status=status, completed_at=now if status == "complete" else None)
    )
    return result.rowcount == 1


@router.post("/sandbox/checkout/{checkout_id}/pay", response_model=None)
async def pay(
    request: Request, checkout_id: str, session: DbSession, clock: ClockDep
) -> HTMLResponse | RedirectResponse:
    """Pay: the events Stripe sends after a successful checkout, into the inbox."""
    found = _sandbox(request)
    row = await _checkout(session, checkout_id) if found else None
    if found is None or row is None:
        return _message(None, *NO_PAGE)
    billing, _ = found
    app = billing.registry.get(row.app)
    now = clock.now()
    if not await _claim(session, row, "complete", now):
        return _message(app, "This checkout is over", "It was paid or canceled already.", 409)
    customer = await session.get(Customer, (row.user_id, row.app))
    customer_id = customer.customer_id if customer else ""
    metadata = {"app": row.app, "user_id": str(row.user_id)}
    completed: dict[str, Any] = {
        "id": checkout_id,
        "object": "checkout.session",
        "mode": row.mode,
        "customer": customer_id,
        "currency": row.currency,
        "amount_total": row.amount_cents,
        "payment_status": "paid",
    }
    events: list[dict[str, Any]] = []
    plan_key = row.plan or ""
    if row.mode == "subscription" and plan_key in app.plans:
        plan = app.plans[plan_key]
        subscription_id = sandbox.sandbox_id("sub")
        status, period_end = sandbox.trial_or_period(now, plan.interval, plan.trial_days)
        metadata["plan"] = plan_key
        completed |= {"subscription": subscription_id, "metadata": metadata}
        obj = sandbox.subscription_object(
            subscription_id,
            customer=customer_id,
            price_id=billing.price_for(app, plan_key),
            status=status,
            period_start=now,
            period_end=period_end,
            trial_end=period_end if status == "trialing" else None,
            cancel_at_period_end=False,
            metadata=metadata,
        )
        charged = 0 if status == "trialing" else plan.amount_cents
        invoice = sandbox.invoice_object(
            customer=customer_id,
            subscription_id=subscription_id,
            amount_cents=charged,
            currency=plan.currency,
            paid=True,
            description=row.description,
            period_end=period_end,
        )
        events = [
            sandbox.event("customer.subscription.created", obj, now),
            sandbox.event("checkout.session.completed", completed, now),
            sandbox.event("invoice.paid", invoice, now),
        ]
    else:
        metadata["order_id"] = row.order_id or ""
        intent = {
            "id": sandbox.sandbox_id("pi"),
            "object": "payment_intent",
            "customer": customer_id,
            "amount": row.amount_cents,
            "amount_received": row.amount_cents,
            "currency": row.currency,
            "status": "succeeded",
            "metadata": metadata,
        }
        completed |= {"payment_intent": intent["id"], "metadata": metadata}
        events = [
            sandbox.event("checkout.session.completed", completed, now),
            sandbox.event("payment_intent.succeeded", intent, now),
        ]
    for event in events:
        await receive(session, clock, "sandbox", event)
    return RedirectResponse(billing.return_url(app, "success"), status_code=303)


@router.post("/sandbox/checkout/{checkout_id}/cancel", response_model=None)
async def cancel(
    request: Request, checkout_id: str, session: DbSession, clock: ClockDep
) -> HTMLResponse | RedirectResponse:
    """Cancel: the checkout expires at once (an order's reservation is released)."""
    found = _sandbox(request)
    row = await _checkout(session, checkout_id) if found else None
    if found is None or row is None:
        return _message(None, *NO_PAGE)
    billing, _ = found
    app = billing.registry.get(row.app)
    if row.status == "open":
        expired = {"id": checkout_id, "object": "checkout.session", "mode": row.mode}
        await receive(
            session,
            clock,
            "sandbox",
            sandbox.event("checkout.session.expired", expired, clock.now()),
        )
    return RedirectResponse(billing.return_url(app, "cancel"), status_code=303)


async def _portal_customer(
    request: Request, session: DbSession, token: str
) -> tuple[Billing, Customer] | None:
    found = _sandbox(request)
    if found is None:
        return None
    billing, provider = found
    customer_id = provider.portal_customer(token)
    if customer_id is None:
        return None
    customer = await session.scalar(
        select(Customer).where(Customer.provider == "sandbox", Customer.customer_id == customer_id)
    )
    return (billing, customer) if customer is not None else None


async def _subscriptions(session: AsyncSession, customer: Customer) -> list[Subscription]:
    rows = await session.scalars(
        select(Subscription)
        .where(
            Subscription.provider == "sandbox",
            Subscription.app == customer.app,
            Subscription.user_id == customer.user_id,
        )
        .order_by(Subscription.created_at.desc())
    )
    return list(rows)


def _actions(row: Subscription) -> list[tuple[str, str]]:
    if row.status == "canceled":
        return []
    keys = ["resume" if row.cancel_at_period_end else "cancel_at_period_end", "cancel_now"]
    keys += ["renew", "fail_renewal"]
    return [(key, PORTAL_ACTIONS[key]) for key in keys]


@router.get("/sandbox/portal/{token}")
async def portal_page(request: Request, token: str, session: DbSession) -> HTMLResponse:
    found = await _portal_customer(request, session, token)
    if found is None:
        return _message(None, "This link has expired", "Open the portal from the app again.", 404)
    billing, customer = found
    app = billing.registry.get(customer.app)
    rows = await _subscriptions(session, customer)
    base = f"{billing.public_url}/sandbox/portal/{token}"
    subscriptions = [
        {
            "plan_name": plan_name(app, row.plan),
            "status": row.status,
            "cancel_at_period_end": row.cancel_at_period_end,
            "period_end": row.current_period_end,
            "actions": _actions(row),
            "base": f"{base}/{row.provider_subscription_id}",
        }
        for row in rows
    ]
    return _page(
        "portal.html",
        app,
        sandbox_page=True,
        subscriptions=subscriptions,
        return_url=billing.return_url(app, "portal"),
    )


@router.post("/sandbox/portal/{token}/{subscription_id}/{action}", response_model=None)
async def portal_action(
    request: Request,
    token: str,
    subscription_id: str,
    action: str,
    session: DbSession,
    clock: ClockDep,
) -> HTMLResponse | RedirectResponse:
    """One of the portal's buttons: the events Stripe would send for it, into the inbox."""
    found = await _portal_customer(request, session, token)
    if found is None:
        return _message(None, "This link has expired", "Open the portal from the app again.", 404)
    billing, customer = found
    app = billing.registry.get(customer.app)
    row = next(
        (
            r
            for r in await _subscriptions(session, customer)
            if r.provider_subscription_id == subscription_id
        ),
        None,
    )
    if row is None or action not in dict(_actions(row)) or row.plan not in app.plans:
        return _message(app, "Not possible", "This subscription cannot do that now.", 409)
    for event in _portal_events(billing, app, customer, row, action, clock.now()):
        await receive(session, clock, "sandbox", event)
    return RedirectResponse(f"{billing.public_url}/sandbox/portal/{token}", status_code=303)


def _portal_events(
    billing: Billing,
    app: AppContext,
    customer: Customer,
    row: Subscription,
    action: str,
    now: datetime,
) -> list[dict[str, Any]]:
    plan = app.plans[row.plan]
    start = row.current_period_start or now
    end = row.current_period_end or sandbox.add_interval(now, plan.interval)
    state: dict[str, Any] = {
        "customer": customer.customer_id,
        "price_id": billing.price_for(app, row.plan),
        "status": row.status,
        "period_start": start,
        "period_end": end,
        "trial_end": row.trial_end,
        "cancel_at_period_end": row.cancel_at_period_end,
        "metadata": {"app": app.name, "user_id": str(row.user_id), "plan": row.plan},
    }
    invoice: dict[str, Any] = {
        "customer": customer.customer_id,
        "subscription_id": row.provider_subscription_id,
        "amount_cents": plan.amount_cents,
        "currency": plan.currency,
        "description": plan_name(app, row.plan),
    }
    sub_id = row.provider_subscription_id
    events: list[dict[str, Any]] = []
    if action in ("cancel_at_period_end", "resume"):
        state["cancel_at_period_end"] = action == "cancel_at_period_end"
    elif action == "cancel_now":
        state["status"] = "canceled"
        obj = sandbox.subscription_object(sub_id, **state)
        return [sandbox.event("customer.subscription.deleted", obj, now)]
    elif action == "renew":
        state |= {"status": "active", "trial_end": None, "period_start": end}
        state["period_end"] = sandbox.add_interval(end, plan.interval)
        paid = sandbox.invoice_object(**invoice, paid=True, period_end=state["period_end"])
        events.append(sandbox.event("invoice.paid", paid, now))
    elif action == "fail_renewal":
        state["status"] = "past_due"
        retry = now + RETRY_AFTER
        failed = sandbox.invoice_object(**invoice, paid=False, period_end=end, retry_at=retry)
        events.append(sandbox.event("invoice.payment_failed", failed, now))
    obj = sandbox.subscription_object(sub_id, **state)
    events.append(sandbox.event("customer.subscription.updated", obj, now))
    return events
