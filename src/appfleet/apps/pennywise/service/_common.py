"""What PennyWise's services share: the process services, the caller, the cache keys."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources

import orjson
from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.pennywise.models import Transaction
from appfleet.apps.pennywise.money import to_text
from appfleet.core.clock import Clock, local_date
from appfleet.platform.ai.service import AiService
from appfleet.runtime.cache import Cache, forget_after_commit
from appfleet.runtime.realtime import Broker, publish_after_commit, user_channel

APP = "pennywise"
DEFAULT_CURRENCY = "USD"
# Seed 003's cache TTLs.
BALANCE_TTL_S = 300
ANALYTICS_TTL_S = 600
CATEGORIES_TTL_S = 86_400
PREFIX = "cache:pennywise:"
CATALOG = "categories_v1.json"
NAMESPACE = uuid.UUID("7b0c4c52-5c7e-4f2a-9a53-4d3f2f1d6a10")  # the defaults' stable ids


def default_categories() -> list[dict[str, object]]:
    """The shipped categories with their stable ids (the migration seeds these rows)."""
    rows = orjson.loads(
        resources.files("appfleet.apps.pennywise.data").joinpath(CATALOG).read_bytes()
    )
    return [{**row, "id": uuid.uuid5(NAMESPACE, row["name"])} for row in rows]


@dataclass(frozen=True, slots=True)
class Ledger:
    clock: Clock
    cache: Cache
    broker: Broker
    ai: AiService


@dataclass(frozen=True, slots=True)
class Owner:
    """The caller: their money is theirs alone."""

    user_id: uuid.UUID
    timezone: str

    def today(self, clock: Clock) -> date:
        return local_date(clock.now(), self.timezone)


def balance_key(user_id: uuid.UUID) -> str:
    return f"{PREFIX}balance:{user_id}"


PERIODS = ("week", "month", "year")


def analytics_key(user_id: uuid.UUID, period: str, today: date) -> str:
    """A default-range report (six periods to today): the dashboard's question. Reports of
    other ranges are computed each time, so a write knows every key it makes stale."""
    return f"{PREFIX}analytics:{user_id}:{period}:{today.isoformat()}"


def first_page_key(user_id: uuid.UUID) -> str:
    return f"{PREFIX}transactions:{user_id}"


def currency_key(user_id: uuid.UUID) -> str:
    return f"{PREFIX}currency:{user_id}"


def insights_key(user_id: uuid.UUID) -> str:
    return f"{PREFIX}insights:{user_id}"


def categories_key(user_id: uuid.UUID) -> str:
    return f"{PREFIX}categories:{user_id}"


def forget_money(session: AsyncSession, ledger: Ledger, owner: Owner) -> None:
    """A change to the member's transactions: their cached balance, first page and reports
    go once it commits (exact keys, one round trip: no scan on the write path)."""
    today = owner.today(ledger.clock)
    reports = [
        analytics_key(owner.user_id, p, d)
        for p in PERIODS
        for d in (today, today - timedelta(days=1))
    ]
    forget_after_commit(
        session,
        ledger.cache,
        balance_key(owner.user_id),
        first_page_key(owner.user_id),
        *reports,
    )


# A transaction's part in each total (amounts are signed: income +, expense -).
_AMOUNT = Transaction.__table__.c.amount_minor
INCOME = case((_AMOUNT > 0, _AMOUNT), else_=0)
SPENT = case((_AMOUNT < 0, -_AMOUNT), else_=0)


@dataclass(frozen=True, slots=True)
class Sums:
    income: int
    spent: int
    transactions: int


async def sums(
    session: AsyncSession, user_id: uuid.UUID, start: date | None, end: date | None
) -> Sums:
    """Income, expenses (positive) and the count of the member's transactions dated from
    `start` to `end`, inclusive (None: unbounded), in minor units."""
    t = Transaction.__table__.c
    conditions = [t.user_id == user_id]
    if start is not None:
        conditions.append(t.occurred_on >= start)
    if end is not None:
        conditions.append(t.occurred_on <= end)
    row = (
        await session.execute(
            select(
                func.coalesce(func.sum(INCOME), 0), func.coalesce(func.sum(SPENT), 0), func.count()
            ).where(*conditions)
        )
    ).one()
    return Sums(int(row[0]), int(row[1]), int(row[2]))


def tell(
    session: AsyncSession, ledger: Ledger, user_id: uuid.UUID, kind: str, data: dict[str, object]
) -> None:
    """An event for the member's devices (`WS /chat/stream`), once the change commits."""
    publish_after_commit(session, ledger.broker, user_channel(APP, user_id), kind, data)


def balance_moved(
    session: AsyncSession, ledger: Ledger, user_id: uuid.UUID, delta_minor: int, currency: str
) -> None:
    """Tell the member's devices how their balance moved (they add it up; no extra query)."""
    if delta_minor:
        tell(
            session,
            ledger,
            user_id,
            "balance.updated",
            {"delta": to_text(delta_minor, currency), "currency": currency},
        )
