"""Analytics: daily active users and event counts

Revision ID: 0006_analytics
Revises: 0005_jobs
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_analytics"
down_revision: str | Sequence[str] | None = "0005_jobs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "analytics_active_user",
        sa.Column("app", sa.String(length=40), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("app", "day", "user_id", name=op.f("pk_analytics_active_user")),
    )
    op.create_table(
        "analytics_event_count",
        sa.Column("app", sa.String(length=40), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("app", "day", "name", name=op.f("pk_analytics_event_count")),
    )


def downgrade() -> None:
    op.drop_table("analytics_event_count")
    op.drop_table("analytics_active_user")
