"""Locale bundles: each app's UI strings and shared motivational phrases per language, with
FitNudge's en, es, fr and de bundles as shipped

Revision ID: 0020_locales
Revises: 0019_notice_keys
Create Date: 2026-12-02
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import resources

import sqlalchemy as sa
from alembic import op

from appfleet.core.database import UTCDateTime

revision: str = "0020_locales"
down_revision: str | Sequence[str] | None = "0019_notice_keys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SHIPPED = {"fitnudge": "appfleet.apps.fitnudge.data"}  # app → package holding locales/


def _shipped(app: str, package: str) -> list[dict[str, object]]:
    folder = resources.files(package).joinpath("locales")
    now = datetime.now(UTC)
    rows: list[dict[str, object]] = []
    for file in sorted(folder.iterdir(), key=lambda f: f.name):
        if not file.name.endswith(".json"):
            continue
        data = json.loads(file.read_text("utf-8"))
        if file.name == "common.json":
            found = [(lang, "common", messages) for lang, messages in data.items()]
        else:
            found = [(file.name.removesuffix(".json"), "ui", data)]
        for lang, namespace, messages in found:
            row = {"app": app, "lang": lang, "namespace": namespace, "messages": messages}
            rows.append({**row, "version": 1, "updated_at": now})
    return rows


def upgrade() -> None:
    table = op.create_table(
        "locale_bundle",
        sa.Column("app", sa.String(length=40), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("namespace", sa.String(length=16), nullable=False),
        sa.Column("messages", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("app", "lang", "namespace", name=op.f("pk_locale_bundle")),
    )
    assert table is not None  # noqa: S101 - create_table returns the table it made
    for app, package in SHIPPED.items():
        op.bulk_insert(table, _shipped(app, package))


def downgrade() -> None:
    op.drop_table("locale_bundle")
