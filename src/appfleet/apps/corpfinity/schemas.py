from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal, Self

from pydantic import ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

from appfleet.core.schemas import Schema

Energy = Literal["low", "medium", "high"]
Mood = Literal["great", "good", "okay", "low", "stressed", "tired"]
Frequency = Literal["daily", "weekdays", "weekends", "custom"]
CATEGORY = r"^[a-z][a-z_]{1,49}$"


class ChallengeRead(Schema):
    model_config = ConfigDict(from_attributes=True)

    id: str
    title: str
    description: str
    duration: str
    duration_minutes: int
    emoji: str
    fun_fact: str
    goal_category: str
    energy_level: str


class CompletionCreate(Schema):
    """A completed challenge as the app sends it (snake_case, or the Flutter model's camelCase).
    Unknown fields are ignored so older app versions keep working."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")

    id: uuid.UUID | None = Field(
        None, description="Client-generated id: a retry with the same id is not stored twice."
    )
    challenge_id: str | None = Field(None, max_length=60, description="A catalog id.")
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=1000)
    duration: str | None = Field(None, max_length=50)
    emoji: str | None = Field(None, max_length=16)
    fun_fact: str | None = Field(None, max_length=1000)
    goal_category: str | None = Field(None, pattern=CATEGORY)
    energy_level: Energy | None = None
    completed_at: datetime | None = Field(
        None,
        description="When it was done, if the phone was offline; used only within the last 48 h "
        "and not in the future (otherwise the server's time is used).",
    )

    @model_validator(mode="after")
    def _named(self) -> Self:
        if self.challenge_id is None and self.title is None:
            raise ValueError("give a catalog challenge_id or a title")
        return self


class CompletionRead(Schema):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    client_id: uuid.UUID | None
    challenge_id: str | None
    title: str
    description: str | None
    duration: str | None
    emoji: str | None
    fun_fact: str | None
    goal_category: str | None
    energy_level: str | None
    completed_at: datetime
    local_date: date


class StreakRead(Schema):
    current_streak: int = Field(description="0 once a whole local day passed without a challenge.")
    longest_streak: int
    last_completed_date: date | None
    completed_today: bool
    timezone: str


class Progress(Schema):
    current: int
    target: int


class AchievementRead(Schema):
    id: str
    title: str
    description: str
    emoji: str
    unlocked: bool
    unlocked_at: datetime | None
    progress: Progress


class CompletionResult(Schema):
    item: CompletionRead
    streak: StreakRead
    achievements_unlocked: list[AchievementRead]
    created: bool = Field(description="False when this was a retry of a stored completion.")


class HistoryPage(Schema):
    items: list[CompletionRead]
    next_cursor: str | None


class SuggestionRead(Schema):
    challenge: ChallengeRead
    message: str = Field(description="Why this one, in a sentence or two.")
    source: str = Field(
        description="Who phrased the message: provider, cache, fallback_cache, local."
    )


class ReminderCreate(Schema):
    model_config = ConfigDict(extra="forbid")

    type: str = Field(pattern=r"^[a-z][a-z_]{1,49}$", examples=["water", "stretch", "challenge"])
    title: str = Field(min_length=1, max_length=200)
    message: str | None = Field(None, max_length=1000)
    time_hour: int = Field(ge=0, le=23)
    time_minute: int = Field(ge=0, le=59)
    frequency: Frequency = "daily"
    custom_days: list[int] = Field(
        default_factory=list, max_length=7, description="0 Monday ... 6 Sunday (custom only)."
    )
    enabled: bool = True

    @model_validator(mode="after")
    def _days(self) -> Self:
        check_days(self.frequency, self.custom_days)
        return self


class ReminderUpdate(Schema):
    model_config = ConfigDict(extra="forbid")

    type: str | None = Field(None, pattern=r"^[a-z][a-z_]{1,49}$")
    title: str | None = Field(None, min_length=1, max_length=200)
    message: str | None = Field(None, max_length=1000)
    time_hour: int | None = Field(None, ge=0, le=23)
    time_minute: int | None = Field(None, ge=0, le=59)
    frequency: Frequency | None = None
    custom_days: list[int] | None = Field(None, max_length=7)
    enabled: bool | None = None


def check_days(frequency: str, days: list[int]) -> None:
    if any(not 0 <= day <= 6 for day in days):
        raise ValueError("custom_days are 0 (Monday) to 6 (Sunday)")
    if len(set(days)) != len(days):
        raise ValueError("custom_days repeat a day")
    if frequency == "custom" and not days:
        raise ValueError("a custom reminder needs custom_days")


class ReminderRead(Schema):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    type: str
    title: str
    message: str | None
    time_hour: int
    time_minute: int
    frequency: str
    custom_days: list[int]
    enabled: bool
    next_fire_at: datetime | None
    created_at: datetime


class Increments(Schema):
    model_config = ConfigDict(extra="forbid")

    water_intake: int = Field(0, ge=-50, le=50)
    breathing_sessions: int = Field(0, ge=-100, le=100)
    posture_checks: int = Field(0, ge=-100, le=100)
    screen_breaks: int = Field(0, ge=-100, le=100)


class TrackingUpdate(Schema):
    """Set values, and/or add to counters (`increment`, e.g. one more glass of water) — adding
    is what two devices updating at once should use: no update is lost."""

    model_config = ConfigDict(extra="forbid")

    water_intake: int | None = Field(None, ge=0, le=100)
    mood: Mood | None = None
    breathing_sessions: int | None = Field(None, ge=0, le=1000)
    posture_checks: int | None = Field(None, ge=0, le=1000)
    screen_breaks: int | None = Field(None, ge=0, le=1000)
    morning_stretch: bool | None = None
    evening_reflection: bool | None = None
    increment: Increments | None = None


class TrackingRead(Schema):
    model_config = ConfigDict(from_attributes=True)

    date: date
    water_intake: int = 0
    mood: str | None = None
    breathing_sessions: int = 0
    posture_checks: int = 0
    screen_breaks: int = 0
    morning_stretch: bool = False
    evening_reflection: bool = False


class DayCount(Schema):
    date: date
    value: float | None


class StatsRead(Schema):
    total_challenges: int
    this_week: int = Field(description="Since Monday, in the user's timezone.")
    by_category: dict[str, int]
    by_energy_level: dict[str, int]
    current_streak: int
    longest_streak: int
    achievements_unlocked: int
    achievements_total: int
    water_last_7_days: list[DayCount]
    water_average_7_days: float
    mood_last_14_days: list[DayCount] = Field(
        description="Mood as a score from 1 (stressed) to 5 (great); null on days not logged."
    )


class ChallengeWrite(Schema):
    """A catalog challenge as an admin writes it (the whole row: PUT replaces)."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, max_length=1000)
    duration: str = Field(min_length=1, max_length=50, examples=["5 minutes"])
    duration_minutes: int = Field(ge=1, le=240)
    emoji: str = Field(min_length=1, max_length=16)
    fun_fact: str = Field("", max_length=1000)
    goal_category: str = Field(pattern=CATEGORY, examples=["mindfulness"])
    energy_level: Energy
    active: bool = Field(True, description="Inactive: kept for history, not offered.")


class ChallengeAdminRead(ChallengeRead):
    active: bool


class AchievementWrite(Schema):
    """A built-in achievement as an admin may change it (its rule's kind stays)."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=100)
    description: str = Field(min_length=1, max_length=300)
    emoji: str = Field(min_length=1, max_length=16)
    threshold: int = Field(ge=1, le=100_000, description="The count its rule needs.")
    active: bool = Field(True, description="Inactive: no longer listed or unlocked.")


class AchievementDefinition(AchievementWrite):
    id: str
    rule: str = Field(description="What is counted, e.g. streak, completions, category.")
    edited: bool
