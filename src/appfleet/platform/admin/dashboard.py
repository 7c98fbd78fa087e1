"""Dashboard metrics per app and for the deployment, computed in SQL and cached for a minute.

Definitions (the seed names the figures, not how to count them):
- active on a day: signed in or refreshed a token that UTC day (`user_activity`);
- DAU today, MAU the distinct actives of the last 30 days;
- N-day retention: of the members who joined between 2N and N days ago, the share active in
  the last N days;
- churn (30 days): subscriptions canceled in the last 30 days over those canceled plus those
  active now;
- MRR: active subscriptions at their plan's price (yearly plans at a twelfth), in cents of the
  plan's currency; ARR twelve times it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.core.clock import Clock
from appfleet.core.database import Database, unit_of_work
from appfleet.core.registry import AppContext, AppRegistry
from appfleet.platform.admin.schemas import Dashboard, DaySeries, MessageCounts, Money
from appfleet.platform.billing.models import Subscription
from appfleet.platform.users.models import Activity, Membership
from appfleet.runtime.cache import Cache, read_through
from appfleet.runtime.outbox import OutboxMessage

CACHE_TTL_S = 60
DAYS = 30
CACHE_PREFIX = "cache:admin:dashboard:"


def day_of(dialect: str, column: Any) -> Any:
    """A timestamp's UTC date, as each engine spells it (SQLite stores UTC text)."""
    if dialect == "postgresql":
        return cast(func.timezone("UTC", column), Date)
    return func.date(column)


async def dashboard(
    db: Database, cache: Cache, clock: Clock, registry: AppRegistry, apps: list[str] | None
) -> Dashboard:
    """The figures for `apps` (None: the whole deployment), from the cache when fresh."""
    scope = ",".join(sorted(apps)) if apps is not None else "*"
    today = clock.now().date()

    async def compute() -> bytes:
        async with unit_of_work(db, write=False) as session:
            figures = await _compute(session, registry, apps, today)
        return figures.model_dump_json().encode()

    raw = await read_through(cache, f"{CACHE_PREFIX}{today}:{scope}", CACHE_TTL_S, compute)
    return Dashboard.model_validate_json(raw or b"")  # compute always answers


async def _compute(
    session: AsyncSession, registry: AppRegistry, apps: list[str] | None, today: date
) -> Dashboard:
    dialect = session.get_bind().dialect.name
    start = today - timedelta(days=DAYS - 1)
    since = datetime.combine(start, datetime.min.time()).replace(tzinfo=UTC)
    members = _in(Membership.app, apps)
    activity = _in(Activity.app, apps)

    total = await _scalar(session, select(func.count(func.distinct(Membership.user_id))), members)
    week_ago = since + timedelta(days=DAYS - 7)
    new_week = await _scalar(
        session,
        select(func.count(func.distinct(Membership.user_id))),
        members + [Membership.created_at >= week_ago],
    )
    active = select(func.count(func.distinct(Activity.user_id)))
    dau = await _scalar(session, active, activity + [Activity.day == today])
    mau = await _scalar(session, active, activity + [Activity.day >= start])

    signup_day = day_of(dialect, Membership.created_at)
    signups = await _per_day(
        session,
        select(signup_day, func.count(func.distinct(Membership.user_id))),
        members + [Membership.created_at >= since],
        signup_day,
    )
    actives = await _per_day(
        session,
        select(Activity.day, func.count(func.distinct(Activity.user_id))),
        activity + [Activity.day >= start],
        Activity.day,
    )
    series = [
        DaySeries.of("signups", start, DAYS, signups),
        DaySeries.of("active", start, DAYS, actives),
    ]
    for context in _contexts(registry, apps):
        for name, column in context.daily_series.items():
            day = day_of(dialect, column)
            counts = await _per_day(session, select(day, func.count()), [column >= since], day)
            series.append(DaySeries.of(f"{context.name} {name}", start, DAYS, counts))

    return Dashboard(
        apps=apps,
        day=today,
        total_users=total,
        active_today=dau,
        new_this_week=new_week,
        dau=dau,
        mau=mau,
        dau_mau=round(dau / mau, 4) if mau else None,
        retention_7d=await _retention(session, apps, today, 7),
        retention_30d=await _retention(session, apps, today, 30),
        churn_rate_30d=await _churn(session, apps, since),
        revenue=await _revenue(session, registry, apps),
        daily=series,
        messages=await _messages(session, apps, since),
    )


