"""Liveness and readiness. Readiness runs every registered check concurrently, each bounded."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from appfleet import __version__
from appfleet.core.errors import ServiceUnavailable
from appfleet.core.http import error_response, request_id_of
from appfleet.core.metrics import render_metrics
from appfleet.core.routing import DeferredRoute

HealthCheck = Callable[[], Awaitable[None]]
CHECK_TIMEOUT_S = 2.0

router = APIRouter(tags=["health"], route_class=DeferredRoute)


@router.get("/health")
async def liveness() -> dict[str, str]:
    """The process is up (it does not touch the database)."""
    return {"status": "ok", "version": __version__}


@router.get("/health/ready", response_model=None)
async def readiness(request: Request) -> dict[str, Any] | JSONResponse:
    """The database answers (503 with each service's state if not); Redis being down is
    reported as degraded, since the API keeps serving without it."""
    checks: dict[str, HealthCheck] = request.app.state.health_checks
    degradable: frozenset[str] = getattr(request.app.state, "degradable_checks", frozenset())
    results = await asyncio.gather(*(run_check(check) for check in checks.values()))
    report = dict(zip(checks, results, strict=True))
    failing = [name for name, result in report.items() if result["status"] != "ok"]
    if not failing:
        return {"status": "ok", "checks": report}
    if all(name in degradable for name in failing):
        # The API keeps serving without these (Redis: limits fail open, caches miss), so the
        # instance stays in the load balancer and the report says what is degraded.
        return {"status": "degraded", "degraded": failing, "checks": report}
    error = ServiceUnavailable(f"Not ready: {', '.join(failing)}", details=report)
    return error_response(error, request_id_of(request.scope))


async def run_check(check: HealthCheck) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        await asyncio.wait_for(check(), CHECK_TIMEOUT_S)
    except TimeoutError:
        return {"status": "timeout", "error": f"no answer within {CHECK_TIMEOUT_S:g}s"}
    except Exception as exc:  # a readiness probe reports every failure, whatever its type
        return {"status": "down", "error": f"{type(exc).__name__}: {exc}"[:300]}
    return {"status": "ok", "latency_ms": round((time.perf_counter() - started) * 1000, 2)}


router.add_api_route(
    "/metrics", render_metrics, methods=["GET"], include_in_schema=False, response_model=None
)
