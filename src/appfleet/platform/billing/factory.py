from __future__ import annotations

import httpx2

from appfleet.core.clock import Clock
from appfleet.core.registry import AppRegistry
from appfleet.core.settings import Settings
from appfleet.platform.billing.runtime import Billing
from appfleet.platform.billing.sandbox import SandboxProvider
from appfleet.providers.payments.base import PaymentProvider
from appfleet.runtime.cache import Cache


def billing_runtime(
    settings: Settings, registry: AppRegistry, cache: Cache, clock: Clock, http: httpx2.AsyncClient
) -> Billing:
    """Billing as configured: Stripe with its keys, the local sandbox, or no payments."""
    config = settings.billing
    provider: PaymentProvider | None = None
    if config.provider == "stripe" and config.stripe_secret_key is not None:
        # Imported here: the Stripe SDK costs start-up time a deployment without it never needs.
        from appfleet.providers.payments.stripe_provider import StripeProvider

        provider = StripeProvider(
            api_key=config.stripe_secret_key.get_secret_value(),
            api_url=config.stripe_api_url,
            http=http,
            timeout_s=config.timeout_s,
        )
    elif config.provider == "sandbox":
        secret = settings.secret_key.get_secret_value() if settings.secret_key else ""
        provider = SandboxProvider(settings.public_url, secret, clock)
    return Billing(
        provider=provider,
        settings=config,
        registry=registry,
        cache=cache,
        clock=clock,
        public_url=settings.public_url.rstrip("/"),
    )
