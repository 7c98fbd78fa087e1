"""CorpFinity: the challenge catalog (60+ challenges), completions, streaks, achievements,
reminders, daily tracking and sent notices

Revision ID: 0012_corpfinity
Revises: 0011_ai_usage
Create Date: 2026-12-01
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib import resources

import sqlalchemy as sa
from alembic import op

from appfleet.core.database import UTCDateTime

revision: str = "0012_corpfinity"
down_revision: str | Sequence[str] | None = "0011_ai_usage"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
# The catalog as first shipped; later changes to it come with migrations of their own.
CATALOG = "challenges_v1.json"


def upgrade() -> None:
    op.create_table(
        "corpfinity_challenge",
        sa.Column("id", sa.String(length=60), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=False),
        sa.Column("duration", sa.String(length=50), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("emoji", sa.String(length=16), nullable=False),
        sa.Column("fun_fact", sa.String(length=1000), nullable=False),
        sa.Column("goal_category", sa.String(length=50), nullable=False),
        sa.Column("energy_level", sa.String(length=20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_corpfinity_challenge")),
    )
    with op.batch_alter_table("corpfinity_challenge", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_corpfinity_challenge_goal_category"), ["goal_category"], unique=False
        )

    op.create_table(
        "corpfinity_achievement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("achievement_id", sa.String(length=50), nullable=False),
        sa.Column("unlocked_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_corpfinity_achievement_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_corpfinity_achievement")),
        sa.UniqueConstraint(
            "user_id",
            "achievement_id",
            name=op.f("uq_corpfinity_achievement_user_id_achievement_id"),
        ),
    )
    with op.batch_alter_table("corpfinity_achievement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_corpfinity_achievement_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "corpfinity_completion",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=True),
        sa.Column("challenge_id", sa.String(length=60), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=True),
        sa.Column("duration", sa.String(length=50), nullable=True),
        sa.Column("emoji", sa.String(length=16), nullable=True),
        sa.Column("fun_fact", sa.String(length=1000), nullable=True),
        sa.Column("goal_category", sa.String(length=50), nullable=True),
        sa.Column("energy_level", sa.String(length=20), nullable=True),
        sa.Column("completed_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("local_hour", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_corpfinity_completion_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_corpfinity_completion")),
        sa.UniqueConstraint(
            "user_id", "client_id", name=op.f("uq_corpfinity_completion_user_id_client_id")
        ),
    )
    with op.batch_alter_table("corpfinity_completion", schema=None) as batch_op:
        batch_op.create_index(
            "ix_corpfinity_completion_user_completed_at",
            ["user_id", "completed_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_corpfinity_completion_user_local_date", ["user_id", "local_date"], unique=False
        )

    op.create_table(
        "corpfinity_daily_tracking",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("water_intake", sa.Integer(), nullable=False),
        sa.Column("mood", sa.String(length=20), nullable=True),
        sa.Column("breathing_sessions", sa.Integer(), nullable=False),
        sa.Column("posture_checks", sa.Integer(), nullable=False),
        sa.Column("screen_breaks", sa.Integer(), nullable=False),
        sa.Column("morning_stretch", sa.Boolean(), nullable=False),
        sa.Column("evening_reflection", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_corpfinity_daily_tracking_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_corpfinity_daily_tracking")),
        sa.UniqueConstraint(
            "user_id", "date", name=op.f("uq_corpfinity_daily_tracking_user_id_date")
        ),
    )
    op.create_table(
        "corpfinity_progress",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("current_streak", sa.Integer(), nullable=False),
        sa.Column("longest_streak", sa.Integer(), nullable=False),
        sa.Column("last_completed_date", sa.Date(), nullable=True),
        sa.Column("total_completions", sa.Integer(), nullable=False),
        sa.Column("last_day_count", sa.Integer(), nullable=False),
        sa.Column("categories_tried", sa.String(length=1000), nullable=False),
        sa.Column("energies_tried", sa.String(length=100), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_corpfinity_progress_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_corpfinity_progress")),
    )
    op.create_table(
        "corpfinity_reminder",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=50), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("message", sa.String(length=1000), nullable=True),
        sa.Column("time_hour", sa.Integer(), nullable=False),
        sa.Column("time_minute", sa.Integer(), nullable=False),
        sa.Column("frequency", sa.String(length=20), nullable=False),
        sa.Column("custom_days", sa.JSON(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("next_fire_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_corpfinity_reminder_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_corpfinity_reminder")),
    )
    with op.batch_alter_table("corpfinity_reminder", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_corpfinity_reminder_enabled"), ["enabled", "next_fire_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_corpfinity_reminder_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "corpfinity_sent_notice",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_corpfinity_sent_notice_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "user_id", "kind", "local_date", name=op.f("pk_corpfinity_sent_notice")
        ),
    )
    catalog = json.loads(
        resources.files("appfleet.apps.corpfinity.data").joinpath(CATALOG).read_text("utf-8")
    )
    table = sa.table(
        "corpfinity_challenge",
        *(sa.column(name) for name in (*catalog[0], "active")),
    )
    op.bulk_insert(table, [{**row, "active": True} for row in catalog])


def downgrade() -> None:
    op.drop_table("corpfinity_sent_notice")
    with op.batch_alter_table("corpfinity_reminder", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_corpfinity_reminder_user_id"))
        batch_op.drop_index(batch_op.f("ix_corpfinity_reminder_enabled"))

    op.drop_table("corpfinity_reminder")
    op.drop_table("corpfinity_progress")
    op.drop_table("corpfinity_daily_tracking")
    with op.batch_alter_table("corpfinity_completion", schema=None) as batch_op:
        batch_op.drop_index("ix_corpfinity_completion_user_local_date")
        batch_op.drop_index("ix_corpfinity_completion_user_completed_at")

    op.drop_table("corpfinity_completion")
    with op.batch_alter_table("corpfinity_achievement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_corpfinity_achievement_user_id"))

    op.drop_table("corpfinity_achievement")
    with op.batch_alter_table("corpfinity_challenge", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_corpfinity_challenge_goal_category"))

    op.drop_table("corpfinity_challenge")
