"""Insights: the local analysis finds category spikes, unusually large expenses, the monthly
trend, recurring charges and the savings rate in a member's own data; the AI provider only
phrases them; imports and the nightly run bring them up to date in the background."""

from __future__ import annotations

import httpx2
import pytest
from fastapi import FastAPI

from appfleet.apps.pennywise.jobs import NIGHTLY
from appfleet.core.database import unit_of_work
from appfleet.core.settings import Settings
from appfleet.runtime.jobs import queue
from tests.apps.pennywise.ledger import FOOD, PW, SALARY, TRANSPORT, default_id, member, record
from tests.fixtures.ai import FakeModel, with_model

pytestmark = pytest.mark.anyio
SUBSCRIPTIONS, SHOPPING = default_id("Subscriptions"), default_id("Shopping")


async def months_of_money(client: httpx2.AsyncClient) -> dict[str, str]:
    """Ann's last four months; the clock says 8 March 2026."""
    ann = await member(client)
    for day in ("2025-12-01", "2026-01-01", "2026-01-20"):
        await record(client, ann, "40.00", category_id=FOOD, date=day, description="Dinner")
    for day in ("2026-02-20", "2026-03-01"):  # food doubled: a spike
        await record(client, ann, "60.00", category_id=FOOD, date=day, description="Dinner")
    for day in ("2025-11-25", "2025-12-25", "2026-01-24", "2026-02-23"):  # every 30 days
        await record(
            client, ann, "15.99", category_id=SUBSCRIPTIONS, date=day, description="Netflix"
        )
    for day in ("01-05", "01-12", "01-19", "01-26", "02-02", "02-09", "02-16", "02-23"):
        await record(client, ann, "12.00", category_id=TRANSPORT, date=f"2026-{day}")
    await record(
        client, ann, "480.00", category_id=SHOPPING, date="2026-03-03", description="Apple Store"
    )
    await record(client, ann, "3000.00", "income", SALARY, date="2026-03-01", description="Pay")
    return ann


async def test_the_analysis_finds_what_is_there(client: httpx2.AsyncClient) -> None:
    ann = await months_of_money(client)
    assert (await client.get(f"{PW}/insights/spending", headers=ann)).json() == []
    made = await client.post(f"{PW}/insights/generate", headers=ann)
    assert made.status_code == 201, made.text
    spending = (await client.get(f"{PW}/insights/spending", headers=ann)).json()
    assert {i["type"]: i["content"] for i in spending} == {
        "category_spike": "You spent $120.00 on Food & Dining in the last 30 days, 3.0× your "
        "usual $40.00.",
        "large_expense": "$480.00 on Apple Store on 2026-03-03 is about 30.0× your typical "
        "expense.",
        "spending_trend": "In February 2026 you spent $123.99, 13.9% less than in January 2026 "
        "($143.99).",
    }
    advice = (await client.get(f"{PW}/insights/recommendations", headers=ann)).json()
    assert {i["type"]: i["content"] for i in advice} == {
        "recurring_charge": "Netflix charges you $15.99 monthly ($191.88 a year); next expected "
        "around 2026-03-25.",
        "savings_rate": "You kept 78% of your income in the last 30 days. That's a healthy rate "
        "— keep it up.",
    }
    recurring = next(i for i in advice if i["type"] == "recurring_charge")
    assert recurring["data"]["times"] == 4 and recurring["source"] == "local"
    # A second run replaces the first; another member sees none of it.
    again = await client.post(f"{PW}/insights/generate", headers=ann)
    assert len(again.json()) == 5
    assert len((await client.get(f"{PW}/insights/spending", headers=ann)).json()) == 3
    bob = await member(client, "bob@example.com")
    assert (await client.get(f"{PW}/insights/recommendations", headers=bob)).json() == []
    assert (await client.post(f"{PW}/insights/generate", headers=bob)).json() == []


async def test_imports_and_nights_bring_insights_in_the_background(
    client: httpx2.AsyncClient, app: FastAPI
) -> None:
    ann = await member(client)
    rows = [
        {
            "id": f"n{n}",
            "amount": -15.99,
            "category": "Subscriptions",
            "description": "Spotify",
            "date": day,
        }
        for n, day in enumerate(("2025-12-01", "2025-12-31", "2026-01-30", "2026-03-01"))
    ]
    assert (await client.post(f"{PW}/import", json={"transactions": rows}, headers=ann)).is_success
    await app.state.jobs.worker.drain()
    advice = (await client.get(f"{PW}/insights/recommendations", headers=ann)).json()
    assert [i["type"] for i in advice] == ["recurring_charge"]

    bob = await member(client, "bob@example.com")
    await record(client, bob, "3000.00", "income", SALARY, date="2026-03-02")
    await record(client, bob, "2900.00", date="2026-03-03")
    async with unit_of_work(app.state.db) as session:
        await queue.enqueue(session, app.state.clock, NIGHTLY)
    await app.state.jobs.worker.drain()
    [rate] = (await client.get(f"{PW}/insights/recommendations", headers=bob)).json()
    assert rate["data"]["advice"] == "save_more"  # 3%: and Ann's were fresh, so left alone


class TestWithAModel:
    @pytest.fixture
    def settings(self, settings: Settings, model_server: FakeModel) -> Settings:
        return with_model(settings, model_server)

    async def test_the_model_phrases_the_figures(
        self, client: httpx2.AsyncClient, model_server: FakeModel
    ) -> None:
        ann = await member(client)
        await record(client, ann, "3000.00", "income", SALARY, date="2026-03-02")
        await record(client, ann, "100.00", date="2026-03-03")
        model_server.replies = ["Nice work: you kept almost all of your pay."]
        [insight] = (await client.post(f"{PW}/insights/generate", headers=ann)).json()
        assert insight["content"] == "Nice work: you kept almost all of your pay."
        assert insight["source"] == "provider"
        prompt = model_server.requests[-1]["messages"][0]["content"]
        assert "'rate': 0.967" in prompt and "'income': '3000.00'" in prompt
