from __future__ import annotations

from datetime import datetime
from typing import Self

from pydantic import ConfigDict, Field, model_validator

from appfleet.core.schemas import Schema


class CheckoutCreate(Schema):
    model_config = ConfigDict(extra="forbid")

    plan: str | None = Field(None, pattern=r"^[a-z][a-z0-9_]{0,39}$", examples=["pro"])
    order_id: str | None = Field(None, min_length=1, max_length=64)

    @model_validator(mode="after")
    def _one(self) -> Self:
        if (self.plan is None) == (self.order_id is None):
            raise ValueError("give a plan or an order_id")
        return self


class CheckoutRead(Schema):
    id: str
    url: str = Field(description="Open it in a browser: the provider's checkout page.")
    status: str
    amount_cents: int
    currency: str


class PlanRead(Schema):
    key: str
    display_name: str
    amount_cents: int
    currency: str
    interval: str
    level: int
    trial_days: int
    limits: dict[str, int]


class SubscriptionRead(Schema):
    plan: str = Field(description="The plan in force: `free` without a subscription.")
    status: str | None = Field(
        description="trialing, active, past_due, canceled, unpaid; null without one."
    )
    current_period_end: datetime | None
    cancel_at_period_end: bool
    trial_end: datetime | None
    limits: dict[str, int]


class PlanChange(Schema):
    model_config = ConfigDict(extra="forbid")

    plan: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    prorate: bool = Field(True, description="Charge or credit the difference now (seed 001).")


class PortalRead(Schema):
    url: str
