"""Scheduled notices are recorded by their notification's key (kind and local day), for every
app: CorpFinity's own table of sent notices goes

Revision ID: 0019_notice_keys
Revises: 0018_fitnudge_search
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019_notice_keys"
down_revision: str | Sequence[str] | None = "0018_fitnudge_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Every notice it records was stored with the same key in `notification` (unique per app
    # and user), which is what the scheduler now looks for.
    op.drop_table("corpfinity_sent_notice")


def downgrade() -> None:
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
