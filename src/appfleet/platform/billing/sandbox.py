"""The local payments sandbox: a provider that needs no account, for development and demos.

Checkout opens a page of this server with Pay and Cancel buttons; the portal a page with the
subscription's controls. Each button writes the events Stripe would send into billing's inbox,
so the same handlers process them. No card data is ever asked for."""

from __future__ import annotations

import calendar
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any

from appfleet.core.clock import Clock
from appfleet.providers.payments.base import Checkout, CheckoutRequest

PORTAL_TTL_S = 3600


def add_interval(moment: datetime, interval: str) -> datetime:
    """One billing interval later, by the calendar (Jan 31 + 1 month = Feb 28/29)."""
    months = 12 if interval == "year" else 1
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def sandbox_id(kind: str) -> str:
    return f"{kind}_sbx_{secrets.token_hex(12)}"


class SandboxProvider:
    name = "sandbox"

    def __init__(self, public_url: str, secret: str, clock: Clock) -> None:
        self._public, self._clock = public_url.rstrip("/"), clock
        self._key = hashlib.sha256(b"appfleet-sandbox-portal\0" + secret.encode()).digest()

    async def create_customer(self, *, email: str | None, metadata: dict[str, str]) -> str:
        return sandbox_id("cus")

    async def create_checkout(self, request: CheckoutRequest) -> Checkout:
        # The id is the page's only key (like Stripe's checkout URLs): unguessable.
        checkout_id = f"cs_sbx_{secrets.token_urlsafe(24)}"
        return Checkout(id=checkout_id, url=f"{self._public}/sandbox/checkout/{checkout_id}")

    async def portal_url(self, customer_id: str, return_url: str) -> str:
        return f"{self._public}/sandbox/portal/{self.portal_token(customer_id)}"

    async def expire_checkout(self, checkout_id: str) -> None:
        """Nothing to tell: the sandbox's page reads the checkout's state from our table."""

    async def change_price(
        self, subscription_id: str, price_id: str, *, prorate: bool
    ) -> dict[str, Any]:
        return {"id": subscription_id, "items": {"data": [{"price": {"id": price_id}}]}}

    def portal_token(self, customer_id: str) -> str:
        expires = int(self._clock.timestamp()) + PORTAL_TTL_S
        return f"{customer_id}.{expires}.{self._sign(customer_id, expires)}"

    def portal_customer(self, token: str) -> str | None:
        """The customer a portal link was made for, while it is valid."""
        customer, _, rest = token.partition(".")
        expires, _, signature = rest.partition(".")
        if not expires.isdigit() or int(expires) < self._clock.timestamp():
            return None
        if not hmac.compare_digest(signature, self._sign(customer, int(expires))):
            return None
        return customer

    def _sign(self, customer_id: str, expires: int) -> str:
        message = f"{customer_id}.{expires}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:32]


def event(kind: str, obj: dict[str, Any], at: datetime) -> dict[str, Any]:
    """An event in Stripe's shape."""
    return {
        "id": sandbox_id("evt"),
        "object": "event",
        "type": kind,
        "created": int(at.timestamp()),
        "livemode": False,
        "data": {"object": obj},
    }


def subscription_object(
    subscription_id: str,
    *,
    customer: str,
    price_id: str,
    status: str,
    period_start: datetime,
    period_end: datetime,
    trial_end: datetime | None,
    cancel_at_period_end: bool,
    metadata: dict[str, str],
) -> dict[str, Any]:
    return {
        "id": subscription_id,
        "object": "subscription",
        "customer": customer,
        "status": status,
        "cancel_at_period_end": cancel_at_period_end,
        "trial_end": int(trial_end.timestamp()) if trial_end else None,
        "metadata": metadata,
        "items": {
            "object": "list",
            "data": [
                {
                    "id": f"si_{subscription_id}",
                    "price": {"id": price_id},
                    "current_period_start": int(period_start.timestamp()),
                    "current_period_end": int(period_end.timestamp()),
                }
            ],
        },
    }


def invoice_object(
    *,
    customer: str,
    subscription_id: str,
    amount_cents: int,
    currency: str,
    paid: bool,
    description: str,
    period_end: datetime,
    retry_at: datetime | None = None,
) -> dict[str, Any]:
    return {
        "id": sandbox_id("in"),
        "object": "invoice",
        "customer": customer,
        "subscription": subscription_id,
        "currency": currency,
        "amount_paid": amount_cents if paid else 0,
        "amount_due": amount_cents,
        "status": "paid" if paid else "open",
        "hosted_invoice_url": None,
        "next_payment_attempt": int(retry_at.timestamp()) if retry_at else None,
        "lines": {
            "object": "list",
            "data": [{"description": description, "period": {"end": int(period_end.timestamp())}}],
        },
    }


def trial_or_period(now: datetime, interval: str, trial_days: int) -> tuple[str, datetime]:
    if trial_days:
        return "trialing", now + timedelta(days=trial_days)
    return "active", add_interval(now, interval)
