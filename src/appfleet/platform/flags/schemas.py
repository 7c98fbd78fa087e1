from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import ConfigDict, Field, model_validator

from appfleet.core.schemas import Schema

KEY_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,63}$"
Platform = Literal["ios", "android", "web", "any"]


class AudienceRules(Schema):
    """Who a flag or an experiment applies to: every criterion given must hold."""

    model_config = ConfigDict(extra="forbid")

    plans: list[str] = Field(default_factory=list, max_length=20, examples=[["pro"]])
    countries: list[str] = Field(
        default_factory=list, max_length=250, description="ISO 3166-1 alpha-2 codes."
    )
    apps: list[str] = Field(
        default_factory=list, max_length=50, description="For deployment-wide flags."
    )
    signed_up_after: date | None = Field(None, description="Inclusive.")
    signed_up_before: date | None = Field(None, description="Exclusive.")

    @model_validator(mode="after")
    def _codes(self) -> AudienceRules:
        for code in self.countries:
            if len(code) != 2 or not code.isalpha():
                raise ValueError(f"countries: {code!r} is not an ISO 3166-1 alpha-2 code")
        self.countries = [c.upper() for c in self.countries]
        return self


class FlagWrite(Schema):
    model_config = ConfigDict(extra="forbid")

    description: str = Field("", max_length=300)
    enabled: bool = False
    killed: bool = Field(False, description="Kill switch: off for everyone, whatever else says.")
    rollout_percent: float = Field(
        100, ge=0, le=100, description="Share of the audience that gets it (0.01 steps)."
    )
    audience: AudienceRules = Field(default_factory=AudienceRules)


class FlagRead(Schema):
    key: str
    app: str | None = Field(description="None: a deployment-wide flag.")
    description: str
    enabled: bool
    killed: bool
    rollout_percent: float
    audience: AudienceRules
    updated_at: datetime


class VariantWeight(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$", examples=["control"])
    weight: int = Field(ge=1, le=1000)


class ExperimentWrite(Schema):
    model_config = ConfigDict(extra="forbid")

    description: str = Field("", max_length=300)
    variants: list[VariantWeight] = Field(
        min_length=2, max_length=10, description="The first is the control arm."
    )
    conversion_event: str = Field(pattern=KEY_PATTERN, examples=["goal_created"])
    audience: AudienceRules = Field(default_factory=AudienceRules)

    @model_validator(mode="after")
    def _distinct(self) -> ExperimentWrite:
        names = [v.name for v in self.variants]
        if len(set(names)) != len(names):
            raise ValueError("variants: names must be distinct")
        return self


class ExperimentStop(Schema):
    model_config = ConfigDict(extra="forbid")

    winner: str | None = Field(None, description="The arm everyone gets from now on.")


class ExperimentRead(Schema):
    key: str
    app: str
    description: str
    status: Literal["draft", "running", "stopped"]
    variants: list[VariantWeight]
    conversion_event: str
    audience: AudienceRules
    winner: str | None
    started_at: datetime | None
    stopped_at: datetime | None


class ArmResult(Schema):
    variant: str
    users: int = Field(description="Users exposed to this arm.")
    conversions: int
    conversion_rate: float
    rate_low: float = Field(description="95% Wilson interval of the rate.")
    rate_high: float
    difference: float | None = Field(None, description="Rate minus the control's.")
    difference_low: float | None = Field(None, description="95% interval of the difference.")
    difference_high: float | None = None
    z: float | None = None
    p_value: float | None = Field(None, description="Two-proportion z-test, two-sided.")
    significant: bool | None = Field(None, description="p < 0.05.")


class ExperimentResults(Schema):
    key: str
    status: str
    conversion_event: str
    control: str
    arms: list[ArmResult]


class ReleaseWrite(Schema):
    model_config = ConfigDict(extra="forbid")

    min_version: str | None = Field(None, max_length=40, examples=["2.0.0"])
    recommended_version: str | None = Field(None, max_length=40, examples=["2.3.0"])
    store_url: str | None = Field(
        None, max_length=500, pattern=r"^https://", examples=["https://apps.apple.com/app/id1"]
    )


class ReleaseRead(ReleaseWrite):
    app: str
    platform: Platform
    updated_at: datetime


class ClientConfig(Schema):
    platform: str
    version: str | None
    min_version: str | None
    recommended_version: str | None
    store_url: str | None
    update: Literal["none", "recommended", "required"]


class ClientFlags(Schema):
    flags: dict[str, bool] = Field(examples=[{"multiple-goals": True}])
    experiments: dict[str, str] = Field(
        description="The caller's arm of each experiment they are in.",
        examples=[{"onboarding-flow": "simplified"}],
    )


class ConversionWrite(Schema):
    model_config = ConfigDict(extra="forbid")

    event: str | None = Field(
        None, pattern=KEY_PATTERN, description="Defaults to the experiment's conversion event."
    )


class ConversionRead(Schema):
    recorded: bool = Field(description="False when already recorded, or never exposed.")
    variant: str | None
