"""FitNudge: full-text search of the wall (a tsvector column with a GIN index on PostgreSQL,
an FTS5 table kept by triggers on SQLite) and per-term search counts

Revision ID: 0018_fitnudge_search
Revises: 0017_fitnudge_wall
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from appfleet.core.database import UTCDateTime

revision: str = "0018_fitnudge_search"
down_revision: str | Sequence[str] | None = "0017_fitnudge_wall"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# 'simple': no stemming or stop words, since people post in several languages.
_PG = (
    "ALTER TABLE fitnudge_post ADD COLUMN search tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED",
    "CREATE INDEX ix_fitnudge_post_search ON fitnudge_post USING gin (search)",
)
_SQLITE = (
    "CREATE VIRTUAL TABLE fitnudge_post_fts USING fts5(post_id UNINDEXED, text, "
    "tokenize = 'unicode61 remove_diacritics 2')",
    "INSERT INTO fitnudge_post_fts (post_id, text) SELECT id, text FROM fitnudge_post",
    "CREATE TRIGGER fitnudge_post_fts_insert AFTER INSERT ON fitnudge_post BEGIN "
    "INSERT INTO fitnudge_post_fts (post_id, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER fitnudge_post_fts_delete AFTER DELETE ON fitnudge_post BEGIN "
    "DELETE FROM fitnudge_post_fts WHERE post_id = old.id; END",
    "CREATE TRIGGER fitnudge_post_fts_update AFTER UPDATE OF text ON fitnudge_post BEGIN "
    "UPDATE fitnudge_post_fts SET text = new.text WHERE post_id = new.id; END",
)


def upgrade() -> None:
    op.create_table(
        "fitnudge_search_term",
        sa.Column("term", sa.String(length=100), nullable=False),
        sa.Column("searches", sa.Integer(), nullable=False),
        sa.Column("clicks", sa.Integer(), nullable=False),
        sa.Column("last_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("term", name=op.f("pk_fitnudge_search_term")),
    )
    op.create_index(
        "ix_fitnudge_search_term_popular",
        "fitnudge_search_term",
        ["searches"],
        unique=False,
    )
    for statement in _PG if op.get_bind().dialect.name == "postgresql" else _SQLITE:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_fitnudge_post_search")
        op.execute("ALTER TABLE fitnudge_post DROP COLUMN search")
    else:
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER fitnudge_post_fts_{trigger}")
        op.execute("DROP TABLE fitnudge_post_fts")
    op.drop_index("ix_fitnudge_search_term_popular", table_name="fitnudge_search_term")
    op.drop_table("fitnudge_search_term")
