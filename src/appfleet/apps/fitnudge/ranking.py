"""Seed 001's search ranker, kept pure: text relevance from the database's full-text engine,
a bonus when the whole query appears in the title (a post's text, a goal's title), recency
decaying over 30 days, and engagement."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

WEIGHTS = {"text": 0.4, "title": 3.0, "recency": 0.3, "engagement": 0.2}
RECENCY_DAYS = 30
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Candidate:
    text_rank: float  # the engine's relevance, higher is better, about 0-1
    title: str
    created_at: datetime
    likes: int = 0


def words(query: str) -> list[str]:
    """The query's words, lower-cased: the only part of it that reaches the engine (no
    operators, quotes or wildcards from users)."""
    return [w.lower() for w in _WORD.findall(query)][:10]


def score(candidate: Candidate, query: str, now: datetime) -> float:
    value = candidate.text_rank * WEIGHTS["text"]
    phrase = " ".join(words(query))
    if phrase and phrase in " ".join(words(candidate.title)):
        value += WEIGHTS["title"]
    days_old = max((now - candidate.created_at).total_seconds() / 86_400, 0.0)
    value += max(0.0, 1 - days_old / RECENCY_DAYS) * WEIGHTS["recency"]
    value += candidate.likes / 100 * WEIGHTS["engagement"]
    return value
