"""System health for operators: the readiness checks, the job queue and outbox, each vendor's
circuit breaker, and this process's request latency and error rate from the metrics registry."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from prometheus_client import Metric
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.core import health as probes
from appfleet.core.database import Database
from appfleet.core.metrics import LATENCY
from appfleet.platform.admin.schemas import BreakerRead, HttpFigures, SystemHealth
from appfleet.runtime.breaker import BREAKERS
from appfleet.runtime.jobs.models import Job
from appfleet.runtime.outbox import OutboxMessage


async def system_health(
    session: AsyncSession, checks: dict[str, probes.HealthCheck], db: Database
) -> SystemHealth:
    results = await asyncio.gather(*(probes.run_check(check) for check in checks.values()))
    jobs = await _counts(session, Job.status)
    messages = await _counts(session, OutboxMessage.status)
    return SystemHealth(
        checks=dict(zip(checks, results, strict=True)),
        jobs=jobs,
        outbox=messages,
        breakers=[
            BreakerRead(name=b.name, state=b.state, failures=b.failures)
            for b in sorted(BREAKERS.values(), key=lambda b: b.name)
        ],
        http=http_figures(LATENCY.collect()),
        database_connections=_pool(db),
    )


def _pool(db: Database) -> dict[str, int]:
    """This process's connections: open, in use, and how many the pool keeps."""
    pool: Any = db.engine.sync_engine.pool
    try:
        return {
            "in_use": pool.checkedout(),
            "open": pool.checkedout() + pool.checkedin(),
            "pool_size": pool.size(),
        }
    except AttributeError:  # a pool kind that does not count (SQLite's static pools)
        return {}


async def _counts(session: AsyncSession, status: Any) -> dict[str, int]:
    rows = await session.execute(select(status, func.count()).group_by(status))
    return {str(s): int(n) for s, n in rows.all()}


def http_figures(metrics: Iterable[Metric]) -> HttpFigures:
    """Requests, server errors and the p95 (the upper bound of the bucket holding it), summed
    over every route of this process's latency histogram."""
    buckets: dict[float, float] = {}
    total = errors = 0.0
    for metric in metrics:
        for sample in metric.samples:
            if sample.name.endswith("_bucket"):
                bound = float(sample.labels["le"])
                buckets[bound] = buckets.get(bound, 0.0) + sample.value
            elif sample.name.endswith("_count"):
                total += sample.value
                if sample.labels.get("status", "").startswith("5"):
                    errors += sample.value
    p95 = None
    if total:
        for bound in sorted(buckets):
            if buckets[bound] >= 0.95 * total:
                p95 = None if bound == float("inf") else round(bound * 1000, 1)
                break
    return HttpFigures(
        requests=int(total),
        server_errors=int(errors),
        error_rate=round(errors / total, 4) if total else None,
        p95_ms_at_most=p95,
    )
