from __future__ import annotations

from pydantic import BaseModel, Field


class CorpfinityOptions(BaseModel):
    """`[app.corpfinity.settings]` in appfleet.toml."""

    backdate_hours: int = Field(
        48, ge=0, le=168, description="How far back a phone may date a completion it kept offline."
    )
    streak_risk_hour: int = Field(
        20, ge=0, le=23, description="Local hour of the streak-risk push."
    )
    weekly_summary_hour: int = Field(18, ge=0, le=23, description="Local hour, Sundays.")
    motivation_hour: int = Field(9, ge=0, le=23, description="Local hour of the daily quote.")
    water_goal: int = Field(8, ge=1, le=30, description="Glasses a day that meet the water goal.")
