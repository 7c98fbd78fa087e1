"""Evaluating flags and assigning variants: pure functions over a compiled snapshot, so a
check costs microseconds and no I/O.

Buckets come from a salted SHA-256 of the flag and the user — stable across processes,
restarts and Python versions, unlike `hash()` — and each flag has its own salt, so being in one
flag's first 10% says nothing about another's.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

BUCKETS = 10_000  # rollouts in hundredths of a percent
_VERSION = re.compile(r"^(\d{1,9})(?:\.(\d{1,9}))?(?:\.(\d{1,9}))?(?:\.(\d{1,9}))?")


@dataclass(frozen=True, slots=True)
class Subject:
    """Who a flag is evaluated for."""

    user_id: str
    app: str
    plan: str
    country: str | None
    signed_up: date


def bucket(salt: str, key: str, user_id: str) -> int:
    digest = hashlib.sha256(f"{salt}:{key}:{user_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS


@dataclass(frozen=True, slots=True)
class Audience:
    """Who may see a flag or enter an experiment: every criterion given must hold."""

    plans: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()
    apps: frozenset[str] = frozenset()
    signed_up_after: date | None = None  # inclusive
    signed_up_before: date | None = None  # exclusive

    @classmethod
    def of(cls, data: dict[str, Any]) -> Audience:
        def day(name: str) -> date | None:
            value = data.get(name)
            return date.fromisoformat(value) if value else None

        return cls(
            plans=frozenset(data.get("plans") or ()),
            countries=frozenset(c.upper() for c in data.get("countries") or ()),
            apps=frozenset(data.get("apps") or ()),
            signed_up_after=day("signed_up_after"),
            signed_up_before=day("signed_up_before"),
        )

    def admits(self, subject: Subject) -> bool:
        if self.plans and subject.plan not in self.plans:
            return False
        if self.countries and subject.country not in self.countries:
            return False
        if self.apps and subject.app not in self.apps:
            return False
        if self.signed_up_after is not None and subject.signed_up < self.signed_up_after:
            return False
        return self.signed_up_before is None or subject.signed_up < self.signed_up_before


@dataclass(frozen=True, slots=True)
class Flag:
    key: str
    live: bool  # enabled and not killed
    rollout: int  # buckets out of BUCKETS
    audience: Audience
    salt: str

    def on_for(self, subject: Subject) -> bool:
        # The kill switch and the off state win over everything; then targeting; then rollout.
        if not self.live or not self.audience.admits(subject):
            return False
        return (
            self.rollout >= BUCKETS or bucket(self.salt, self.key, subject.user_id) < self.rollout
        )


@dataclass(frozen=True, slots=True)
class Experiment:
    id: int
    key: str
    running: bool
    arms: tuple[tuple[str, int], ...]  # (variant, cumulative upper bucket)
    audience: Audience
    salt: str
    winner: str | None
    conversion_event: str

    def variant_for(self, subject: Subject) -> str | None:
        """The subject's arm while the experiment runs (None outside it: the app's default);
        the winner for everyone once one is declared."""
        if self.winner is not None:
            return self.winner
        if not self.running or not self.audience.admits(subject):
            return None
        at = bucket(self.salt, self.key, subject.user_id)
        for name, upto in self.arms:
            if at < upto:
                return name
        return self.arms[-1][0]


def arms_of(variants: list[dict[str, Any]]) -> tuple[tuple[str, int], ...]:
    """Weights to cumulative bucket bounds (the last arm takes any rounding remainder)."""
    total = sum(int(v["weight"]) for v in variants)
    arms: list[tuple[str, int]] = []
    running = 0
    for variant in variants:
        running += int(variant["weight"])
        arms.append((variant["name"], running * BUCKETS // total))
    return tuple(arms)


@dataclass(frozen=True, slots=True)
class Release:
    platform: str
    min_version: tuple[int, ...] | None
    recommended_version: tuple[int, ...] | None
    min_text: str | None
    recommended_text: str | None
    store_url: str | None


def version(text: str) -> tuple[int, ...] | None:
    """`2.3.1`, `2.3`, `2.3.1 (45)` or `2.3.1-beta` as (2, 3, 1); None when it has no number.
    Trailing zeros do not count: 2.3 == 2.3.0."""
    match = _VERSION.match(text.strip())
    if match is None:
        return None
    parts = [int(p) for p in match.groups() if p is not None]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One app's flags (its own over deployment-wide ones), experiments and releases."""

    flags: dict[str, Flag]
    experiments: dict[str, Experiment]
    releases: dict[str, Release]

    def enabled(self, key: str, subject: Subject, default: bool = False) -> bool:
        flag = self.flags.get(key)
        return default if flag is None else flag.on_for(subject)

    def evaluate(self, subject: Subject) -> dict[str, bool]:
        return {key: flag.on_for(subject) for key, flag in self.flags.items()}

    def release_for(self, platform: str | None) -> Release | None:
        return self.releases.get(platform or "any") or self.releases.get("any")


EMPTY = Snapshot({}, {}, {})
