"""The AI service: cost controls and the fallback order around the text models.

For each request: an identical prompt answered in the last 24 h comes from the cache; else the
model is asked if one is configured, its circuit is closed and today's and this month's token
budgets are not spent, within a timeout; if that fails or is not allowed, a message the model
wrote before for the same subject is reused; failing that the local generator composes one.
Every answer names its source: provider, cache, fallback_cache or local.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Literal

import orjson
from sqlalchemy import func, select

from appfleet.core.clock import Clock
from appfleet.core.database import Database, insert, unit_of_work
from appfleet.core.logging import get_logger
from appfleet.core.settings import AiSettings
from appfleet.platform.ai.models import AiUsage
from appfleet.providers.ai.base import Completion, ModelFailed, TextModel, TextRequest
from appfleet.providers.ai.local import LocalModel, language_of
from appfleet.providers.ai.voice import Speech, Voice
from appfleet.runtime.breaker import CircuitBreaker
from appfleet.runtime.cache import Cache
from appfleet.runtime.limits import LimitBook

log = get_logger("appfleet.ai")
Source = Literal["provider", "cache", "fallback_cache", "local"]
RECENT_KEEP = 10
RECENT_TTL_S = 7 * 86_400


@dataclass(frozen=True, slots=True)
class Generation:
    text: str
    source: Source
    model: str
    tokens: int = 0


class AiService:
    def __init__(
        self,
        settings: AiSettings,
        db: Database,
        cache: Cache,
        clock: Clock,
        *,
        model: TextModel | None,
        voice: Voice | None = None,
        local: LocalModel | None = None,
        limits: LimitBook | None = None,
    ) -> None:
        self.settings, self._db, self._cache, self._clock = settings, db, cache, clock
        self._limits = limits
        self.model, self.voice = model, voice
        self.local = local or LocalModel()
        failures, reset_s = settings.breaker_failures, settings.breaker_reset_s
        self.breaker = CircuitBreaker("ai_text", failures=failures, reset_s=reset_s)
        self.voice_breaker = CircuitBreaker("ai_voice", failures=failures, reset_s=reset_s)

    # -- answering -------------------------------------------------------------------------

    async def generate(
        self, app: str, request: TextRequest, *, subject: str | None = None
    ) -> Generation:
        request = self._capped(request)
        if self.model is None:
            return await self._local(request)
        key = self._prompt_key(request)
        if (hit := await self._cache.get(key)) is not None:
            cached = orjson.loads(hit)
            return Generation(cached["text"], "cache", cached["model"])
        if await self._may_call(app):
            try:
                async with asyncio.timeout(self.settings.timeout_s):
                    completion = await self.model.complete(request)
            except (ModelFailed, TimeoutError) as exc:
                self._failed(exc)
            else:
                await self._succeeded(app, request, subject, key, completion)
                return Generation(completion.text, "provider", completion.model, completion.tokens)
        return await self._fallback(app, request, subject)

    async def stream(
        self, app: str, request: TextRequest, *, subject: str | None = None
    ) -> AsyncIterator[str | Generation]:
        """The answer in pieces, then the whole `Generation`. If the model fails before its
        first piece, the fallback streams instead; after that, the text so far stands: the
        stream ends there, recorded as the model's (partial) answer but not cached."""
        request = self._capped(request)
        if self.model is None:
            async for piece in self._stream_fallback(app, request, subject):
                yield piece
            return
        key = self._prompt_key(request)
        if (hit := await self._cache.get(key)) is not None:
            cached = orjson.loads(hit)
            yield cached["text"]
            yield Generation(cached["text"], "cache", cached["model"])
            return
        if not await self._may_call(app):
            async for piece in self._stream_fallback(app, request, subject):
                yield piece
            return
        sent: list[str] = []
        try:
            async with asyncio.timeout(self.settings.timeout_s):
                async for chunk in self.model.stream(request):
                    if isinstance(chunk, Completion):
                        await self._succeeded(app, request, subject, key, chunk)
                        yield Generation(chunk.text, "provider", chunk.model, chunk.tokens)
                        return
                    sent.append(chunk)
                    yield chunk
        except (ModelFailed, TimeoutError) as exc:
            self._failed(exc)
        if not sent:
            async for piece in self._stream_fallback(app, request, subject):
                yield piece
            return
        # The model stopped part-way: finish honestly with what it sent.
        text = "".join(sent).strip()
        yield Generation(text, "provider", self.model.name)

    # -- the fallbacks ---------------------------------------------------------------------

    async def _fallback(self, app: str, request: TextRequest, subject: str | None) -> Generation:
        if subject is not None:
            earlier = await self._recent(app, request.purpose, subject)
            if earlier:
                choice = random.Random(request.seed).choice(earlier)  # noqa: S311
                return Generation(choice, "fallback_cache", self.model.name if self.model else "")
        return await self._local(request)

    async def _stream_fallback(
        self, app: str, request: TextRequest, subject: str | None
    ) -> AsyncIterator[str | Generation]:
        generation = await self._fallback(app, request, subject)
        if generation.source == "local":
            async for piece in self.local.stream(request):
                if isinstance(piece, Completion):
                    yield generation
                else:
                    yield piece
            return
        yield generation.text
        yield generation

    async def _local(self, request: TextRequest) -> Generation:
        completion = await self.local.complete(request)
        return Generation(completion.text, "local", self.local.name)

    # -- cost controls ---------------------------------------------------------------------

    def _capped(self, request: TextRequest) -> TextRequest:
        if request.max_tokens <= self.settings.max_tokens:
            return request
        return replace(request, max_tokens=self.settings.max_tokens)

    def _prompt_key(self, request: TextRequest) -> str:
        material = orjson.dumps(
            [
                self.model.name if self.model else "",
                [(m.role, m.content) for m in request.messages],
                request.max_tokens,
                request.temperature,
            ]
        )
        return f"ai:prompt:{hashlib.sha256(material).hexdigest()}"

    async def _may_call(self, app: str) -> bool:
        """Within budget — the deployment's, and the app's own when it has one — and with the
        circuit closed (or this call is its trial)."""
        for scope in (None, app):
            day_cap, month_cap = await self._budgets(scope)
            if scope is not None and not (day_cap or month_cap):
                continue  # the app shares the deployment's budget
            spent_today, spent_month = await self.tokens_spent(scope)
            over_day = bool(day_cap) and spent_today >= day_cap
            over_month = bool(month_cap) and spent_month >= month_cap
            if over_day or over_month:
                log.warning(
                    "ai_budget_spent",
                    app=app,
                    budget=scope or "deployment",
                    today=spent_today,
                    month=spent_month,
                )
                return False
        if not self.breaker.allow():
            log.info("ai_circuit_open", app=app)
            return False
        return True

    def _failed(self, exc: BaseException) -> None:
        self.breaker.failed()
        reason = "timed out" if isinstance(exc, TimeoutError) else str(exc)
        log.warning("ai_model_failed", error=reason[:300], breaker=self.breaker.state)

    async def _succeeded(
        self,
        app: str,
        request: TextRequest,
        subject: str | None,
        key: str,
        completion: Completion,
    ) -> None:
        self.breaker.succeeded()
        await self._record_usage(app, completion)
        payload = orjson.dumps({"text": completion.text, "model": completion.model})
        if self.settings.cache_ttl_s:
            await self._cache.set(key, payload, self.settings.cache_ttl_s)
        if subject is not None:
            await self._remember(app, request.purpose, subject, completion.text)

    async def _record_usage(self, app: str, completion: Completion) -> None:
        day = self._clock.now().date()
        values = {
            "requests": 1,
            "prompt_tokens": completion.prompt_tokens,
            "completion_tokens": completion.completion_tokens,
        }
        async with unit_of_work(self._db) as session:
            statement = insert(session, AiUsage).values(day=day, app=app, **values)
            await session.execute(
                statement.on_conflict_do_update(
                    index_elements=["day", "app"],
                    set_={
                        name: getattr(AiUsage, name) + getattr(statement.excluded, name)
                        for name in values
                    },
                )
            )

    async def _budgets(self, app: str | None) -> tuple[int, int]:
        """(daily, monthly) token caps, 0 meaning none: run-time overrides, else settings."""
        if self._limits is not None:
            return (
                await self._limits.budget(app, "ai_daily_tokens"),
                await self._limits.budget(app, "ai_monthly_tokens"),
            )
        if app is not None:
            return 0, 0
        return self.settings.daily_token_budget, self.settings.monthly_token_budget

    async def tokens_spent(self, app: str | None = None) -> tuple[int, int]:
        """Tokens used today and this month (UTC), by one app or every app of the deployment."""
        today = self._clock.now().date()
        month_start = date(today.year, today.month, 1)
        used = AiUsage.prompt_tokens + AiUsage.completion_tokens
        async with unit_of_work(self._db, write=False) as session:
            row = (
                await session.execute(
                    select(
                        func.coalesce(func.sum(used).filter(AiUsage.day == today), 0),
                        func.coalesce(func.sum(used), 0),
                    ).where(AiUsage.day >= month_start, *([AiUsage.app == app] if app else []))
                )
            ).one()
        return int(row[0]), int(row[1])

    # -- messages kept for the fallback ----------------------------------------------------

    def _recent_key(self, app: str, purpose: str, subject: str) -> str:
        return f"ai:recent:{app}:{purpose}:{subject}"

    async def _recent(self, app: str, purpose: str, subject: str) -> list[str]:
        raw = await self._cache.get(self._recent_key(app, purpose, subject))
        found: Any = orjson.loads(raw) if raw else []
        return [t for t in found if isinstance(t, str)]

    async def _remember(self, app: str, purpose: str, subject: str, text: str) -> None:
        kept = [t for t in await self._recent(app, purpose, subject) if t != text]
        kept = [text, *kept][:RECENT_KEEP]
        await self._cache.set(
            self._recent_key(app, purpose, subject), orjson.dumps(kept), RECENT_TTL_S
        )

    # -- speech ----------------------------------------------------------------------------

    async def speak(self, text: str, language: str) -> Speech | None:
        """The text as audio, or None when no voice is available or it failed (the caller
        answers with text only, as seed 001's degradation plan says)."""
        if self.voice is None or not self.voice_breaker.allow():
            return None
        try:
            async with asyncio.timeout(self.settings.timeout_s):
                speech = await self.voice.speak(text, language_of(language))
        except (ModelFailed, TimeoutError) as exc:
            self.voice_breaker.failed()
            log.warning("ai_voice_failed", voice=self.voice.name, error=str(exc)[:300])
            return None
        self.voice_breaker.succeeded()
        return speech

    def status(self) -> dict[str, Any]:
        return {
            "text": self.model.name if self.model else "local",
            "voice": self.voice.name if self.voice else None,
            "breakers": {b.name: b.state for b in (self.breaker, self.voice_breaker)},
        }
