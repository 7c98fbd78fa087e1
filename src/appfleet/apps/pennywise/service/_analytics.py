"""Spending analytics in SQL (GROUP BY, never every row in Python): totals, by category, by
week/month/year, income against expenses, savings rate, top descriptions, and the change
against the period of equal length before. The default-range reports (the dashboard's) are
cached ten minutes (seed 003); other ranges are computed when asked."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Literal

import orjson
from sqlalchemy import Date, Integer, and_, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.pennywise.models import Category, Transaction
from appfleet.apps.pennywise.money import to_text
from appfleet.apps.pennywise.service import _accounts
from appfleet.apps.pennywise.service._common import (
    ANALYTICS_TTL_S,
    INCOME,
    SPENT,
    Ledger,
    Owner,
    analytics_key,
    sums,
)
from appfleet.core.database import Database, unit_of_work
from appfleet.core.errors import ValidationFailed
from appfleet.runtime.cache import read_through

Period = Literal["week", "month", "year"]
T = Transaction.__table__.c
BUCKETS = 6  # periods shown when no range is given
MAX_DAYS = 3 * 366 + 1
TOP = 5


def period_start(day: date, period: Period) -> date:
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    return day.replace(month=1, day=1)


def shift(start: date, period: Period, count: int) -> date:
    """The start of the period `count` periods before `start` (itself a period start)."""
    if period == "week":
        return start - timedelta(weeks=count)
    months = start.year * 12 + start.month - 1 - (count if period == "month" else 12 * count)
    return date(months // 12, months % 12 + 1, 1)


def default_range(today: date, period: Period) -> tuple[date, date]:
    return shift(period_start(today, period), period, BUCKETS - 1), today


def _bucket(dialect: str, period: Period) -> Any:
    """The start of each row's period, as a date, in the database's own words."""
    if dialect == "postgresql":
        return cast(func.date_trunc(period, T.occurred_on), Date)
    if period == "week":  # SQLite: back to Monday (%w counts from Sunday = 0)
        weekday = (cast(func.strftime("%w", T.occurred_on), Integer) + 6) % 7
        return func.date(T.occurred_on, func.printf("-%d days", weekday))
    return func.date(T.occurred_on, "start of month" if period == "month" else "start of year")


def _pct(now: int, before: int) -> float | None:
    return None if before == 0 else round((now - before) / before * 100, 1)


async def report(
    db: Database,
    ledger: Ledger,
    owner: Owner,
    period: Period,
    start: date | None,
    end: date | None,
) -> bytes:
    today = owner.today(ledger.clock)
    default = start is None and end is None
    if start is None or end is None:
        default_start, default_end = default_range(today, period)
        start, end = start or default_start, end or default_end
    if end < start or (end - start).days > MAX_DAYS:
        raise ValidationFailed(
            "`from` must come before `to`, at most three years apart",
            details={"from": {"message": "range is empty or too long"}},
        )

    async def load() -> bytes:
        async with unit_of_work(db, write=False) as session:
            return orjson.dumps(await _compute(session, owner, period, start, end))

    if not default:
        return await load()
    key = analytics_key(owner.user_id, period, today)
    body = await read_through(ledger.cache, key, ANALYTICS_TTL_S, load)
    assert body is not None  # noqa: S101 - load never answers None
    return body


async def _compute(
    session: AsyncSession, owner: Owner, period: Period, start: date, end: date
) -> dict[str, Any]:
    currency = await _accounts.stored_currency(session, owner.user_id)

    def money(minor: object) -> str:
        return to_text(int(str(minor)), currency)

    in_range = and_(T.user_id == owner.user_id, T.occurred_on.between(start, end))
    now = await sums(session, owner.user_id, start, end)
    income, spent, count = now.income, now.spent, now.transactions
    length = (end - start).days + 1
    before_end = start - timedelta(days=1)
    before = await sums(session, owner.user_id, before_end - timedelta(days=length - 1), before_end)
    prev_income, prev_spent = before.income, before.spent

    categories = (
        await session.execute(
            select(
                Category.id,
                Category.name,
                Category.icon,
                func.sum(SPENT),
                func.sum(INCOME),
                func.count(),
            )
            .join(Category, Category.id == T.category_id)
            .where(in_range)
            .group_by(Category.id, Category.name, Category.icon)
        )
    ).all()
    by_category = sorted(
        (
            {
                "category_id": str(cid),
                "name": name,
                "icon": icon,
                "expenses": money(out),
                "income": money(into),
                "share_of_expenses": round(int(out) / spent, 4) if spent else 0.0,
                "transactions": int(n),
                "_out": int(out),
            }
            for cid, name, icon, out, into, n in categories
        ),
        key=lambda c: (-c["_out"], c["name"]),
    )
    for item in by_category:
        del item["_out"]

    bucket = _bucket(session.get_bind().dialect.name, period).label("bucket")
    periods = (
        await session.execute(
            select(
                bucket,
                func.sum(INCOME),
                func.sum(SPENT),
            )
            .where(in_range)
            .group_by(bucket)
            .order_by(bucket)
        )
    ).all()
    by_period = [
        {
            "start": str(b)[:10],
            "income": money(i),
            "expenses": money(o),
            "net": money(int(i) - int(o)),
        }
        for b, i, o in periods
    ]

    label = func.lower(func.trim(T.description)).label("label")
    top = (
        await session.execute(
            select(label, func.sum(-T.amount_minor), func.count())
            .where(in_range, T.amount_minor < 0, func.trim(T.description) != "")
            .group_by(label)
            .order_by(func.sum(-T.amount_minor).desc(), label)
            .limit(TOP)
        )
    ).all()
    return {
        "currency": currency,
        "period": period,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "transactions": count,
        "income": money(income),
        "expenses": money(spent),
        "net": money(income - spent),
        "savings_rate": round((income - spent) / income, 4) if income else None,
        "by_category": by_category,
        "by_period": by_period,
        "top_descriptions": [
            {"description": d, "expenses": money(total), "transactions": int(n)}
            for d, total, n in top
        ],
        "previous": {
            "from": (before_end - timedelta(days=length - 1)).isoformat(),
            "to": before_end.isoformat(),
            "income": money(prev_income),
            "expenses": money(prev_spent),
            "income_change_pct": _pct(income, prev_income),
            "expenses_change_pct": _pct(spent, prev_spent),
        },
    }
