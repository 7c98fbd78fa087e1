"""The OpenAI-compatible client against a local chat-completions server: the request it
sends, plain and streamed answers with their usage, and failures as ModelFailed."""

from __future__ import annotations

import httpx2
import pytest

from appfleet.providers.ai.base import ChatMessage, Completion, ModelFailed, TextRequest
from appfleet.providers.ai.openai_compat import OpenAICompatible
from tests.fixtures.ai import API_KEY, FakeModel

pytestmark = pytest.mark.anyio
REQUEST = TextRequest(
    "motivation",
    (ChatMessage("system", "You are a coach."), ChatMessage("user", "Goal: gym.")),
    max_tokens=120,
    temperature=0.5,
)


def model(fake: FakeModel, http: httpx2.AsyncClient, key: str = API_KEY) -> OpenAICompatible:
    return OpenAICompatible(base_url=fake.url, api_key=key, model="coach-1", timeout_s=5, http=http)


async def test_a_completion_sends_the_prompt_and_reads_the_usage(model_server: FakeModel) -> None:
    async with httpx2.AsyncClient() as http:
        answer = await model(model_server, http).complete(REQUEST)
    assert answer == Completion("You can do it — one rep at a time.", 40, 12, "coach-1")
    [sent] = model_server.requests
    assert sent["model"] == "coach-1"
    assert sent["messages"] == [
        {"role": "system", "content": "You are a coach."},
        {"role": "user", "content": "Goal: gym."},
    ]
    assert (sent["max_tokens"], sent["temperature"]) == (120, 0.5)


async def test_a_stream_arrives_in_pieces_then_the_whole_with_usage(
    model_server: FakeModel,
) -> None:
    model_server.replies = ["Show up today and thank yourself tomorrow."]
    async with httpx2.AsyncClient() as http:
        pieces = [p async for p in model(model_server, http).stream(REQUEST)]
    *words, last = pieces
    assert len(words) == 7
    assert isinstance(last, Completion)
    assert last.text == "Show up today and thank yourself tomorrow."
    assert (last.prompt_tokens, last.completion_tokens) == (40, 12)
    assert model_server.requests[0]["stream"] is True


@pytest.mark.parametrize("status", [401, 429, 500, 503])
async def test_refusals_and_outages_are_model_failures(
    model_server: FakeModel, status: int
) -> None:
    model_server.status = status
    async with httpx2.AsyncClient() as http:
        with pytest.raises(ModelFailed):
            await model(model_server, http).complete(REQUEST)
        with pytest.raises(ModelFailed):
            _ = [p async for p in model(model_server, http).stream(REQUEST)]
    assert len(model_server.requests) == 2  # the SDK's own retries are off


async def test_a_wrong_key_is_a_model_failure(model_server: FakeModel) -> None:
    async with httpx2.AsyncClient() as http:
        with pytest.raises(ModelFailed, match="AuthenticationError"):
            await model(model_server, http, key="sk-wrong").complete(REQUEST)
