"""Insights (seed 003's AI insights service): a real local analysis of the member's money,
which the AI provider only phrases.

- category spikes: the last 30 days against the 90 days before (per 30 days), per category;
- recurring charges: the same description and amount at steady weekly or monthly intervals;
- unusually large expenses: over five times the member's median expense;
- the month-over-month trend of spending;
- the savings rate of the last 30 days, with advice.

Aggregates come from SQL; Python only reads the few candidate rows (recurring charges). Each
run replaces the member's insights; they expire after a week (nightly runs keep them fresh).
"""

from __future__ import annotations

import hashlib
import random
import statistics
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import and_, case, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.pennywise.models import Category, Insight, Transaction
from appfleet.apps.pennywise.money import exponent, to_text
from appfleet.apps.pennywise.schemas import InsightRead
from appfleet.apps.pennywise.service import _accounts
from appfleet.apps.pennywise.service._analytics import period_start, shift
from appfleet.apps.pennywise.service._assistant import money
from appfleet.apps.pennywise.service._common import APP, Ledger, Owner, insights_key, sums, tell
from appfleet.core.database import Database, unit_of_work
from appfleet.providers.ai.base import ChatMessage, TextRequest, Tone
from appfleet.runtime.cache import forget_after_commit, read_through

T = Transaction.__table__.c
PURPOSE = "finance_insight"
SPENDING = ("category_spike", "large_expense", "spending_trend")
RECOMMENDATIONS = ("recurring_charge", "savings_rate")
LIFETIME = timedelta(days=7)
INSIGHTS_TTL_S = 3600  # seed 003
SPIKE_RATIO = 1.5
LARGE_RATIO = 5
MIN_EXPENSES = 10  # before "large" means anything
RECURRING_DAYS = 180


@dataclass(frozen=True, slots=True)
class Finding:
    type: str
    title: str
    facts: dict[str, Any]


def _major(currency: str, units: int) -> int:
    return int(units * 10 ** exponent(currency))


async def _spikes(session: AsyncSession, owner: Owner, today: date, currency: str) -> list[Finding]:
    recent_start, base_start = today - timedelta(days=29), today - timedelta(days=119)
    spent = -T.amount_minor
    recent = func.sum(case((T.occurred_on >= recent_start, spent), else_=0))
    before = func.sum(case((T.occurred_on < recent_start, spent), else_=0))
    rows = (
        await session.execute(
            select(Category.name, recent, before)
            .join(Category, Category.id == T.category_id)
            .where(
                T.user_id == owner.user_id,
                T.amount_minor < 0,
                T.occurred_on.between(base_start, today),
            )
            .group_by(Category.name)
        )
    ).all()
    found = []
    for name, now, earlier in rows:
        usual = int(earlier) / 3
        if (
            usual > 0
            and int(now) >= SPIKE_RATIO * usual
            and int(now) - usual >= _major(currency, 20)
        ):
            found.append(
                Finding(
                    "category_spike",
                    f"{name} spending is up",
                    {
                        "category": name,
                        "last_30_days": to_text(int(now), currency),
                        "usual_30_days": to_text(round(usual), currency),
                        "ratio": round(int(now) / usual, 1),
                        "currency": currency,
                    },
                )
            )
    return sorted(found, key=lambda f: -f.facts["ratio"])


