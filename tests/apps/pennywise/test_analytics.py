"""Analytics computed in SQL, checked against a plain recomputation of randomized ledgers:
totals, by category, by week/month/year, savings rate, top descriptions, the period before."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import httpx2
import pytest
from fastapi import FastAPI

from appfleet.apps.pennywise.service._analytics import period_start
from appfleet.core.clock import FixedClock
from tests.apps.pennywise.ledger import PW, SALARY, default_id, member, record

pytestmark = pytest.mark.anyio
SPENDING = [default_id(n) for n in ("Food & Dining", "Transport", "Shopping", "Health")]
WORDS = ["coffee", "rent", "bus", "Coffee ", "books", "gym"]


def money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


@pytest.mark.parametrize("period", ["week", "month", "year"])
async def test_a_random_ledger_adds_up(
    client: httpx2.AsyncClient, app: FastAPI, clock: FixedClock, period: str
) -> None:
    rng = random.Random(f"ledger-{period}")
    ann = await member(client)
    rows = []
    for _ in range(60):
        day = date(2025, 1, 1) + timedelta(days=rng.randrange(0, 430))
        cents = rng.randrange(1, 50_000)
        income = rng.random() < 0.2
        category = SALARY if income else rng.choice(SPENDING)
        words = rng.choice(WORDS)
        await record(
            client,
            ann,
            str(Decimal(cents) / 100),
            "income" if income else "expense",
            category,
            date=day.isoformat(),
            description=words,
        )
        rows.append((day, Decimal(cents) / 100 * (1 if income else -1), category, words))
    start, end = date(2025, 6, 1), date(2026, 2, 28)
    report = await client.get(
        f"{PW}/transactions/analytics",
        params={"period": period, "from": start.isoformat(), "to": end.isoformat()},
        headers=ann,
    )
    assert report.status_code == 200, report.text
    got = report.json()

    inside = [r for r in rows if start <= r[0] <= end]
    income = sum((r[1] for r in inside if r[1] > 0), Decimal(0))
    spent = sum((-r[1] for r in inside if r[1] < 0), Decimal(0))
    assert (got["income"], got["expenses"], got["net"]) == (
        money(income),
        money(spent),
        money(income - spent),
    )
    assert got["transactions"] == len(inside)
    assert got["savings_rate"] == (round(float((income - spent) / income), 4) if income else None)

    per_category: dict[str, Decimal] = defaultdict(Decimal)
    for _, amount, category, _ in inside:
        if amount < 0:
            per_category[category] += -amount
    shown = {c["category_id"]: c["expenses"] for c in got["by_category"] if c["expenses"] != "0.00"}
    assert shown == {k: money(v) for k, v in per_category.items()}
    spend_order = [c["expenses"] for c in got["by_category"]]
    assert spend_order == sorted(spend_order, key=Decimal, reverse=True)

    buckets: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for day, amount, _, _ in inside:
        bucket = buckets[period_start(day, period).isoformat()]  # type: ignore[arg-type]
        bucket[0 if amount > 0 else 1] += abs(amount)
    assert [(b["start"], b["income"], b["expenses"]) for b in got["by_period"]] == [
        (k, money(v[0]), money(v[1])) for k, v in sorted(buckets.items())
    ]

    labels: dict[str, Decimal] = defaultdict(Decimal)
    for _, amount, _, words in inside:
        if amount < 0:
            labels[words.strip().lower()] += -amount
    expected_top = sorted(labels.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    assert [(t["description"], t["expenses"]) for t in got["top_descriptions"]] == [
        (k, money(v)) for k, v in expected_top
    ]

    length = (end - start).days + 1
    before = [r for r in rows if start - timedelta(days=length) <= r[0] < start]
    previous_spent = sum((-r[1] for r in before if r[1] < 0), Decimal(0))
    assert got["previous"]["expenses"] == money(previous_spent)
    assert got["previous"]["to"] == (start - timedelta(days=1)).isoformat()
    if previous_spent:
        change = round(float((spent - previous_spent) / previous_spent * 100), 1)
        assert got["previous"]["expenses_change_pct"] == change


async def test_the_default_range_is_six_periods_and_writes_refresh_it(
    client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    ann = await member(client)  # the clock says Sunday 8 March 2026
    await record(client, ann, "10.00", date="2026-03-02")
    first = (await client.get(f"{PW}/transactions/analytics", headers=ann)).json()
    assert (first["period"], first["from"], first["to"]) == ("month", "2025-10-01", "2026-03-08")
    assert first["expenses"] == "10.00"
    await record(client, ann, "5.00", date="2026-03-03")
    again = (await client.get(f"{PW}/transactions/analytics", headers=ann)).json()
    assert again["expenses"] == "15.00"  # the cached report went with the write
    weekly = (
        await client.get(f"{PW}/transactions/analytics", params={"period": "week"}, headers=ann)
    ).json()
    assert weekly["from"] == "2026-01-26"  # Monday, five weeks before this one
    bad = await client.get(
        f"{PW}/transactions/analytics",
        params={"from": "2026-03-01", "to": "2026-02-01"},
        headers=ann,
    )
    assert bad.status_code == 400
    wrong = await client.get(f"{PW}/transactions/analytics", params={"period": "day"}, headers=ann)
    assert wrong.status_code == 400
