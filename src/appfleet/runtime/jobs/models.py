"""The queue's tables: one row per job (queued, running, succeeded or dead) and one row per
scheduler lease."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from appfleet.core.database import Base


class Job(Base):
    __tablename__ = "job"
    __table_args__ = (
        # A task enqueued twice under one key is stored once (schedules, deliveries, dedup).
        UniqueConstraint("task", "key"),
        Index(None, "status", "queue", "priority", "run_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    task: Mapped[str] = mapped_column(String(80))
    queue: Mapped[str] = mapped_column(String(40))
    priority: Mapped[int]
    args: Mapped[dict[str, Any]] = mapped_column(JSON)
    key: Mapped[str | None] = mapped_column(String(200))
    # queued -> running -> succeeded | queued (retry) | dead (the dead letters)
    status: Mapped[str] = mapped_column(String(10))
    # Counted at each claim; it is also the fence that lets only the current run finish the job.
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int]
    run_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    worker: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(2000))


class SchedulerLease(Base):
    """Whoever holds an unexpired lease is the one scheduler; a crashed holder's lease runs out."""

    __tablename__ = "scheduler_lease"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    expires_at: Mapped[datetime]
