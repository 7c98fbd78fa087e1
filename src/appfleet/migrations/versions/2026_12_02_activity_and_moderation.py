"""Days each member used each app (the dashboard's actives and retention), the last
moderation decision on a FitNudge post, rate limits / AI budgets changed at run time, and
admins' edits of CorpFinity's built-in achievements

Revision ID: 0023_activity_and_moderation
Revises: 0022_flags_and_admin_grants
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from appfleet.core.database import UTCDateTime

revision: str = "0023_activity_and_moderation"
down_revision: str | Sequence[str] | None = "0022_flags_and_admin_grants"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "user_activity",
        sa.Column("app", sa.String(length=40), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_user_activity_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("app", "day", "user_id", name=op.f("pk_user_activity")),
    )
    op.create_index("ix_user_activity_user", "user_activity", ["user_id"], unique=False)
    op.create_table(
        "limit_override",
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=40), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("scope", "name", name=op.f("pk_limit_override")),
    )
    op.create_table(
        "corpfinity_achievement_edit",
        sa.Column("id", sa.String(length=50), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("emoji", sa.String(length=16), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_corpfinity_achievement_edit")),
    )
    op.add_column("fitnudge_post", sa.Column("moderation", sa.String(length=10), nullable=True))
    op.add_column(
        "fitnudge_post", sa.Column("moderated_at", UTCDateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    op.execute("ALTER TABLE fitnudge_post DROP COLUMN moderated_at")
    op.execute("ALTER TABLE fitnudge_post DROP COLUMN moderation")
    op.drop_table("corpfinity_achievement_edit")
    op.drop_table("limit_override")
    op.drop_index("ix_user_activity_user", table_name="user_activity")
    op.drop_table("user_activity")
