"""FitNudge: the social wall (posts, likes, flags)

Revision ID: 0017_fitnudge_wall
Revises: 0016_fitnudge
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from appfleet.core.database import UTCDateTime

revision: str = "0017_fitnudge_wall"
down_revision: str | Sequence[str] | None = "0016_fitnudge"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "fitnudge_post",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("text", sa.String(length=2000), nullable=False),
        sa.Column("attachment_key", sa.String(length=400), nullable=True),
        sa.Column("attachment_kind", sa.String(length=10), nullable=True),
        sa.Column("like_count", sa.Integer(), nullable=False),
        sa.Column("flag_count", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_fitnudge_post_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fitnudge_post")),
    )
    op.create_index(
        "ix_fitnudge_post_feed", "fitnudge_post", ["status", "created_at", "id"], unique=False
    )
    op.create_index(
        "ix_fitnudge_post_user", "fitnudge_post", ["user_id", "created_at"], unique=False
    )
    op.create_table(
        "fitnudge_flag",
        sa.Column("post_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["fitnudge_post.id"],
            name=op.f("fk_fitnudge_flag_post_id_fitnudge_post"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_fitnudge_flag_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("post_id", "user_id", name=op.f("pk_fitnudge_flag")),
    )
    op.create_table(
        "fitnudge_like",
        sa.Column("post_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["fitnudge_post.id"],
            name=op.f("fk_fitnudge_like_post_id_fitnudge_post"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_fitnudge_like_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("post_id", "user_id", name=op.f("pk_fitnudge_like")),
    )
    op.create_index(op.f("ix_fitnudge_like_user_id"), "fitnudge_like", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_table("fitnudge_like")
    op.drop_table("fitnudge_flag")
    op.drop_table("fitnudge_post")
