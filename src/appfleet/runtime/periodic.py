"""A background loop: an action every few seconds, and once more when stopping."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from appfleet.core.logging import get_logger

log = get_logger("appfleet.periodic")


class Periodic:
    """Runs `action` every `interval_s` until `stop()`, then once more, so what it flushes is
    not dropped at shutdown. Stopped by a flag rather than cancelled: redis-py turns a cancel in
    the middle of a command into an error, and a cancelled flush would lose its batch."""

    def __init__(self, action: Callable[[], Awaitable[None]], interval_s: float, name: str) -> None:
        self._action, self._interval_s, self._name = action, interval_s, name
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self._interval_s)
            try:
                await self._action()
            except Exception as exc:  # a service is away: the next round tries again
                log.warning(f"{self._name}_failed", error=type(exc).__name__)

    def stop(self) -> None:
        self._stopping.set()
