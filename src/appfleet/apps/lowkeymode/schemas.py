from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, ConfigDict, Field, StringConstraints

from appfleet.core.schemas import Schema

PSEUDONYM = r"^[A-Za-z0-9][A-Za-z0-9 _.\-]{1,22}[A-Za-z0-9]$"
CODE = r"^[A-Za-z0-9][A-Za-z0-9\-]{2,18}[A-Za-z0-9]$"
MAX_DB = 140
MAX_MEDITATION_S = 4 * 3600
Period = Literal["day", "week", "all"]


class ProfileRead(Schema):
    pseudonym: str = Field(description="What the leaderboard shows; never the name or email.")
    listed: bool = Field(description="Whether you appear on the leaderboard.")
    ambassador: bool = Field(description="Whether you can create referral codes.")
    preferences: dict[str, Any] = Field(description="Lowkey Mode's preferences for you.")
    created_at: datetime


class ProfileUpdate(Schema):
    model_config = ConfigDict(extra="forbid")

    pseudonym: str | None = Field(
        None, pattern=PSEUDONYM, description="3-24 letters, digits, spaces, `_`, `.` or `-`."
    )
    listed: bool | None = None
    preferences: dict[str, Any] | None = Field(
        None, description="Merged into your preferences; a null value removes a key."
    )


class QuietScoreCreate(Schema):
    model_config = ConfigDict(extra="forbid")

    db_level: int = Field(ge=0, le=MAX_DB, description="The measured level, in dB (0-140).")
    recorded_at: AwareDatetime = Field(
        description="When it was measured: not in the future, at most 7 days ago."
    )


class QuietScoreRead(Schema):
    id: uuid.UUID
    db_level: int
    recorded_at: datetime


class BoardRow(Schema):
    rank: int
    pseudonym: str
    mean_db: float = Field(description="The average of the period's scores (lower: quieter).")
    best_db: int
    sessions: int


class Leaderboard(Schema):
    period: Period
    starts: date | None = Field(description="The period's first day (UTC); null for `all`.")
    entries: list[BoardRow]
    participants: int = Field(description="Everyone listed for the period.")
    me: BoardRow | None = Field(description="Your own standing; null without a score.")


class MeditationCreate(Schema):
    model_config = ConfigDict(extra="forbid")

    duration_seconds: int = Field(ge=60, le=MAX_MEDITATION_S, description="1 minute to 4 hours.")
    logged_at: AwareDatetime | None = Field(
        None, description="When it ended; the server's time if absent or not within 48 h."
    )


class StreakRead(Schema):
    current: int = Field(description="Days in a row; 0 once a whole local day passed without.")
    longest: int
    last_date: date | None = Field(description="Your local day of the latest meditation.")
    meditated_today: bool
    sessions: int
    total_minutes: int
    timezone: str


class CodeCreate(Schema):
    model_config = ConfigDict(extra="forbid")

    code: str | None = Field(
        None, pattern=CODE, description="4-20 letters, digits or `-`; generated when absent."
    )
    max_redemptions: int = Field(50, ge=1, le=100_000)


class CodeUpdate(Schema):
    model_config = ConfigDict(extra="forbid")

    active: bool | None = None
    max_redemptions: int | None = Field(None, ge=1, le=100_000)


class CodeRead(Schema):
    code: str
    redemptions: int
    max_redemptions: int
    remaining: int
    active: bool
    created_at: datetime


class RedeemRequest(Schema):
    model_config = ConfigDict(extra="forbid")

    code: Annotated[str, StringConstraints(strip_whitespace=True, pattern=CODE)] = Field(
        description="Letters are not case-sensitive; spaces around it are ignored."
    )


class RedemptionRead(Schema):
    code: str
    ambassador: str | None = Field(description="The ambassador's pseudonym.")
    redeemed_at: datetime


class AmbassadorGrant(Schema):
    model_config = ConfigDict(extra="forbid")

    ambassador: bool
