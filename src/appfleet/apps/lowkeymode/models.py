from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from appfleet.core.database import Base

USER_FK = "user_account.id"


class Profile(Base):
    """How Lowkey Mode shows a user: a pseudonym (the leaderboard never shows anything else),
    whether to be listed at all, and whether they are an ambassador (hands out referral
    codes). Created with a generated pseudonym the first time the user needs one."""

    __tablename__ = "lowkeymode_profile"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(USER_FK, ondelete="CASCADE"), primary_key=True
    )
    pseudonym: Mapped[str] = mapped_column(String(24))
    # Lower-cased: "Calm Owl" and "calm owl" are one pseudonym.
    pseudonym_key: Mapped[str] = mapped_column(String(24), unique=True)
    listed: Mapped[bool] = mapped_column(default=True)
    ambassador: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class QuietScore(Base):
    """One measurement of how quiet it was (seed 002's quiet_scores), in dB."""

    __tablename__ = "lowkeymode_quiet_score"
    __table_args__ = (
        CheckConstraint("db_level >= 0 AND db_level <= 140", name="db_level_range"),
        Index("ix_lowkeymode_quiet_score_user_recorded", "user_id", "recorded_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(USER_FK, ondelete="CASCADE"))
    db_level: Mapped[int]
    recorded_at: Mapped[datetime]
    created_at: Mapped[datetime]


class BoardEntry(Base):
    """A user's standing for one leaderboard period (`all`, `d2026-12-01`, `w2026-W49`),
    kept up to date with each score so a board is an index scan, never an aggregate over
    every score. Lower mean dB ranks higher (quieter)."""

    __tablename__ = "lowkeymode_board_entry"
    __table_args__ = (Index("ix_lowkeymode_board_rank", "period", "mean_db", "user_id"),)

    period: Mapped[str] = mapped_column(String(12), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(USER_FK, ondelete="CASCADE"), primary_key=True
    )
    sessions: Mapped[int]
    total_db: Mapped[int]
    mean_db: Mapped[float]
    best_db: Mapped[int]
    updated_at: Mapped[datetime]


class Meditation(Base):
    """One logged meditation (seed 002's meditation_logs). `local_date` is the user's day when
    it happened, fixed then, so a later timezone change never moves past days."""

    __tablename__ = "lowkeymode_meditation"
    __table_args__ = (
        CheckConstraint("duration_seconds > 0", name="duration_positive"),
        Index("ix_lowkeymode_meditation_user_day", "user_id", "local_date"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(USER_FK, ondelete="CASCADE"))
    duration_seconds: Mapped[int]
    logged_at: Mapped[datetime]
    local_date: Mapped[date]
    created_at: Mapped[datetime]


class Streak(Base):
    """The meditation streak, advanced with each log and recomputed for a late one."""

    __tablename__ = "lowkeymode_streak"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(USER_FK, ondelete="CASCADE"), primary_key=True
    )
    current: Mapped[int]
    longest: Mapped[int]
    last_date: Mapped[date | None]
    sessions: Mapped[int]
    total_seconds: Mapped[int]
    updated_at: Mapped[datetime]


class ReferralCode(Base):
    """An ambassador's code (seed 002's referral_codes). The database refuses more
    redemptions than the maximum, whatever the application does."""

    __tablename__ = "lowkeymode_referral_code"
    __table_args__ = (
        CheckConstraint(
            "redemptions >= 0 AND redemptions <= max_redemptions", name="redemptions_within_max"
        ),
    )

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    # Kept (without its owner) when an ambassador's account is erased: redemptions stay.
    ambassador_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey(USER_FK, ondelete="SET NULL"), index=True
    )
    redemptions: Mapped[int] = mapped_column(default=0)
    max_redemptions: Mapped[int] = mapped_column(default=50)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]


class Redemption(Base):
    """Who redeemed which code: one per user, ever."""

    __tablename__ = "lowkeymode_redemption"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(USER_FK, ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(
        ForeignKey("lowkeymode_referral_code.code", ondelete="CASCADE"), index=True
    )
    redeemed_at: Mapped[datetime]
