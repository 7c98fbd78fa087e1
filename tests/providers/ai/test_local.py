"""The local generator writes real messages from the facts: in the user's language and tone,
about what their check-ins show, the same for the same seed and varied across seeds."""

from __future__ import annotations

from typing import Any

import pytest

from appfleet.providers.ai.base import Completion, TextRequest, Tone
from appfleet.providers.ai.local import LocalModel

pytestmark = pytest.mark.anyio


def request(
    history: list[str],
    *,
    language: str = "en",
    tone: Tone = "friendly",
    seed: int = 1,
    goal: str = "Gym 3x a week",
) -> TextRequest:
    facts: dict[str, Any] = {
        "goal": goal,
        "name": "Ann",
        "history": [{"status": s} for s in history],
    }
    return TextRequest("motivation", (), facts, language=language, tone=tone, seed=seed)


def test_the_message_reads_the_check_ins() -> None:
    model = LocalModel()
    streak = model.compose(request(["done", "done", "done"]))
    assert (
        "3" in streak
        and "Gym 3x a week" in streak
        and streak.startswith(("Hey Ann", "Hi Ann", "Ann", "Morning"))
    )
    slipping = model.compose(request(["missed", "skipped", "done"], tone="tough_love", seed=4))
    assert "Gym 3x a week" in slipping and "2" in slipping
    fresh = model.compose(request([], tone="calm"))
    assert "Gym 3x a week" in fresh


@pytest.mark.parametrize(
    ("language", "word"), [("es", "Ann"), ("fr", "Ann"), ("de", "Ann"), ("de-AT", "Ann")]
)
def test_the_users_language_is_written(language: str, word: str) -> None:
    model = LocalModel()
    english = model.compose(request(["done", "done"], seed=2))
    other = model.compose(request(["done", "done"], language=language, seed=2))
    assert word in other and other != english
    if language.startswith("de"):
        assert "„Gym 3x a week“" in other  # German quotation marks: it is German text


def test_unknown_languages_fall_back_to_english() -> None:
    model = LocalModel()
    assert model.compose(request(["done"], language="ja")) == model.compose(request(["done"]))


def test_tones_differ_and_each_ends_on_an_uplifting_line() -> None:
    model = LocalModel()
    texts = {
        tone: model.compose(request(["done", "done"], tone=tone))
        for tone in ("friendly", "tough_love", "calm")
    }
    assert len(set(texts.values())) == 3
    assert all(text.rstrip().endswith((".", "!")) for text in texts.values())


def test_the_same_seed_repeats_and_other_seeds_vary() -> None:
    model = LocalModel()
    same = {model.compose(request(["done", "missed"], seed=7)) for _ in range(3)}
    assert len(same) == 1
    varied = {model.compose(request(["done", "missed"], seed=s)) for s in range(12)}
    assert len(varied) >= 4


async def test_streaming_yields_the_same_text_then_the_completion() -> None:
    model = LocalModel()
    pieces = [p async for p in model.stream(request(["done"]))]
    *words, last = pieces
    assert isinstance(last, Completion)
    assert "".join(str(w) for w in words) == last.text == model.compose(request(["done"]))
    assert len(words) > 5
