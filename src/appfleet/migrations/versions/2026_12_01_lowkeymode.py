"""Lowkey Mode: profiles, quiet scores and board standings, meditations and streaks,
referral codes and redemptions

Revision ID: 0015_lowkeymode
Revises: 0014_healthindex
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from appfleet.core.database import UTCDateTime

revision: str = "0015_lowkeymode"
down_revision: str | Sequence[str] | None = "0014_healthindex"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "lowkeymode_board_entry",
        sa.Column("period", sa.String(length=12), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.Column("total_db", sa.Integer(), nullable=False),
        sa.Column("mean_db", sa.Double(), nullable=False),
        sa.Column("best_db", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_lowkeymode_board_entry_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("period", "user_id", name=op.f("pk_lowkeymode_board_entry")),
    )
    op.create_index(
        "ix_lowkeymode_board_rank",
        "lowkeymode_board_entry",
        ["period", "mean_db", "user_id"],
        unique=False,
    )
    op.create_table(
        "lowkeymode_meditation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("duration_seconds", sa.Integer(), nullable=False),
        sa.Column("logged_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "duration_seconds > 0", name=op.f("ck_lowkeymode_meditation_duration_positive")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_lowkeymode_meditation_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lowkeymode_meditation")),
    )
    op.create_index(
        "ix_lowkeymode_meditation_user_day",
        "lowkeymode_meditation",
        ["user_id", "local_date"],
        unique=False,
    )
    op.create_table(
        "lowkeymode_profile",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("pseudonym", sa.String(length=24), nullable=False),
        sa.Column("pseudonym_key", sa.String(length=24), nullable=False),
        sa.Column("listed", sa.Boolean(), nullable=False),
        sa.Column("ambassador", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_lowkeymode_profile_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_lowkeymode_profile")),
        sa.UniqueConstraint("pseudonym_key", name=op.f("uq_lowkeymode_profile_pseudonym_key")),
    )
    op.create_table(
        "lowkeymode_quiet_score",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("db_level", sa.Integer(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "db_level >= 0 AND db_level <= 140",
            name=op.f("ck_lowkeymode_quiet_score_db_level_range"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_lowkeymode_quiet_score_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lowkeymode_quiet_score")),
    )
    op.create_index(
        "ix_lowkeymode_quiet_score_user_recorded",
        "lowkeymode_quiet_score",
        ["user_id", "recorded_at"],
        unique=False,
    )
    op.create_table(
        "lowkeymode_referral_code",
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("ambassador_id", sa.Uuid(), nullable=True),
        sa.Column("redemptions", sa.Integer(), nullable=False),
        sa.Column("max_redemptions", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "redemptions >= 0 AND redemptions <= max_redemptions",
            name=op.f("ck_lowkeymode_referral_code_redemptions_within_max"),
        ),
        sa.ForeignKeyConstraint(
            ["ambassador_id"],
            ["user_account.id"],
            name=op.f("fk_lowkeymode_referral_code_ambassador_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_lowkeymode_referral_code")),
    )
    op.create_index(
        op.f("ix_lowkeymode_referral_code_ambassador_id"),
        "lowkeymode_referral_code",
        ["ambassador_id"],
        unique=False,
    )
    op.create_table(
        "lowkeymode_streak",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("current", sa.Integer(), nullable=False),
        sa.Column("longest", sa.Integer(), nullable=False),
        sa.Column("last_date", sa.Date(), nullable=True),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.Column("total_seconds", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_lowkeymode_streak_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_lowkeymode_streak")),
    )
    op.create_table(
        "lowkeymode_redemption",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("redeemed_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["code"],
            ["lowkeymode_referral_code.code"],
            name=op.f("fk_lowkeymode_redemption_code_lowkeymode_referral_code"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_lowkeymode_redemption_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_lowkeymode_redemption")),
    )
    op.create_index(
        op.f("ix_lowkeymode_redemption_code"), "lowkeymode_redemption", ["code"], unique=False
    )


def downgrade() -> None:
    op.drop_table("lowkeymode_redemption")
    op.drop_table("lowkeymode_streak")
    op.drop_table("lowkeymode_referral_code")
    op.drop_table("lowkeymode_quiet_score")
    op.drop_table("lowkeymode_profile")
    op.drop_table("lowkeymode_meditation")
    op.drop_table("lowkeymode_board_entry")
