from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

Mode = Literal["subscription", "payment"]


@dataclass(frozen=True, slots=True)
class CheckoutRequest:
    mode: Mode
    customer_id: str
    success_url: str
    cancel_url: str
    metadata: dict[str, str]
    price_id: str | None = None  # subscription mode
    trial_days: int = 0
    amount_cents: int = 0  # payment mode: one line of this amount
    currency: str = "usd"
    description: str = ""


@dataclass(frozen=True, slots=True)
class Checkout:
    id: str
    url: str


@dataclass(frozen=True, slots=True)
class SubscriptionState:
    """A subscription as the provider holds it (the shape of Stripe's object)."""

    raw: dict[str, Any] = field(default_factory=dict)


class PaymentProvider(Protocol):
    name: str

    async def create_customer(self, *, email: str | None, metadata: dict[str, str]) -> str: ...

    async def create_checkout(self, request: CheckoutRequest) -> Checkout: ...

    async def portal_url(self, customer_id: str, return_url: str) -> str: ...

    async def expire_checkout(self, checkout_id: str) -> None:
        """Close an open checkout so it can no longer be paid (PaymentsUnavailable if it was
        paid already, or the provider cannot be reached)."""
        ...

    async def change_price(
        self, subscription_id: str, price_id: str, *, prorate: bool
    ) -> dict[str, Any]:
        """Move a subscription to another price; the updated subscription object."""
        ...


@runtime_checkable
class SignedEvents(Protocol):
    """A provider whose webhooks carry a signature over the body."""

    def verify_event(self, payload: bytes, signature: str, secret: str) -> dict[str, Any]:
        """The event, once its signature verifies; BadSignature or ValueError otherwise."""
        ...


class BadSignature(Exception):
    """A webhook whose signature does not verify with the endpoint's secret."""


class PaymentsUnavailable(Exception):
    """The payment provider did not answer, or refused our request."""
