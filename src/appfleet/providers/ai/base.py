from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

Role = Literal["system", "user", "assistant"]
Tone = Literal["friendly", "tough_love", "calm"]
TONES: tuple[Tone, ...] = ("friendly", "tough_love", "calm")


@dataclass(frozen=True, slots=True)
class ChatMessage:
    role: Role
    content: str


@dataclass(frozen=True, slots=True)
class TextRequest:
    """One generation. `messages` is the prompt an LLM reads; `purpose` and `facts` are the
    same request in structured form, which the local generator composes from (it reads no
    prose). `seed` makes the local generator deterministic."""

    purpose: str
    messages: tuple[ChatMessage, ...]
    facts: Mapping[str, Any] = field(default_factory=dict)
    language: str = "en"
    tone: Tone = "friendly"
    max_tokens: int = 500
    temperature: float = 0.7
    seed: int = 0


@dataclass(frozen=True, slots=True)
class Completion:
    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    model: str = ""

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class TextModel(Protocol):
    name: str

    async def complete(self, request: TextRequest) -> Completion: ...

    def stream(self, request: TextRequest) -> AsyncIterator[str | Completion]:
        """The text in pieces as they come, then one `Completion` with the whole text and
        the usage."""
        ...


class ModelFailed(Exception):
    """The model did not answer usably (down, slow, refusing, empty)."""
