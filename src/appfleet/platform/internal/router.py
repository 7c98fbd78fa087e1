"""`POST /internal/cron/tick`: one scheduler tick and the due jobs, for hosts such as Vercel
that call a URL on a cron instead of running a worker (seed 000). Vercel's cron sends a GET
with `Authorization: Bearer $CRON_SECRET`, so GET does the same (kept out of the schema)."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request

from appfleet.core.errors import NotAuthenticated, NotFound
from appfleet.core.routing import DeferredRoute
from appfleet.platform.internal.schemas import TickRead
from appfleet.runtime.jobs.runner import JobRunner

router = APIRouter(prefix="/internal", tags=["internal"], route_class=DeferredRoute)


@router.get("/cron/tick", include_in_schema=False, response_model=TickRead)
@router.post("/cron/tick", operation_id="internal.cronTick", response_model=TickRead)
async def cron_tick(request: Request) -> TickRead:
    """Run one scheduler tick and the jobs that are due (Bearer CRON_SECRET)."""
    secret = request.app.state.settings.jobs.cron_secret
    if secret is None:
        raise NotFound("The cron endpoint is off; set APPFLEET_JOBS__CRON_SECRET to use it")
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    expected = secret.get_secret_value().encode()
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.encode(), expected):
        raise NotAuthenticated("A valid cron secret is required")
    jobs: JobRunner = request.app.state.jobs
    enqueued, ran = await jobs.tick()
    return TickRead(enqueued=enqueued, ran=ran)
