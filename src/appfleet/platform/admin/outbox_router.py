"""`/api/v1/admin/outbox` and `/api/v1/admin/jobs`: email and push as sent, dead letters, and
sending them again (the `outbox` permission: per app for messages, deployment-wide for jobs,
which belong to no app)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from appfleet.core.deps import ClockDep, DatabaseDep, DbSession
from appfleet.core.routing import app_router
from appfleet.platform.admin import operations
from appfleet.platform.admin.deps import Admin, require
from appfleet.platform.admin.router import ADMIN_PREFIX
from appfleet.platform.admin.schemas import DeadJobRead, OutboxDetail, OutboxRead
from appfleet.platform.audit import service as audit
from appfleet.runtime import outbox
from appfleet.runtime.jobs import queue
from appfleet.runtime.jobs.models import Job
from appfleet.runtime.outbox import OutboxMessage

router: APIRouter = app_router(prefix=ADMIN_PREFIX, tags=["admin: outbox"])
PERMISSION = operations.PERMISSION
Somewhere = Annotated[Admin, require(PERMISSION, anywhere=True)]
Everywhere = Annotated[Admin, require(PERMISSION)]
Status = Literal["pending", "failed", "sent", "dead", "cancelled"]


def _read(m: OutboxMessage) -> OutboxRead:
    return OutboxRead(
        id=m.id,
        channel=m.channel,
        app=m.app,
        kind=m.kind,
        recipient=m.recipient,
        status=m.status,
        attempts=m.attempts,
        provider=m.provider,
        last_error=m.last_error,
        created_at=m.created_at,
        sent_at=m.sent_at,
    )


@router.get("/outbox", response_model=list[OutboxRead])
async def list_outbox(
    admin: Somewhere,
    session: DbSession,
    app: Annotated[str | None, Query(max_length=40)] = None,
    status: Status | None = None,
    to: Annotated[str | None, Query(max_length=320, description="One recipient.")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[OutboxRead]:
    """The newest messages in the apps the caller operates (`status=dead`: the dead letters)."""
    apps = admin.apps(PERMISSION)
    if app is not None:
        admin.check(PERMISSION, app)
    rows = await outbox.recent(
        session, app=app, apps=apps, recipient=to, status=status, limit=limit
    )
    return [_read(m) for m in rows]


@router.get("/outbox/{message_id}", response_model=OutboxDetail)
async def read_message(message_id: uuid.UUID, admin: Somewhere, session: DbSession) -> OutboxDetail:
    """One message with its payload and what the vendor reported."""
    m = await operations.message(session, admin, message_id)
    return OutboxDetail(
        **_read(m).model_dump(),
        payload={"withheld": True} if m.sensitive else m.payload,
        provider_ref=m.provider_ref,
        delivered_at=m.delivered_at,
        bounced_at=m.bounced_at,
    )


@router.post("/outbox/{message_id}/requeue", response_model=OutboxRead)
async def requeue_message(
    message_id: uuid.UUID, admin: Somewhere, session: DbSession, clock: ClockDep
) -> OutboxRead:
    """Send a dead message again (409 for any other status)."""
    m = await operations.requeue(session, clock, admin, message_id)
    return _read(m)


@router.get("/jobs/dead", response_model=list[DeadJobRead])
async def list_dead_jobs(
    _admin: Everywhere, db: DatabaseDep, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> list[DeadJobRead]:
    """Background jobs that used up their attempts, newest first."""
    return [_job(j) for j in await queue.dead_jobs(db, limit=limit)]


@router.post("/jobs/{job_id}/retry", response_model=DeadJobRead)
async def retry_job(
    job_id: uuid.UUID, admin: Everywhere, session: DbSession, clock: ClockDep
) -> DeadJobRead:
    """Queue a dead job again with fresh attempts."""
    job = await queue.requeue_dead(session, clock, job_id)
    await audit.record(session, clock, admin.origin, "job_retried", admin.user.id, job=str(job.id))
    return _job(job)


def _job(job: Job) -> DeadJobRead:
    return DeadJobRead(
        id=job.id,
        task=job.task,
        queue=job.queue,
        attempts=job.attempts,
        last_error=job.last_error,
        finished_at=job.finished_at,
    )
