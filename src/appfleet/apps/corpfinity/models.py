from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from appfleet.core.database import Base

USER_FK = "user_account.id"


class Challenge(Base):
    """The catalog: what the app suggests and shows (seed 000's challenge database)."""

    __tablename__ = "corpfinity_challenge"

    id: Mapped[str] = mapped_column(String(60), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(1000))
    duration: Mapped[str] = mapped_column(String(50))
    duration_minutes: Mapped[int]
    emoji: Mapped[str] = mapped_column(String(16))
    fun_fact: Mapped[str] = mapped_column(String(1000))
    goal_category: Mapped[str] = mapped_column(String(50), index=True)
    energy_level: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)


class Completion(Base):
    """One completed challenge (seed 000's challenge_history). `local_date` is the day in the
    user's timezone when it was completed, fixed then: a later timezone change does not move
    past days, so streaks never break or double-count because of it."""

    __tablename__ = "corpfinity_completion"
    __table_args__ = (
        # The history's order (newest first, id breaking ties) read straight off the index.
        Index("ix_corpfinity_completion_user_completed_at", "user_id", "completed_at", "id"),
        Index("ix_corpfinity_completion_user_local_date", "user_id", "local_date"),
        # A client-generated id: an offline retry of the same completion is stored once.
        UniqueConstraint("user_id", "client_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(USER_FK, ondelete="CASCADE"))
    client_id: Mapped[uuid.UUID | None]
    challenge_id: Mapped[str | None] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(String(1000))
    duration: Mapped[str | None] = mapped_column(String(50))
    emoji: Mapped[str | None] = mapped_column(String(16))
    fun_fact: Mapped[str | None] = mapped_column(String(1000))
    goal_category: Mapped[str | None] = mapped_column(String(50))
    energy_level: Mapped[str | None] = mapped_column(String(20))
    completed_at: Mapped[datetime]
    local_date: Mapped[date]
    local_hour: Mapped[int]  # 0-23 in the user's timezone (early bird, night owl)
    created_at: Mapped[datetime]


class Progress(Base):
    """The user's streak and totals, kept in step with every completion (seed 000's
    user_streaks); it always equals what the history recomputes to."""

    __tablename__ = "corpfinity_progress"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(USER_FK, ondelete="CASCADE"), primary_key=True
    )
    current_streak: Mapped[int] = mapped_column(default=0)
    longest_streak: Mapped[int] = mapped_column(default=0)
    last_completed_date: Mapped[date | None]
    total_completions: Mapped[int] = mapped_column(default=0)
    # Completions on `last_completed_date` (five in one day unlocks an achievement).
    last_day_count: Mapped[int] = mapped_column(default=0)
    # Categories and energy levels tried, as ",a,b" lists kept by the same statement, so the
    # "try everything" achievements need no scan of the history.
    categories_tried: Mapped[str] = mapped_column(String(1000), default="")
    energies_tried: Mapped[str] = mapped_column(String(100), default="")
    updated_at: Mapped[datetime]


class Unlock(Base):
    """An achievement a user has earned (seed 000's user_achievements)."""

    __tablename__ = "corpfinity_achievement"
    __table_args__ = (UniqueConstraint("user_id", "achievement_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(USER_FK, ondelete="CASCADE"), index=True)
    achievement_id: Mapped[str] = mapped_column(String(50))
    unlocked_at: Mapped[datetime]


class AchievementEdit(Base):
    """An admin's change to a built-in achievement (achievements.py): its wording, emoji,
    threshold, or whether it is offered at all. Rules stay in code; unlocks already earned stay."""

    __tablename__ = "corpfinity_achievement_edit"

    id: Mapped[str] = mapped_column(String(50), primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(300))
    emoji: Mapped[str] = mapped_column(String(16))
    threshold: Mapped[int]
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime]


class Reminder(Base):
    __tablename__ = "corpfinity_reminder"
    __table_args__ = (Index(None, "enabled", "next_fire_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(USER_FK, ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(200))
    message: Mapped[str | None] = mapped_column(String(1000))
    time_hour: Mapped[int]
    time_minute: Mapped[int]
    frequency: Mapped[str] = mapped_column(String(20))  # daily | weekdays | weekends | custom
    custom_days: Mapped[list[int]] = mapped_column(JSON, default=list)  # 0 Monday .. 6 Sunday
    enabled: Mapped[bool] = mapped_column(default=True)
    # The next time it fires, in UTC, computed in `timezone` (the user's when it was set).
    next_fire_at: Mapped[datetime | None]
    timezone: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class DailyTracking(Base):
    """One local day of wellness tracking (seed 000's daily_tracking)."""

    __tablename__ = "corpfinity_daily_tracking"
    __table_args__ = (UniqueConstraint("user_id", "date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(USER_FK, ondelete="CASCADE"))
    date: Mapped[date]
    water_intake: Mapped[int] = mapped_column(default=0)
    mood: Mapped[str | None] = mapped_column(String(20))
    breathing_sessions: Mapped[int] = mapped_column(default=0)
    posture_checks: Mapped[int] = mapped_column(default=0)
    screen_breaks: Mapped[int] = mapped_column(default=0)
    morning_stretch: Mapped[bool] = mapped_column(default=False)
    evening_reflection: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime]
