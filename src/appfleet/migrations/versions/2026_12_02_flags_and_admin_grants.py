"""Admin roles as grants (deployment-wide or for one app; the old per-user role column moves
into them), feature flags, experiments with exposures and conversions, release config per
app and platform; on each account a country for targeting and its suspension by an admin

Revision ID: 0022_flags_and_admin_grants
Revises: 0021_pennywise
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from appfleet.core.database import UTCDateTime

revision: str = "0022_flags_and_admin_grants"
down_revision: str | Sequence[str] | None = "0021_pennywise"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "app_release",
        sa.Column("app", sa.String(length=40), nullable=False),
        sa.Column("platform", sa.String(length=10), nullable=False),
        sa.Column("min_version", sa.String(length=40), nullable=True),
        sa.Column("recommended_version", sa.String(length=40), nullable=True),
        sa.Column("store_url", sa.String(length=500), nullable=True),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("app", "platform", name=op.f("pk_app_release")),
    )
    op.create_table(
        "experiment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("app", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("variants", sa.JSON(), nullable=False),
        sa.Column("audience", sa.JSON(), nullable=False),
        sa.Column("conversion_event", sa.String(length=64), nullable=False),
        sa.Column("winner", sa.String(length=40), nullable=True),
        sa.Column("salt", sa.String(length=32), nullable=False),
        sa.Column("started_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("stopped_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experiment")),
        sa.UniqueConstraint("app", "key", name=op.f("uq_experiment_app_key")),
    )
    op.create_table(
        "feature_flag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("app", sa.String(length=40), nullable=True),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("killed", sa.Boolean(), nullable=False),
        sa.Column("rollout_bp", sa.Integer(), nullable=False),
        sa.Column("audience", sa.JSON(), nullable=False),
        sa.Column("salt", sa.String(length=32), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feature_flag")),
        sa.UniqueConstraint("app", "key", name=op.f("uq_feature_flag_app_key")),
    )
    op.create_index(
        "uq_feature_flag_global_key",
        "feature_flag",
        ["key"],
        unique=True,
        postgresql_where=sa.text("app IS NULL"),
        sqlite_where=sa.text("app IS NULL"),
    )
    op.create_table(
        "admin_grant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("app", sa.String(length=40), nullable=True),
        sa.Column("granted_by", sa.Uuid(), nullable=True),
        sa.Column("granted_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_admin_grant_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_grant")),
        sa.UniqueConstraint("user_id", "app", name=op.f("uq_admin_grant_user_id_app")),
    )
    op.create_index(op.f("ix_admin_grant_user_id"), "admin_grant", ["user_id"], unique=False)
    op.create_table(
        "experiment_conversion",
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("event", sa.String(length=64), nullable=False),
        sa.Column("variant", sa.String(length=40), nullable=False),
        sa.Column("converted_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["experiment_id"],
            ["experiment.id"],
            name=op.f("fk_experiment_conversion_experiment_id_experiment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_experiment_conversion_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "experiment_id", "user_id", "event", name=op.f("pk_experiment_conversion")
        ),
    )
    op.create_table(
        "experiment_exposure",
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("variant", sa.String(length=40), nullable=False),
        sa.Column("exposed_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["experiment_id"],
            ["experiment.id"],
            name=op.f("fk_experiment_exposure_experiment_id_experiment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_experiment_exposure_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("experiment_id", "user_id", name=op.f("pk_experiment_exposure")),
    )
    op.create_index(
        "ix_experiment_exposure_variant",
        "experiment_exposure",
        ["experiment_id", "variant"],
        unique=False,
    )
    op.add_column("user_account", sa.Column("country", sa.String(length=2), nullable=True))
    op.add_column("user_account", sa.Column("suspended_at", UTCDateTime(timezone=True)))
    op.add_column(
        "user_account", sa.Column("suspension_reason", sa.String(length=300), nullable=True)
    )
    op.execute(
        "INSERT INTO admin_grant (user_id, role, app, granted_at) "
        "SELECT id, role, NULL, updated_at FROM user_account WHERE role IS NOT NULL"
    )
    # A plain ALTER (SQLite 3.35+ drops an unconstrained column in place): a batch copy of
    # user_account would cascade-delete every row that references it.
    op.execute("ALTER TABLE user_account DROP COLUMN role")


def downgrade() -> None:
    op.add_column("user_account", sa.Column("role", sa.String(length=20), nullable=True))
    op.execute(
        "UPDATE user_account SET role = (SELECT role FROM admin_grant WHERE "
        "admin_grant.user_id = user_account.id AND admin_grant.app IS NULL)"
    )
    for column in ("country", "suspended_at", "suspension_reason"):
        op.execute(f"ALTER TABLE user_account DROP COLUMN {column}")
    for table in (
        "experiment_exposure",
        "experiment_conversion",
        "admin_grant",
        "feature_flag",
        "experiment",
        "app_release",
    ):
        op.drop_table(table)
