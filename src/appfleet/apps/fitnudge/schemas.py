from __future__ import annotations

import datetime as dt
import uuid
from datetime import date, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import ConfigDict, Field, StringConstraints

from appfleet.core.clock import LocalTime
from appfleet.core.schemas import Schema
from appfleet.providers.ai.base import Tone

Status = Literal["done", "skipped", "missed"]
Hit = TypeVar("Hit")
DayName = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DAY_NAMES: tuple[DayName, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    Field(description="e.g. Gym 3x/week."),
]


class GoalCreate(Schema):
    model_config = ConfigDict(extra="forbid")

    title: Title
    frequency: int = Field(ge=1, le=7, description="Times per week.")
    active: bool = True


class GoalUpdate(Schema):
    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    frequency: int | None = Field(None, ge=1, le=7)
    active: bool | None = None


class WeekProgress(Schema):
    starts: date = Field(description="Monday of this week, in your timezone.")
    done: int
    target: int = Field(description="The goal's frequency.")
    met: bool


class GoalRead(Schema):
    id: uuid.UUID
    title: str
    frequency: int
    active: bool
    created_at: datetime
    streak_days: int = Field(description="Days in a row with a done check-in (alive today).")
    streak_weeks: int = Field(description="Weeks in a row meeting the frequency.")
    week: WeekProgress


class CheckinCreate(Schema):
    model_config = ConfigDict(extra="forbid")

    date: dt.date | None = Field(None, description="Your local day; today if absent.")
    status: Status
    reflection: str | None = Field(None, max_length=1000)


class CheckinRead(Schema):
    id: uuid.UUID
    goal_id: uuid.UUID
    date: dt.date
    status: Status
    reflection: str | None
    updated_at: datetime


class TodayItem(Schema):
    goal: GoalRead
    checkin: CheckinRead | None = Field(description="Today's answer; null: not asked yet.")


class MotivationCreate(Schema):
    model_config = ConfigDict(extra="forbid")

    goal_id: uuid.UUID
    tone: Tone = "friendly"


class MotivationRead(Schema):
    id: uuid.UUID
    goal_id: uuid.UUID
    text: str
    tone: str
    language: str
    source: str = Field(description="provider, cache, fallback_cache or local.")
    created_at: datetime


class VoiceRequest(Schema):
    model_config = ConfigDict(extra="forbid")

    motivation_id: uuid.UUID


class VoiceRead(Schema):
    motivation_id: uuid.UUID
    text: str
    audio_url: str | None = Field(description="A time-limited link; null when no voice is up.")
    content_type: str | None


class ScheduleCreate(Schema):
    model_config = ConfigDict(extra="forbid")

    goal_id: uuid.UUID
    time: LocalTime = Field(description="Local time, HH:MM.")
    days: list[DayName] = Field(default_factory=lambda: list(DAY_NAMES), min_length=1, max_length=7)
    tone: Tone = "friendly"


class ScheduleRead(Schema):
    id: uuid.UUID
    goal_id: uuid.UUID
    time: str
    days: list[str]
    tone: str
    next_at: datetime | None


class PostCreate(Schema):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=2000, description="Stored exactly as written.")
    upload_id: uuid.UUID | None = Field(
        None, description="A completed upload of yours (purpose post_image or voice)."
    )


class Author(Schema):
    id: uuid.UUID
    name: str


class Attachment(Schema):
    kind: Literal["image", "voice"]
    url: str = Field(description="A time-limited link.")


class PostRead(Schema):
    id: uuid.UUID
    author: Author
    text: str
    attachment: Attachment | None
    like_count: int
    liked_by_me: bool
    created_at: datetime


class PostPage(Schema):
    items: list[PostRead]
    next_cursor: str | None


class LikeRead(Schema):
    post_id: uuid.UUID
    liked: bool
    like_count: int


class FlagCreate(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500)


class FlagRead(Schema):
    post_id: uuid.UUID
    flagged: bool


class PostHit(Schema):
    id: uuid.UUID
    text: str
    author: Author
    like_count: int
    created_at: datetime
    score: float = Field(description="Relevance, title match, recency and engagement (seed 001).")


class GoalHit(Schema):
    id: uuid.UUID
    title: str
    frequency: int
    active: bool
    score: float


class UserHit(Schema):
    id: uuid.UUID
    name: str


class SearchPage(Schema, Generic[Hit]):
    query: str = Field(description="The words searched for (operators are not honoured).")
    page: int
    total: int = Field(description="Matches ranked (a very common word: its newest 1,000).")
    results: list[Hit]


class Suggestion(Schema):
    kind: Literal["search", "user", "category"]
    text: str


class SearchClick(Schema):
    model_config = ConfigDict(extra="forbid")

    q: str = Field(min_length=2, max_length=100)
    result_id: uuid.UUID
    position: int = Field(ge=0, le=1000)


class GoalWeek(Schema):
    goal_id: uuid.UUID
    title: str
    done: int
    target: int
    met: bool


class CheckinCounts(Schema):
    done: int
    skipped: int
    missed: int


class WeeklySummary(Schema):
    week_start: dt.date = Field(description="Monday, in your timezone.")
    week_end: dt.date
    timezone: str
    checkins: CheckinCounts
    goals: list[GoalWeek] = Field(description="Active goals against their frequency.")
    completion_rate: float = Field(description="Done days counted up to each goal's target.")
    goals_met: int
    best_streak_days: int
    best_streak_weeks: int
    motivations: int = Field(description="AI messages generated for you that week.")


class WallEvent(Schema):
    type: str = Field(description="post.created, post.deleted, post.likes, or gap.")
    seq: int | None = None
    data: dict[str, Any] | None = None
    since: int | None = Field(None, description="For a gap: the seq asked for.")
    resumed_at: int | None = Field(None, description="For a gap: the first seq still kept.")


class WallUpdates(Schema):
    events: list[WallEvent]
    last: int = Field(description="Pass it as `since` next time.")


class OnboardingFlow(Schema):
    flow: str = Field(description="original or simplified (seed 001's experiment arms).")
    steps: list[str] = Field(description="Screens in order.")
    experiment: str | None = Field(None, description="The experiment that chose it, if any.")
    variant: str | None = Field(None, description="The caller's stable variant in it.")
