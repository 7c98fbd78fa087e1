"""Prometheus metrics. With several worker processes, PROMETHEUS_MULTIPROC_DIR makes every
process write its samples to files that `/metrics` aggregates."""

from __future__ import annotations

import os
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.requests import Request
from starlette.responses import Response

REQUESTS = Counter(
    "appfleet_http_requests_total",
    "HTTP requests answered.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "appfleet_http_request_duration_seconds",
    "Time from receiving a request to sending its last byte.",
    ["method", "route", "status"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
UNHANDLED_ERRORS = Counter(
    "appfleet_unhandled_errors_total", "Requests that ended in an unhandled exception.", ["route"]
)


_children: dict[tuple[str, str, int], tuple[Any, Any]] = {}


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    # `.labels()` takes a lock and builds a key per call; the children are cached instead
    # (bounded by routes x methods x statuses, since unmatched paths share one route label).
    key = (method, route, status)
    children = _children.get(key)
    if children is None:
        labels = (method, route, str(status))
        children = _children[key] = (REQUESTS.labels(*labels), LATENCY.labels(*labels))
    children[0].inc()
    children[1].observe(seconds)


def render_metrics(request: Request) -> Response:
    """Prometheus text format: this process's samples, or every worker's in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        payload = generate_latest(registry)
    else:
        payload = generate_latest()
    return Response(payload, media_type=CONTENT_TYPE_LATEST)
