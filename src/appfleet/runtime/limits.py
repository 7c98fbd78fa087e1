"""Rate limits and AI budgets as they stand now: the settings file's, unless an admin changed
one at run time (`limit_override`, for one app or every app). Every process keeps the
overrides in memory and re-reads them every `REREAD_S` (and at once after its own change), so a
change takes effect everywhere within seconds, without a restart, and the check on each
request never leaves the process.
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.core.database import Database, after_commit, unit_of_work
from appfleet.core.logging import get_logger
from appfleet.core.settings import AiSettings, RateLimitSettings, parse_rate
from appfleet.runtime.models import LimitOverride

REREAD_S = 2.0
EVERY_APP = "*"
# The AI budgets that can be set, and the settings field each defaults to (deployment-wide).
BUDGETS = {
    "ai_daily_tokens": "daily_token_budget",
    "ai_monthly_tokens": "monthly_token_budget",
}
# Every named rate of the settings (all its fields but the switch and the apps' own routes).
RATE_NAMES = tuple(n for n in RateLimitSettings.model_fields if n not in ("enabled", "routes"))
log = get_logger("appfleet.limits")


@dataclass(frozen=True, slots=True)
class Rate:
    limit: int
    period_s: float


def parse_value(name: str, value: str) -> Rate | int:
    """A value as its name needs it: a rate ("5/minute") or a budget (tokens, 0: no cap);
    ValueError otherwise."""
    if name in BUDGETS:
        tokens = int(value)
        if tokens < 0:
            raise ValueError("a budget is 0 (no cap) or more tokens")
        return tokens
    limit, period_s = parse_rate(value)
    return Rate(limit, period_s)


class LimitBook:
    def __init__(
        self,
        db: Database,
        ratelimit: RateLimitSettings,
        ai: AiSettings,
        *,
        reread_s: float = REREAD_S,
    ) -> None:
        self._db, self._ratelimit, self._ai, self._reread_s = db, ratelimit, ai, reread_s
        self._values: dict[tuple[str, str], Rate | int] = {}
        self._defaults: dict[str, Rate | None] = {}
        self._read_at = -math.inf
        self._reading: asyncio.Future[None] | None = None

    def names(self) -> list[str]:
        return [*RATE_NAMES, *sorted(self._ratelimit.routes), *BUDGETS]

    def default(self, name: str) -> str | None:
        """The settings file's value of `name` (None: no limit)."""
        if name in BUDGETS:
            return str(getattr(self._ai, BUDGETS[name]))
        value = self._ratelimit.routes.get(name) or getattr(self._ratelimit, name, None)
        return value if isinstance(value, str) else None

    async def rate(self, app: str | None, name: str) -> Rate | None:
        """The limit `name` for `app`: its own override, every app's, or the settings'."""
        await self._fresh()
        found = self._override(app, name)
        if isinstance(found, Rate):
            return found
        if name not in self._defaults:
            text = self.default(name)
            if text is None and name not in self.names():
                raise KeyError(f"no rate limit named {name!r}")
            self._defaults[name] = Rate(*parse_rate(text)) if text is not None else None
        return self._defaults[name]

    async def budget(self, app: str | None, name: str) -> int:
        """Tokens allowed (0: no cap): for an app, its own override only (apps share the
        deployment's budget unless given one); for EVERY_APP the override or the settings'."""
        await self._fresh()
        found = self._values.get((app or EVERY_APP, name))
        if isinstance(found, int):
            return found
        if app not in (None, EVERY_APP):
            return 0
        return int(getattr(self._ai, BUDGETS[name]))

    def reread_after_commit(self, session: AsyncSession) -> None:
        """Drop what this process holds once the change commits (others re-read within
        REREAD_S)."""

        async def forget() -> None:
            self._read_at = -math.inf

        after_commit(session, forget)

    def _override(self, app: str | None, name: str) -> Rate | int | None:
        if app is not None and (found := self._values.get((app, name))) is not None:
            return found
        return self._values.get((EVERY_APP, name))

    async def _fresh(self) -> None:
        if time.monotonic() - self._read_at < self._reread_s:
            return
        # Every caller that finds the values stale waits for the same read, and all wake when
        # it is done. (Behind a lock they woke one per turn of the event loop: under load, the
        # requests that arrived during one read waited some 50 ms for their turn; bench p99.)
        if self._reading is None:
            self._reading = asyncio.ensure_future(self._read())
        await asyncio.shield(self._reading)  # a caller that gives up leaves the read running

    async def _read(self) -> None:
        try:
            async with unit_of_work(self._db, write=False) as session:
                rows = (await session.scalars(select(LimitOverride))).all()
        except Exception as exc:  # the database away: keep enforcing what we last read
            log.warning("limit_overrides_unread", error=f"{type(exc).__name__}: {exc}"[:300])
            self._read_at = time.monotonic()
            return
        finally:
            self._reading = None
        values: dict[tuple[str, str], Rate | int] = {}
        for row in rows:
            try:
                values[(row.scope, row.name)] = parse_value(row.name, row.value)
            except ValueError:
                log.warning("limit_override_invalid", scope=row.scope, name=row.name)
        self._values, self._read_at = values, time.monotonic()
