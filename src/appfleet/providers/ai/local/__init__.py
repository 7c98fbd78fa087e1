"""The local generator: real messages composed from a request's facts, no network. It is the
default in embedded mode and the last fallback when the model is down or over budget.
Deterministic for a given seed, so tests can assert on it; varied across seeds, so a user does
not read the same line every day."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

from appfleet.providers.ai.base import TONES, Completion, ModelFailed, TextRequest, Tone
from appfleet.providers.ai.local.phrases import CLOSINGS, FRIEND, HISTORY, OPENERS

Composer = Callable[[Mapping[str, Any], str, Tone, random.Random], str]
LANGUAGES = ("en", "es", "fr", "de")


def language_of(preference: str) -> str:
    primary = preference.replace("_", "-").split("-")[0].lower()
    return primary if primary in LANGUAGES else "en"


def _trend(history: list[Mapping[str, Any]]) -> tuple[str, int]:
    """(what the recent check-ins say, the count it is about); newest first."""
    statuses = [str(h.get("status")) for h in history]
    if not statuses:
        return "fresh", 0
    done_run = 0
    for status in statuses:
        if status != "done":
            break
        done_run += 1
    if done_run >= 2:
        return "streak", done_run
    if done_run == 1 and len(statuses) > 1:
        return "comeback", 1
    misses = sum(1 for s in statuses[:3] if s in ("missed", "skipped"))
    if misses:
        return "slipping", misses
    return "fresh", 0


def motivation(facts: Mapping[str, Any], language: str, tone: Tone, rng: random.Random) -> str:
    """Seed 001's motivation: based on the goal, the last check-ins and the tone, ending on
    an uplifting line."""
    lang = language_of(language)
    name = str(facts.get("name") or FRIEND[lang])
    goal = str(facts.get("goal") or "")
    trend, count = _trend(list(facts.get("history") or []))
    parts = [rng.choice(OPENERS[lang][tone]).format(name=name)]
    if goal:
        parts.append(rng.choice(HISTORY[lang][trend][tone]).format(goal=goal, count=count))
    parts.append(rng.choice(CLOSINGS[lang][tone]))
    return " ".join(parts)


def encouragement(facts: Mapping[str, Any], language: str, tone: Tone, rng: random.Random) -> str:
    """For purposes without a composer of their own: a short uplifting line."""
    lang = language_of(language)
    return rng.choice(CLOSINGS[lang][tone])


class LocalModel:
    name = "local"

    def __init__(self, composers: Mapping[str, Composer] | None = None) -> None:
        self._composers: dict[str, Composer] = {"motivation": motivation, **(composers or {})}

    def compose(self, request: TextRequest) -> str:
        composer = self._composers.get(request.purpose, encouragement)
        tone: Tone = request.tone if request.tone in TONES else "friendly"
        rng = random.Random(f"{request.purpose}:{request.seed}")  # noqa: S311 - not secret
        text = composer(request.facts, request.language, tone, rng)
        if not text:
            raise ModelFailed(f"the local composer for {request.purpose!r} wrote nothing")
        return text

    async def complete(self, request: TextRequest) -> Completion:
        return Completion(self.compose(request), model=self.name)

    async def stream(self, request: TextRequest) -> AsyncIterator[str | Completion]:
        text = self.compose(request)
        words = text.split(" ")
        for index, word in enumerate(words):
            yield word if index == len(words) - 1 else word + " "
            await asyncio.sleep(0)  # let the response flush, as a model's stream would
        yield Completion(text, model=self.name)
