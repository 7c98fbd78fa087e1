"""Any OpenAI-compatible chat-completions endpoint (OpenAI, Azure-style gateways, vLLM,
Ollama, LM Studio...), through the official SDK with our own httpx2 client. The SDK's own
retries are off: the AI service decides about retrying, falling back and breaking the circuit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx2
import openai

from appfleet.providers.ai.base import Completion, ModelFailed, TextRequest


class OpenAICompatible:
    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        model: str,
        timeout_s: float,
        http: httpx2.AsyncClient,
    ) -> None:
        self.name = model
        self._model = model
        self._client = openai.AsyncOpenAI(
            base_url=base_url, api_key=api_key, timeout=timeout_s, max_retries=0, http_client=http
        )

    def _arguments(self, request: TextRequest) -> dict[str, Any]:
        return {
            "model": self._model,
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
        }

    async def complete(self, request: TextRequest) -> Completion:
        try:
            response = await self._client.chat.completions.create(**self._arguments(request))
        except openai.OpenAIError as exc:
            raise ModelFailed(f"{type(exc).__name__}: {exc}") from exc
        text = (response.choices[0].message.content or "").strip() if response.choices else ""
        if not text:
            raise ModelFailed("the model answered with no text")
        usage = response.usage
        return Completion(
            text=text,
            prompt_tokens=usage.prompt_tokens if usage else 0,
            completion_tokens=usage.completion_tokens if usage else 0,
            model=response.model or self._model,
        )

    async def stream(self, request: TextRequest) -> AsyncIterator[str | Completion]:
        pieces: list[str] = []
        prompt_tokens = completion_tokens = 0
        model = self._model
        try:
            chunks = await self._client.chat.completions.create(
                **self._arguments(request), stream=True, stream_options={"include_usage": True}
            )
            async for chunk in chunks:
                model = chunk.model or model
                if chunk.usage is not None:
                    prompt_tokens = chunk.usage.prompt_tokens
                    completion_tokens = chunk.usage.completion_tokens
                for choice in chunk.choices:
                    if choice.delta.content:
                        pieces.append(choice.delta.content)
                        yield choice.delta.content
        except openai.OpenAIError as exc:
            raise ModelFailed(f"{type(exc).__name__}: {exc}") from exc
        text = "".join(pieces).strip()
        if not text:
            raise ModelFailed("the model streamed no text")
        yield Completion(text, prompt_tokens, completion_tokens, model)
