from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from appfleet.core.database import Base


class FeatureFlag(Base):
    """A flag of one app, or of every app (`app` NULL; an app's own flag of the same key wins)."""

    __tablename__ = "feature_flag"
    __table_args__ = (
        UniqueConstraint("app", "key"),
        # NULLs are distinct in a unique constraint: deployment-wide keys need their own index.
        Index(
            "uq_feature_flag_global_key",
            "key",
            unique=True,
            postgresql_where=text("app IS NULL"),
            sqlite_where=text("app IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    app: Mapped[str | None] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(300), default="")
    enabled: Mapped[bool] = mapped_column(default=False)
    killed: Mapped[bool] = mapped_column(default=False)
    rollout_bp: Mapped[int] = mapped_column(default=10_000)  # hundredths of a percent
    audience: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    salt: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    updated_by: Mapped[uuid.UUID | None]


class Experiment(Base):
    __tablename__ = "experiment"
    __table_args__ = (UniqueConstraint("app", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    app: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(10), default="draft")  # draft, running, stopped
    variants: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # [{name, weight}], control 1st
    audience: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    conversion_event: Mapped[str] = mapped_column(String(64))
    winner: Mapped[str | None] = mapped_column(String(40))
    salt: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime | None]
    stopped_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ExperimentExposure(Base):
    """A user's first sight of their arm: who is counted in the results."""

    __tablename__ = "experiment_exposure"
    __table_args__ = (Index("ix_experiment_exposure_variant", "experiment_id", "variant"),)

    experiment_id: Mapped[int] = mapped_column(
        ForeignKey("experiment.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    variant: Mapped[str] = mapped_column(String(40))
    exposed_at: Mapped[datetime]


class ExperimentConversion(Base):
    """A user's first conversion event of a kind, after exposure, in their arm."""

    __tablename__ = "experiment_conversion"

    experiment_id: Mapped[int] = mapped_column(
        ForeignKey("experiment.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    event: Mapped[str] = mapped_column(String(64), primary_key=True)
    variant: Mapped[str] = mapped_column(String(40))
    converted_at: Mapped[datetime]


class AppRelease(Base):
    """Remote config for one app's mobile releases on one platform (`any`: the fallback)."""

    __tablename__ = "app_release"

    app: Mapped[str] = mapped_column(String(40), primary_key=True)
    platform: Mapped[str] = mapped_column(String(10), primary_key=True)  # ios, android, web, any
    min_version: Mapped[str | None] = mapped_column(String(40))
    recommended_version: Mapped[str | None] = mapped_column(String(40))
    store_url: Mapped[str | None] = mapped_column(String(500))
    updated_at: Mapped[datetime]