def _in(column: Any, apps: list[str] | None) -> list[Any]:
    return [] if apps is None else [column.in_(apps)]


def _contexts(registry: AppRegistry, apps: list[str] | None) -> list[AppContext]:
    return [c for c in registry if apps is None or c.name in apps]


async def _scalar(session: AsyncSession, query: Any, where: list[Any]) -> int:
    return int(await session.scalar(query.where(*where)) or 0)


async def _per_day(session: AsyncSession, query: Any, where: list[Any], day: Any) -> dict[str, int]:
    rows = await session.execute(query.where(*where).group_by(day))
    return {str(d)[:10]: int(n) for d, n in rows.all() if d is not None}


async def _retention(
    session: AsyncSession, apps: list[str] | None, today: date, days: int
) -> float | None:
    now = datetime.combine(today, datetime.min.time()).replace(tzinfo=UTC)
    cohort = select(Membership.user_id, Membership.app).where(
        Membership.created_at >= now - timedelta(days=2 * days),
        Membership.created_at < now - timedelta(days=days),
        *_in(Membership.app, apps),
    )
    joined = await _scalar(session, select(func.count()).select_from(cohort.subquery()), [])
    if not joined:
        return None
    c = cohort.subquery()
    kept = await _scalar(
        session,
        select(func.count(func.distinct(c.c.user_id))).select_from(c),
        [
            select(Activity.user_id)
            .where(
                Activity.user_id == c.c.user_id,
                Activity.app == c.c.app,
                Activity.day > today - timedelta(days=days),
            )
            .exists()
        ],
    )
    return round(kept / joined, 4)


async def _churn(session: AsyncSession, apps: list[str] | None, since: datetime) -> float | None:
    scope = _in(Subscription.app, apps)
    canceled = await _scalar(
        session,
        select(func.count()).select_from(Subscription),
        scope + [Subscription.status == "canceled", Subscription.state_at >= since],
    )
    active = await _scalar(
        session,
        select(func.count()).select_from(Subscription),
        scope + [Subscription.status == "active"],
    )
    return round(canceled / (canceled + active), 4) if canceled + active else None


async def _revenue(
    session: AsyncSession, registry: AppRegistry, apps: list[str] | None
) -> list[Money]:
    rows = await session.execute(
        select(Subscription.app, Subscription.plan, func.count())
        .where(Subscription.status == "active", *_in(Subscription.app, apps))
        .group_by(Subscription.app, Subscription.plan)
    )
    monthly: dict[str, float] = defaultdict(float)
    for app, plan, count in rows.all():
        settings = registry.get(app).plans.get(plan) if app in registry else None
        if settings is None:
            continue
        per_month = settings.amount_cents / (12 if settings.interval == "year" else 1)
        monthly[settings.currency] += per_month * int(count)
    return [
        Money(currency=currency, mrr_cents=round(cents), arr_cents=round(cents * 12))
        for currency, cents in sorted(monthly.items())
    ]


async def _messages(
    session: AsyncSession, apps: list[str] | None, since: datetime
) -> list[MessageCounts]:
    m = OutboxMessage
    rows = await session.execute(
        select(m.channel, m.provider, m.status, func.count())
        .where(m.created_at >= since, *_in(m.app, apps))
        .group_by(m.channel, m.provider, m.status)
    )
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for channel, provider, status, n in rows.all():
        counts[(channel, provider or "-")][status] += int(n)
    return [
        MessageCounts(
            channel=channel,
            provider=provider,
            sent=by["sent"],
            failed=by["failed"] + by["dead"],
            pending=by["pending"],
        )
        for (channel, provider), by in sorted(counts.items())
    ]
