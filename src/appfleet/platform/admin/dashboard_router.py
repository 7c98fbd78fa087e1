"""`/api/v1/admin/dashboard` (the `analytics` permission: per app, or for the apps the caller
holds it in) and `/api/v1/admin/health` (deployment-wide)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from appfleet.core.deps import DbSession
from appfleet.core.routing import app_router
from appfleet.platform.admin import dashboard, health
from appfleet.platform.admin.deps import Admin, require
from appfleet.platform.admin.router import ADMIN_PREFIX
from appfleet.platform.admin.schemas import Dashboard, SystemHealth

router: APIRouter = app_router(prefix=ADMIN_PREFIX, tags=["admin: dashboard"])
PERMISSION = "analytics"
Analyst = Annotated[Admin, require(PERMISSION, anywhere=True)]
Operator = Annotated[Admin, require(PERMISSION)]


def scope(admin: Admin, app: str | None) -> list[str] | None:
    """The apps a dashboard counts: the one asked for, else every app the caller may see."""
    if app is not None:
        admin.check(PERMISSION, app)
        return [app]
    allowed = admin.apps(PERMISSION)
    return None if allowed is None else sorted(allowed)


@router.get("/dashboard", response_model=Dashboard)
async def read_dashboard(
    admin: Analyst,
    request: Request,
    app: Annotated[str | None, Query(max_length=40, description="One app; omit for all.")] = None,
) -> Dashboard:
    """Users, actives, retention, churn, revenue, 30 days of daily counts and messages sent
    (computed in SQL, cached for a minute)."""
    state = request.app.state
    if app is not None and app not in state.registry:
        admin.check(PERMISSION, app)  # an unknown app is nobody's
    return await dashboard.dashboard(
        state.db, state.cache, state.clock, state.registry, scope(admin, app)
    )


@router.get("/health", response_model=SystemHealth)
async def read_health(admin: Operator, request: Request, session: DbSession) -> SystemHealth:
    """Database and Redis, queue depth and dead jobs, outbox, circuit breakers, and this
    process's p95 latency and error rate."""
    state = request.app.state
    return await health.system_health(session, state.health_checks, state.db)
