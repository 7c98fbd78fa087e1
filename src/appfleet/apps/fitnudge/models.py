from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from appfleet.core.database import Base

USER_FK = "user_account.id"
GOAL_FK = "fitnudge_goal.id"


class Goal(Base):
    """A fitness goal, e.g. "Gym 3x/week" (seed 001's goals)."""

    __tablename__ = "fitnudge_goal"
    __table_args__ = (
        CheckConstraint("frequency >= 1 AND frequency <= 7", name="frequency_per_week"),
        Index("ix_fitnudge_goal_user_active", "user_id", "active", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(USER_FK, ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(100))
    frequency: Mapped[int]  # times per week
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Checkin(Base):
    """The answer to "Did you go today?" for one goal and one local day (seed 001)."""

    __tablename__ = "fitnudge_checkin"
    __table_args__ = (
        UniqueConstraint("goal_id", "day"),
        CheckConstraint("status IN ('done', 'skipped', 'missed')", name="status_known"),
        Index("ix_fitnudge_checkin_user_day", "user_id", "day"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    goal_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(GOAL_FK, ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(USER_FK, ondelete="CASCADE"))
    day: Mapped[date]
    status: Mapped[str] = mapped_column(String(10))
    reflection: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Motivation(Base):
    """A generated motivational message (seed 001's motivations), and its voice if made."""

    __tablename__ = "fitnudge_motivation"
    __table_args__ = (Index("ix_fitnudge_motivation_user_created", "user_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(USER_FK, ondelete="CASCADE"))
    goal_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(GOAL_FK, ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(2000))
    tone: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(20))  # provider, cache, fallback_cache, local
    audio_key: Mapped[str | None] = mapped_column(String(400))
    created_at: Mapped[datetime]


class MotivationSchedule(Base):
    """A daily motivation push at a local time on chosen weekdays (seed 001's reminders).
    `next_at` is the next firing in UTC, recomputed after each one (DST included)."""

    __tablename__ = "fitnudge_schedule"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(USER_FK, ondelete="CASCADE"))
    goal_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(GOAL_FK, ondelete="CASCADE"))
    hour: Mapped[int]
    minute: Mapped[int]
    days: Mapped[list[int]] = mapped_column(JSON)  # 0 = Monday
    tone: Mapped[str] = mapped_column(String(20))
    next_at: Mapped[datetime | None] = mapped_column(index=True)
    last_sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class Post(Base):
    """A post on the social wall (seed 001's posts), with an optional picture or voice note
    (an upload's storage key). Likes and flags are counted on the row."""

    __tablename__ = "fitnudge_post"
    __table_args__ = (
        # The feed: visible posts newest first, read straight off the index.
        Index("ix_fitnudge_post_feed", "status", "created_at", "id"),
        Index("ix_fitnudge_post_user", "user_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(USER_FK, ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(2000))
    attachment_key: Mapped[str | None] = mapped_column(String(400))
    attachment_kind: Mapped[str | None] = mapped_column(String(10))  # image | voice
    like_count: Mapped[int] = mapped_column(default=0)
    flag_count: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(10), default="visible")  # visible | removed
    # The last moderation decision (approved | warned | removed); a new flag clears it, which
    # puts the post back in the queue.
    moderation: Mapped[str | None] = mapped_column(String(10))
    moderated_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class Like(Base):
    __tablename__ = "fitnudge_like"

    post_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("fitnudge_post.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(USER_FK, ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime]


class Flag(Base):
    """A report of a post for moderation: one per person and post."""

    __tablename__ = "fitnudge_flag"

    post_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("fitnudge_post.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(USER_FK, ondelete="CASCADE"), primary_key=True
    )
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime]


class SearchTerm(Base):
    """How often a search term was searched and its results clicked (seed 001's search
    analytics): the popular terms suggestions come from."""

    __tablename__ = "fitnudge_search_term"
    __table_args__ = (Index("ix_fitnudge_search_term_popular", "searches"),)

    term: Mapped[str] = mapped_column(String(100), primary_key=True)
    searches: Mapped[int] = mapped_column(default=0)
    clicks: Mapped[int] = mapped_column(default=0)
    last_at: Mapped[datetime]


# Full-text search objects built by migration 0018 for one engine each, outside the models:
# PostgreSQL's generated tsvector column and its GIN index, SQLite's FTS5 table (and the
# shadow tables FTS5 keeps beside it).
FULL_TEXT_TABLE_PREFIX = "fitnudge_post_fts"
FULL_TEXT_COLUMNS = {("fitnudge_post", "search")}
FULL_TEXT_INDEXES = {"ix_fitnudge_post_search"}
