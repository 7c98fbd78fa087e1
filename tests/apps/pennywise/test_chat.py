"""Chat with the money bot: questions about the member's own money answered correctly from
their data by the local generator, the same figures given to a model when there is one, the
answer streamed over SSE, the history paged, the limit per hour."""

from __future__ import annotations

import json

import httpx2
import pytest
from fastapi import FastAPI

from appfleet.core.settings import Settings
from tests.apps.pennywise.ledger import FOOD, PW, SALARY, TRANSPORT, member, record
from tests.fixtures.ai import FakeModel, with_model

pytestmark = pytest.mark.anyio


async def ledger_of(client: httpx2.AsyncClient) -> dict[str, str]:
    """Ann's money; the clock says Sunday 8 March 2026."""
    ann = await member(client)
    pets = (await client.post(f"{PW}/categories", json={"name": "Pets"}, headers=ann)).json()
    await record(client, ann, "3200.00", "income", SALARY, date="2026-02-27")
    await record(client, ann, "12.40", "expense", FOOD, date="2026-02-03")
    await record(client, ann, "30.10", "expense", FOOD, date="2026-02-28")
    await record(client, ann, "8.00", "expense", FOOD, date="2026-03-02")  # this month
    await record(client, ann, "25.00", "expense", TRANSPORT, date="2026-03-03")
    await record(client, ann, "45.50", "expense", pets["id"], date="2026-03-05")
    await record(client, ann, "100.00", "expense", TRANSPORT, date="2026-01-15")
    return ann


async def ask(client: httpx2.AsyncClient, auth: dict[str, str], text: str) -> dict[str, object]:
    response = await client.post(f"{PW}/chat/messages", json={"content": text}, headers=auth)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        (
            "How much did I spend on food last month?",
            "You spent $42.50 on Food & Dining last month (Feb 1 – Feb 28, 2026), "
            "in 2 transactions.",
        ),
        (
            "how much on taxis this month",
            "You spent $25.00 on Transport this month (Mar 1 – Mar 8, 2026), in 1 transaction.",
        ),
        (
            "What did I spend on my pets?",
            "You spent $45.50 on Pets this month (Mar 1 – Mar 8, 2026), in 1 transaction.",
        ),
        (
            "How much did I earn in February?",
            "You earned $3200.00 in February 2026 (Feb 1 – Feb 28, 2026), in 1 transaction.",
        ),
        ("What's my balance?", "Your balance is $2979.00."),
        (
            "Where did most of my money go this month?",
            "This month you spent the most on Pets: $45.50, 58% of your $78.50 in spending "
            "(Mar 1 – Mar 8, 2026).",
        ),
        (
            "How much did I spend on travel last week?",
            "You haven't spent anything on Travel last week (Feb 23 – Mar 1, 2026).",
        ),
    ],
)
async def test_the_local_bot_answers_from_the_data(
    client: httpx2.AsyncClient, question: str, answer: str
) -> None:
    ann = await ledger_of(client)
    exchange = await ask(client, ann, question)
    assert exchange["message"]["content"] == question  # type: ignore[index]
    assert exchange["reply"]["content"] == answer  # type: ignore[index]
    assert exchange["reply"]["source"] == "local"  # type: ignore[index]


async def test_the_history_pages_and_stays_private(client: httpx2.AsyncClient) -> None:
    ann = await member(client)
    for text in ("hello", "what's my balance?"):
        await ask(client, ann, text)
    page = (await client.get(f"{PW}/chat/messages", params={"limit": 3}, headers=ann)).json()
    assert [(m["sender"], m["content"][:12]) for m in page["items"]] == [
        ("bot", "Your balance"),
        ("user", "what's my ba"),
        ("bot", "I can tell y"),
    ]
    rest = await client.get(
        f"{PW}/chat/messages", params={"cursor": page["next_cursor"]}, headers=ann
    )
    assert [m["content"] for m in rest.json()["items"]] == ["hello"]
    bob = await member(client, "bob@example.com")
    assert (await client.get(f"{PW}/chat/messages", headers=bob)).json()["items"] == []
    empty = await client.post(f"{PW}/chat/messages", json={"content": "  "}, headers=ann)
    assert empty.status_code == 400


async def test_the_answer_streams_over_sse(client: httpx2.AsyncClient) -> None:
    ann = await ledger_of(client)
    response = await client.post(
        f"{PW}/chat/messages",
        json={"content": "what's my balance"},
        headers={**ann, "Accept": "text/event-stream"},
    )
    assert response.headers["content-type"].startswith("text/event-stream")
    events = []
    for block in response.text.replace("\r\n", "\n").split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in fields:
            events.append((fields["event"], json.loads(fields["data"])))
    kinds = [kind for kind, _ in events]
    assert kinds[0] == "message" and kinds[-1] == "reply" and kinds.count("token") >= 3
    streamed = "".join(data["text"] for kind, data in events if kind == "token")
    assert streamed == events[-1][1]["content"] == "Your balance is $2979.00."
    stored = (await client.get(f"{PW}/chat/messages", headers=ann)).json()["items"]
    assert stored[0]["content"] == streamed


class TestWithAModel:
    @pytest.fixture
    def settings(self, settings: Settings, model_server: FakeModel) -> Settings:
        return with_model(settings, model_server)

    async def test_the_model_gets_the_figures_and_the_conversation(
        self, client: httpx2.AsyncClient, model_server: FakeModel
    ) -> None:
        ann = await ledger_of(client)
        model_server.replies = ["Hi!", "You spent $42.50 on food in February."]
        await ask(client, ann, "hello")
        exchange = await ask(client, ann, "How much did I spend on food last month?")
        assert exchange["reply"]["content"] == "You spent $42.50 on food in February."  # type: ignore[index]
        assert exchange["reply"]["source"] == "provider"  # type: ignore[index]
        messages = model_server.requests[-1]["messages"]
        assert "'amount': '42.50'" in messages[0]["content"]
        assert "'category': 'Food & Dining'" in messages[0]["content"]
        assert [m["content"] for m in messages[1:]] == [
            "hello",
            "Hi!",
            "How much did I spend on food last month?",
        ]

    async def test_a_failing_model_leaves_the_local_answer(
        self, client: httpx2.AsyncClient, model_server: FakeModel
    ) -> None:
        ann = await ledger_of(client)
        model_server.status = 503
        exchange = await ask(client, ann, "what's my balance?")
        assert exchange["reply"] == {
            **exchange["reply"],
            "content": "Your balance is $2979.00.",
            "source": "local",
        }  # type: ignore[dict-item]


class TestLimit:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        limits = settings.ratelimit.model_copy(update={"chat": "2/hour"})
        return settings.model_copy(update={"ratelimit": limits})

    async def test_the_bot_answers_so_many_an_hour(
        self, client: httpx2.AsyncClient, app: FastAPI
    ) -> None:
        ann = await member(client)
        await ask(client, ann, "balance?")
        await ask(client, ann, "balance?")
        refused = await client.post(f"{PW}/chat/messages", json={"content": "again"}, headers=ann)
        assert refused.status_code == 429 and "Retry-After" in refused.headers
