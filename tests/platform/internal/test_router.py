"""`POST /internal/cron/tick`: off unless a secret is set, refused without it, and each call
enqueues the periods that became due and runs the due jobs."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from pydantic import SecretStr

from appfleet.apps import MANIFESTS
from appfleet.core.clock import FixedClock
from appfleet.core.settings import Settings
from appfleet.main import PLATFORM_SCHEDULES, create_app
from appfleet.runtime.jobs.models import Job
from tests.fixtures.accounts import stored
from tests.fixtures.app import serve

pytestmark = pytest.mark.anyio
SECRET = "cron-secret-" + "x" * 32


async def test_the_endpoint_is_off_without_a_secret(app: object) -> None:
    async with serve(app) as client:  # type: ignore[arg-type]
        response = await client.post("/internal/cron/tick")
    assert response.status_code == 404
    assert "APPFLEET_JOBS__CRON_SECRET" in response.json()["error"]["message"]


async def test_a_tick_enqueues_due_periods_once_and_runs_them(
    settings: Settings, clock: FixedClock
) -> None:
    jobs = settings.jobs.model_copy(update={"cron_secret": SecretStr(SECRET)})
    # The platform's schedules only: the apps' own (every minute, every 15) are theirs to test.
    quiet = [replace(m, tasks=(), schedules=()) for m in MANIFESTS]
    app = create_app(settings.model_copy(update={"jobs": jobs}), clock=clock, manifests=quiet)
    async with serve(app) as client:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": SECRET}):
            refused = await client.post("/internal/cron/tick", headers=headers)
            assert refused.status_code == 401, headers
            assert refused.json()["error"]["code"] == "AUTHENTICATION_ERROR"
        assert await stored(app, Job) == []

        auth = {"Authorization": f"Bearer {SECRET}"}
        first = await client.post("/internal/cron/tick", headers=auth)
        # Every platform schedule's current period: the hourly purge and the daily prunes.
        every = len(PLATFORM_SCHEDULES)
        assert first.json() == {"enqueued": every, "ran": every}
        again = await client.post("/internal/cron/tick", headers=auth)
        assert again.json() == {"enqueued": 0, "ran": 0}
        clock.advance(timedelta(hours=1))
        later = await client.post("/internal/cron/tick", headers=auth)
        assert later.json() == {"enqueued": 1, "ran": 1}  # the next hour's purge
        clock.advance(timedelta(hours=1))
        # Vercel's cron calls the path with GET.
        assert (await client.get("/internal/cron/tick")).status_code == 401
        by_get = await client.get("/internal/cron/tick", headers=auth)
        assert by_get.json() == {"enqueued": 1, "ran": 1}
        jobs_run = [(job.task, job.status) for job in await stored(app, Job)]
    expected = [(schedule.task, "succeeded") for schedule in PLATFORM_SCHEDULES]
    purges = [("privacy.purge", "succeeded")] * 2
    assert sorted(jobs_run) == sorted([*expected, *purges])
