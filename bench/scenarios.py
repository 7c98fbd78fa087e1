"""Benchmark scenarios: one request shape each, measured against the bare endpoint.

Later issues append theirs (authenticated reads, writes, feeds). A scenario names the request;
`setup` may prepare data through the API before the measured run.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Scenario:
    name: str
    path: str
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    expect_status: int = 200


SCENARIOS: list[Scenario] = [
    Scenario("app_info", "/api/v1/corpfinity/"),
    Scenario("health", "/health"),
]