async def _large(session: AsyncSession, owner: Owner, today: date, currency: str) -> list[Finding]:
    history = and_(
        T.user_id == owner.user_id,
        T.amount_minor < 0,
        T.occurred_on.between(today - timedelta(days=RECURRING_DAYS), today),
    )
    count = int(await session.scalar(select(func.count()).where(history)) or 0)
    if count < MIN_EXPENSES:
        return []
    median = await session.scalar(
        select(-T.amount_minor).where(history).order_by(-T.amount_minor).offset(count // 2).limit(1)
    )
    threshold = LARGE_RATIO * int(median or 0)
    rows = (
        await session.execute(
            select(T.amount_minor, T.description, T.occurred_on)
            .where(
                history, T.occurred_on >= today - timedelta(days=29), -T.amount_minor > threshold
            )
            .order_by(T.amount_minor)
            .limit(3)
        )
    ).all()
    return [
        Finding(
            "large_expense",
            "An unusually large expense",
            {
                "amount": to_text(-int(amount), currency),
                "description": description or "",
                "date": day.isoformat(),
                "times_usual": round(-int(amount) / int(median or 1), 1),
                "currency": currency,
            },
        )
        for amount, description, day in rows
    ]


async def _recurring(
    session: AsyncSession, owner: Owner, today: date, currency: str
) -> list[Finding]:
    label = func.lower(func.trim(T.description))
    window = and_(
        T.user_id == owner.user_id,
        T.amount_minor < 0,
        T.occurred_on >= today - timedelta(days=RECURRING_DAYS),
        func.trim(T.description) != "",
    )
    groups = (
        select(label.label("label"), T.amount_minor.label("amount"))
        .where(window)
        .group_by(label, T.amount_minor)
        .having(func.count() >= 3)
        .subquery()
    )
    rows = (
        await session.execute(
            select(groups.c.label, groups.c.amount, T.occurred_on)
            .join(groups, and_(label == groups.c.label, T.amount_minor == groups.c.amount))
            .where(window)
            .order_by(groups.c.label, groups.c.amount, T.occurred_on)
        )
    ).all()
    dates: dict[tuple[str, int], list[date]] = {}
    for name, amount, day in rows:
        dates.setdefault((str(name), int(amount)), []).append(day)
    found = []
    for (name, amount), days in dates.items():
        gaps = [(b - a).days for a, b in zip(days, days[1:], strict=False)]
        every = "monthly" if all(26 <= g <= 35 for g in gaps) else None
        every = every or ("weekly" if all(6 <= g <= 8 for g in gaps) else None)
        if every is None:
            continue
        yearly = -amount * (12 if every == "monthly" else 52)
        found.append(
            Finding(
                "recurring_charge",
                f"Recurring: {name}",
                {
                    "description": name,
                    "amount": to_text(-amount, currency),
                    "every": every,
                    "times": len(days),
                    "next_expected": (
                        days[-1] + timedelta(days=round(statistics.median(gaps)))
                    ).isoformat(),
                    "per_year": to_text(yearly, currency),
                    "currency": currency,
                },
            )
        )
    return sorted(found, key=lambda f: f.facts["description"])


async def _trend(session: AsyncSession, owner: Owner, today: date, currency: str) -> list[Finding]:
    this_month = period_start(today, "month")
    last = shift(this_month, "month", 1)
    before = shift(this_month, "month", 2)
    last_spent = (await sums(session, owner.user_id, last, this_month - timedelta(days=1))).spent
    before_spent = (await sums(session, owner.user_id, before, last - timedelta(days=1))).spent
    if not before_spent or not last_spent:
        return []
    change = round((last_spent - before_spent) / before_spent * 100, 1)
    if abs(change) < 10:
        return []
    return [
        Finding(
            "spending_trend",
            "Spending went " + ("up" if change > 0 else "down"),
            {
                "month": last.strftime("%B %Y"),
                "spent": to_text(last_spent, currency),
                "previous_month": before.strftime("%B %Y"),
                "previous_spent": to_text(before_spent, currency),
                "change_pct": change,
                "currency": currency,
            },
        )
    ]


async def _savings(
    session: AsyncSession, owner: Owner, today: date, currency: str
) -> list[Finding]:
    recent = await sums(session, owner.user_id, today - timedelta(days=29), today)
    income, spent = recent.income, recent.spent
    if income == 0:
        return []
    rate = round((income - spent) / income, 3)
    advice = "save_more" if rate < 0.1 else ("keep_going" if rate >= 0.2 else "nudge")
    return [
        Finding(
            "savings_rate",
            "Your savings rate",
            {
                "rate": rate,
                "income": to_text(income, currency),
                "spent": to_text(spent, currency),
                "advice": advice,
                "currency": currency,
            },
        )
    ]


async def analyse(session: AsyncSession, owner: Owner, today: date) -> list[Finding]:
    currency = await _accounts.stored_currency(session, owner.user_id)
    found: list[Finding] = []
    for step in (_spikes, _large, _trend, _recurring, _savings):
        found += await step(session, owner, today, currency)
    return found


def compose(f: dict[str, Any], _language: str, _tone: Tone, _rng: random.Random) -> str:
    """The local phrasing of one finding (the numbers are the analysis's)."""
    kind, currency = f.get("type"), str(f.get("currency", "USD"))

    def m(key: str) -> str:
        return money(str(f[key]), currency)

    if kind == "category_spike":
        return (
            f"You spent {m('last_30_days')} on {f['category']} in the last 30 days, "
            f"{f['ratio']}× your usual {m('usual_30_days')}."
        )
    if kind == "large_expense":
        what = f" on {f['description']}" if f.get("description") else ""
        return (
            f"{m('amount')}{what} on {f['date']} is about {f['times_usual']}× your typical expense."
        )
    if kind == "spending_trend":
        direction = "more" if float(f["change_pct"]) > 0 else "less"
        return (
            f"In {f['month']} you spent {m('spent')}, {abs(float(f['change_pct']))}% {direction} "
            f"than in {f['previous_month']} ({m('previous_spent')})."
        )
    if kind == "recurring_charge":
        return (
            f"{str(f['description']).capitalize()} charges you {m('amount')} {f['every']} "
            f"({m('per_year')} a year); next expected around {f['next_expected']}."
        )
    if kind == "savings_rate":
        pct = round(float(f["rate"]) * 100)
        tail = {
            "save_more": "Try setting aside 10% of each payday before spending.",
            "nudge": "Moving a little more to savings each month would get you to 20%.",
            "keep_going": "That's a healthy rate — keep it up.",
        }[str(f["advice"])]
        return f"You kept {pct}% of your income in the last 30 days. {tail}"
    return str(f.get("title", ""))


def _request(finding: Finding) -> TextRequest:
    facts = {"type": finding.type, "title": finding.title, **finding.facts}
    system = (
        "You write one short, kind, concrete sentence for a personal-finance app about this "
        f"finding from the user's own records, using only these figures: {facts}."
    )
    seed = int(hashlib.sha256(orjson.dumps(facts, option=orjson.OPT_SORT_KEYS)).hexdigest()[:8], 16)
    return TextRequest(
        PURPOSE,
        (ChatMessage("system", system), ChatMessage("user", finding.title)),
        facts=facts,
        max_tokens=120,
        temperature=0.4,
        seed=seed,
    )


def read(row: Insight) -> InsightRead:
    return InsightRead(
        id=row.id,
        type=row.type,
        title=row.title,
        content=row.content,
        data=row.data,
        source=row.source,
        created_at=row.created_at,
        expires_at=row.expires_at,
    )


async def generate(db: Database, ledger: Ledger, owner: Owner) -> list[InsightRead]:
    """Analyse, phrase (no transaction open meanwhile), then replace the stored insights."""
    async with unit_of_work(db, write=False) as session:
        findings = await analyse(session, owner, owner.today(ledger.clock))
    phrased = [(f, await ledger.ai.generate(APP, _request(f))) for f in findings]
    now = ledger.clock.now()
    rows = [
        Insight(
            id=uuid.uuid4(),
            user_id=owner.user_id,
            type=f.type,
            title=f.title,
            content=g.text[:2000],
            data=f.facts,
            source=g.source,
            created_at=now,
            expires_at=now + LIFETIME,
        )
        for f, g in phrased
    ]
    async with unit_of_work(db) as session:
        await session.execute(delete(Insight).where(Insight.user_id == owner.user_id))
        session.add_all(rows)
        forget_after_commit(session, ledger.cache, insights_key(owner.user_id))
        tell(session, ledger, owner.user_id, "insights.updated", {"count": len(rows)})
    return [read(r) for r in rows]


async def current(
    session: AsyncSession, ledger: Ledger, owner: Owner, types: tuple[str, ...]
) -> list[dict[str, Any]]:
    """The member's unexpired insights of these types (all of them cached an hour)."""

    async def load() -> bytes:
        rows = await session.scalars(
            select(Insight)
            .where(Insight.user_id == owner.user_id, Insight.expires_at > ledger.clock.now())
            .order_by(Insight.created_at, Insight.type, Insight.id)
        )
        return orjson.dumps([read(r).model_dump(mode="json") for r in rows])

    body = await read_through(ledger.cache, insights_key(owner.user_id), INSIGHTS_TTL_S, load)
    everything: list[dict[str, Any]] = orjson.loads(body or b"[]")
    now = ledger.clock.now()
    return [
        i
        for i in everything
        if i["type"] in types and datetime.fromisoformat(i["expires_at"]) > now
    ]
