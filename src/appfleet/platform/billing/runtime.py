from __future__ import annotations

from dataclasses import dataclass

from appfleet.core.clock import Clock
from appfleet.core.registry import AppContext, AppRegistry
from appfleet.core.settings import BillingSettings
from appfleet.providers.payments.base import PaymentProvider
from appfleet.runtime.cache import Cache


@dataclass(frozen=True, slots=True)
class Billing:
    """What billing needs in a request or a job: the provider (None when payments are
    disabled), the cache of plans, and where checkout sends people back."""

    provider: PaymentProvider | None
    settings: BillingSettings
    registry: AppRegistry
    cache: Cache
    clock: Clock
    public_url: str

    def return_url(self, app: AppContext, result: str) -> str:
        template = app.config.checkout_return_url
        if template:
            return template.replace("{result}", result)
        return f"{self.public_url}/checkout/return?app={app.name}&result={result}"

    def price_for(self, app: AppContext, plan: str) -> str:
        """The provider's price id of `plan` (the sandbox names its own)."""
        settings = app.plans[plan]
        if self.settings.provider == "stripe":
            if not settings.stripe_price_id:
                raise LookupError(f"[app.{app.name}.plans.{plan}] has no stripe_price_id")
            return settings.stripe_price_id
        return f"price_sandbox_{app.name}_{plan}"

    def plan_for_price(self, app: AppContext, price_id: str) -> str | None:
        for key in app.plans:
            try:
                if self.price_for(app, key) == price_id:
                    return key
            except LookupError:
                continue
        return None
