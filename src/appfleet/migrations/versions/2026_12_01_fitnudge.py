"""FitNudge: goals, check-ins, motivations, motivation schedules

Revision ID: 0016_fitnudge
Revises: 0015_lowkeymode
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from appfleet.core.database import UTCDateTime

revision: str = "0016_fitnudge"
down_revision: str | Sequence[str] | None = "0015_lowkeymode"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "fitnudge_goal",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("frequency", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "frequency >= 1 AND frequency <= 7", name=op.f("ck_fitnudge_goal_frequency_per_week")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_fitnudge_goal_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fitnudge_goal")),
    )
    op.create_index(
        "ix_fitnudge_goal_user_active",
        "fitnudge_goal",
        ["user_id", "active", "created_at"],
        unique=False,
    )
    op.create_table(
        "fitnudge_checkin",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("goal_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reflection", sa.String(length=1000), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('done', 'skipped', 'missed')", name=op.f("ck_fitnudge_checkin_status_known")
        ),
        sa.ForeignKeyConstraint(
            ["goal_id"],
            ["fitnudge_goal.id"],
            name=op.f("fk_fitnudge_checkin_goal_id_fitnudge_goal"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_fitnudge_checkin_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fitnudge_checkin")),
        sa.UniqueConstraint("goal_id", "day", name=op.f("uq_fitnudge_checkin_goal_id_day")),
    )
    op.create_index(
        "ix_fitnudge_checkin_user_day", "fitnudge_checkin", ["user_id", "day"], unique=False
    )
    op.create_table(
        "fitnudge_motivation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("goal_id", sa.Uuid(), nullable=False),
        sa.Column("text", sa.String(length=2000), nullable=False),
        sa.Column("tone", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("audio_key", sa.String(length=400), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["goal_id"],
            ["fitnudge_goal.id"],
            name=op.f("fk_fitnudge_motivation_goal_id_fitnudge_goal"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_fitnudge_motivation_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fitnudge_motivation")),
    )
    op.create_index(
        "ix_fitnudge_motivation_user_created",
        "fitnudge_motivation",
        ["user_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "fitnudge_schedule",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("goal_id", sa.Uuid(), nullable=False),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("minute", sa.Integer(), nullable=False),
        sa.Column("days", sa.JSON(), nullable=False),
        sa.Column("tone", sa.String(length=20), nullable=False),
        sa.Column("next_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_sent_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["goal_id"],
            ["fitnudge_goal.id"],
            name=op.f("fk_fitnudge_schedule_goal_id_fitnudge_goal"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_fitnudge_schedule_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fitnudge_schedule")),
    )
    op.create_index(
        op.f("ix_fitnudge_schedule_next_at"), "fitnudge_schedule", ["next_at"], unique=False
    )


def downgrade() -> None:
    op.drop_table("fitnudge_schedule")
    op.drop_table("fitnudge_motivation")
    op.drop_table("fitnudge_checkin")
    op.drop_table("fitnudge_goal")
