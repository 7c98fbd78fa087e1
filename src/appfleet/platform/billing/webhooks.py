"""`POST /webhooks/stripe`: Stripe's signed events, verified and put in the inbox; a job
processes each once. The answer is fast (Stripe waits at most seconds and retries for days)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from appfleet.core.deps import ClockDep, DbSession
from appfleet.core.errors import NotFound, ValidationFailed
from appfleet.core.routing import DeferredRoute
from appfleet.platform.billing.events import receive
from appfleet.platform.billing.runtime import Billing
from appfleet.providers.payments.base import BadSignature, SignedEvents

router = APIRouter(prefix="/webhooks", tags=["webhooks"], route_class=DeferredRoute)


@router.post("/stripe")
async def stripe_events(request: Request, session: DbSession, clock: ClockDep) -> dict[str, Any]:
    """A Stripe event: 400 unless its Stripe-Signature verifies with the endpoint's secret."""
    billing: Billing | None = getattr(request.app.state, "billing", None)
    secret = billing.settings.stripe_webhook_secret if billing else None
    provider = billing.provider if billing else None
    # By name and protocol, not class: Stripe's SDK is imported only when Stripe is configured.
    stripe = provider is not None and provider.name == "stripe"
    if not stripe or not isinstance(provider, SignedEvents) or secret is None:
        raise NotFound("Stripe payments are not configured here")
    payload = await request.body()
    signature = request.headers.get("stripe-signature", "")
    try:
        data = provider.verify_event(payload, signature, secret.get_secret_value())
    except BadSignature:
        raise ValidationFailed(
            "The Stripe-Signature header does not verify", details={"reason": "bad_signature"}
        ) from None
    except ValueError:  # a header or body that is not Stripe's at all
        raise ValidationFailed("The body is not a Stripe event") from None
    if not all(
        isinstance(data.get(k), t) for k, t in (("id", str), ("type", str), ("created", int))
    ):
        raise ValidationFailed("The event lacks an id, type or created time")
    fresh = await receive(session, clock, "stripe", data)
    return {"received": True, "duplicate": not fresh}
