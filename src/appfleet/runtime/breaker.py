"""Circuit breakers for vendors: after `failures` consecutive failures the circuit opens and
calls fail fast (the caller falls back) for `reset_s`; then one trial call is let through, and
its outcome closes or reopens the circuit. Per process: each process learns a vendor is down
from its own calls, within a handful of them. States are exported as a gauge."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal

from prometheus_client import Gauge

State = Literal["closed", "open", "half_open"]
STATES: dict[State, int] = {"closed": 0, "half_open": 1, "open": 2}
BREAKER_STATE = Gauge(
    "appfleet_circuit_breaker_state",
    "0 closed, 1 half open, 2 open.",
    ["breaker"],
    multiprocess_mode="max",
)
BREAKERS: dict[str, CircuitBreaker] = {}


class CircuitBreaker:
    def __init__(
        self,
        name: str,
        *,
        failures: int = 5,
        reset_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name, self.threshold, self.reset_s, self._clock = name, failures, reset_s, clock
        self.failures = 0
        self._opened_at: float | None = None
        self._trial = False
        BREAKERS[name] = self
        BREAKER_STATE.labels(name).set(0)

    @property
    def state(self) -> State:
        if self._opened_at is None:
            return "closed"
        if self._trial or self._clock() - self._opened_at >= self.reset_s:
            return "half_open"
        return "open"

    def allow(self) -> bool:
        """Whether to call now; in half-open state only one trial at a time."""
        state = self.state
        if state == "closed":
            return True
        if state == "open" or self._trial:
            return False
        self._trial = True
        return True

    def succeeded(self) -> None:
        self.failures, self._opened_at, self._trial = 0, None, False
        BREAKER_STATE.labels(self.name).set(STATES["closed"])

    def failed(self) -> None:
        self.failures += 1
        if self._trial or self.failures >= self.threshold:
            self._opened_at, self._trial = self._clock(), False
            BREAKER_STATE.labels(self.name).set(STATES["open"])
