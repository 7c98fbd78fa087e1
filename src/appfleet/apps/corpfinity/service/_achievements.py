"""Achievements: every locked achievement whose rule a change could affect is evaluated from a
handful of aggregates (each computed at most once, and only when a rule needs it); unlocking is
idempotent and pushes "You earned: …"."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

import orjson
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.corpfinity.achievements import (
    COMPLETION_KINDS,
    TRACKING_KINDS,
    Achievement,
    Rule,
)
from appfleet.apps.corpfinity.models import Completion, Unlock
from appfleet.apps.corpfinity.repository import CatalogRepository, UserData
from appfleet.apps.corpfinity.schemas import AchievementRead, Progress
from appfleet.apps.corpfinity.service._achievement_defs import definitions
from appfleet.apps.corpfinity.service._common import (
    ACHIEVEMENTS_TTL_S,
    CATALOG_PREFIX,
    CATALOG_TTL_S,
    Member,
    Runtime,
    achievements_key,
    forget,
    stats_key,
)
from appfleet.core.database import insert
from appfleet.platform.notifications import service as notifications
from appfleet.platform.notifications.service import Draft, Recipient
from appfleet.runtime.cache import Cache

ENERGY_LEVELS = 3  # low, medium, high


@dataclass(frozen=True, slots=True)
class Event:
    """What just changed: a completion (with its category, energy and local hour), a tracking
    update, or an explicit check of everything."""

    kind: Literal["completion", "tracking", "check"]
    category: str | None = None
    energy: str | None = None
    hour: int | None = None
    total: int | None = None
    longest: int | None = None
    day_count: int | None = None
    # Categories and energy levels tried so far (kept on the progress row), when known.
    categories: frozenset[str] | None = None
    energies: frozenset[str] | None = None


@dataclass(slots=True)
class Facts:
    """The aggregates the rules read, each queried on first use."""

    session: AsyncSession
    data: UserData
    event: Event
    cache: Cache
    _memo: dict[str, object] = field(default_factory=dict)

    async def _once(self, name: str, load: Callable[[], Awaitable[object]]) -> object:
        if name not in self._memo:
            self._memo[name] = await load()
        return self._memo[name]

    async def total(self) -> int:
        if self.event.total is not None:
            return self.event.total
        progress = await self.data.progress()
        return progress.total_completions if progress else 0

    async def longest(self) -> int:
        if self.event.longest is not None:
            return self.event.longest
        progress = await self.data.progress()
        return progress.longest_streak if progress else 0

    async def _tried(self) -> tuple[dict[str, int], set[str]]:
        """Completions per category, and the energy levels tried: one GROUP BY for both."""

        async def load() -> tuple[dict[str, int], set[str]]:
            categories: dict[str, int] = {}
            energies: set[str] = set()
            for category, energy, count in await self.data.count_by_category_and_energy():
                if category is not None:
                    categories[category] = categories.get(category, 0) + count
                if energy is not None:
                    energies.add(energy)
            return categories, energies

        return await self._once("tried", load)  # type: ignore[return-value]

    async def tried_categories(self) -> set[str]:
        if self.event.categories is not None:
            return set(self.event.categories)
        return set((await self._tried())[0])

    async def in_category(self, category: str) -> int:
        if self.event.kind == "check":
            return (await self._tried())[0].get(category, 0)
        return await self.data.count_in(category)  # only asked when this completion was one

    async def energies(self) -> int:
        if self.event.energies is not None:
            return len(self.event.energies)
        return len((await self._tried())[1])

    async def catalog_categories(self) -> set[str]:
        found = await self._once("catalog", lambda: catalog_categories(self.session, self.cache))
        return found  # type: ignore[return-value]

    async def hours(self) -> tuple[int | None, int | None]:
        async def load() -> tuple[int | None, int | None]:
            row = (
                await self.session.execute(
                    select(func.min(Completion.local_hour), func.max(Completion.local_hour)).where(
                        Completion.user_id == self.data.user_id
                    )
                )
            ).one()
            return row[0], row[1]

        return await self._once("hours", load)  # type: ignore[return-value]

    async def most_in_a_day(self) -> int:
        if self.event.day_count is not None:
            return self.event.day_count  # earlier days were judged when they happened

        async def load() -> int:
            per_day = (
                select(func.count().label("n"))
                .where(Completion.user_id == self.data.user_id)
                .group_by(Completion.local_date)
                .subquery()
            )
            return int(await self.session.scalar(select(func.max(per_day.c.n))) or 0)

        return await self._once("day", load)  # type: ignore[return-value]

    async def progress(self, rule: Rule) -> Progress:
        """How far the user is towards `rule` (current, target)."""
        kind, threshold = rule.kind, rule.threshold
        if kind == "completions":
            return Progress(current=await self.total(), target=threshold)
        if kind == "streak":
            return Progress(current=await self.longest(), target=threshold)
        if kind == "categories_all":
            catalog = await self.catalog_categories()
            tried = await self.tried_categories() & catalog
            return Progress(current=len(tried), target=len(catalog))
        if kind == "category":
            return Progress(current=await self.in_category(rule.field or ""), target=threshold)
        if kind == "energies_all":
            return Progress(current=await self.energies(), target=ENERGY_LEVELS)
        if kind in ("hour_before", "hour_from"):
            return Progress(current=int(await self._at_hour(rule)), target=1)
        if kind == "in_one_day":
            return Progress(current=await self.most_in_a_day(), target=threshold)
        if kind == "tracked_days":
            days = await self.data.tracked_days(rule.field or "", rule.at_least)
            return Progress(current=days, target=threshold)
        total = await self.data.tracked_total(rule.field or "")
        return Progress(current=total, target=threshold)

    async def _at_hour(self, rule: Rule) -> bool:
        if self.event.hour is not None:
            hour = self.event.hour  # the completion that just happened decides
            return hour < rule.threshold if rule.kind == "hour_before" else hour >= rule.threshold
        earliest, latest = await self.hours()
        if rule.kind == "hour_before":
            return earliest is not None and earliest < rule.threshold
        return latest is not None and latest >= rule.threshold


def _affected(achievement: Achievement, event: Event) -> bool:
    """Whether `event` can have moved the rule: a completion in another category cannot
    bring a category's count up, a tracking update no completion rule."""
    rule = achievement.rule
    if event.kind == "check":
        return True
    if event.kind == "tracking":
        return rule.kind in TRACKING_KINDS
    if rule.kind == "category":
        return event.category == rule.field
    return rule.kind in COMPLETION_KINDS


async def catalog_categories(session: AsyncSession, cache: Cache) -> set[str]:
    """The catalog's categories (cached with the catalog: they change only with it)."""
    key = f"{CATALOG_PREFIX}categories"
    if (hit := await cache.get(key)) is not None:
        return set(orjson.loads(hit))
    found = await CatalogRepository(session).categories()
    await cache.set(key, orjson.dumps(sorted(found)), CATALOG_TTL_S)
    return found


def _read(
    achievement: Achievement, unlocked_at: datetime | None, progress: Progress
) -> AchievementRead:
    return AchievementRead(
        id=achievement.id,
        title=achievement.title,
        description=achievement.description,
        emoji=achievement.emoji,
        unlocked=unlocked_at is not None,
        unlocked_at=unlocked_at,
        progress=progress,
    )


async def evaluate(
    session: AsyncSession, rt: Runtime, member: Member, event: Event
) -> list[AchievementRead]:
    """Unlock what `event` earned; the newly unlocked achievements."""
    data = UserData(session, member.user_id)
    unlocked = await unlocked_ids(session, rt, member)
    offered = (await definitions(session, rt)).achievements
    candidates = [a for a in offered if a.id not in unlocked and _affected(a, event)]
    if not candidates:
        return []
    facts = Facts(session, data, event, rt.cache)
    now = rt.clock.now()
    earned: list[AchievementRead] = []
    for achievement in candidates:
        progress = await facts.progress(achievement.rule)
        if progress.current < progress.target:
            continue
        inserted = await session.execute(
            insert(session, Unlock)
            .values(user_id=member.user_id, achievement_id=achievement.id, unlocked_at=now)
            .on_conflict_do_nothing(index_elements=["user_id", "achievement_id"])
        )
        if inserted.rowcount == 0:  # type: ignore[attr-defined]
            continue  # unlocked meanwhile by another request
        await notifications.notify(
            session,
            rt.clock,
            member.app,
            Recipient(member.user_id, member.timezone),
            Draft(
                kind="achievement",
                title="🏆 Achievement Unlocked!",
                body=f"You earned: {achievement.title}",
                data={"achievement_id": achievement.id},
                key=f"achievement:{achievement.id}",
            ),
            default_daily_limit=rt.daily_push_limit,
        )
        earned.append(_read(achievement, now, progress))
    if earned:
        forget(
            session,
            rt.cache,
            achievements_key(member.user_id),
            unlocked_key(member.user_id),
            stats_key(member.user_id),
        )
    return earned


def unlocked_key(user_id: object) -> str:
    return f"cache:corpfinity:unlocked:{user_id}"


async def unlocked_ids(session: AsyncSession, rt: Runtime, member: Member) -> frozenset[str]:
    """The ids the user has unlocked (cached: every completion asks)."""
    key = unlocked_key(member.user_id)
    if (hit := await rt.cache.get(key)) is not None:
        return frozenset(orjson.loads(hit))
    found = frozenset(await UserData(session, member.user_id).unlocked())
    await rt.cache.set(key, orjson.dumps(sorted(found)), ACHIEVEMENTS_TTL_S)
    return found


async def listing(session: AsyncSession, rt: Runtime, member: Member) -> list[AchievementRead]:
    """Every achievement with its unlock state and progress (cached 10 minutes)."""
    key = achievements_key(member.user_id)
    current = await definitions(session, rt)
    if (hit := await rt.cache.get(key)) is not None:
        cached = orjson.loads(hit)
        if cached["version"] == current.version:  # else made before an admin's edit
            return [AchievementRead.model_validate(item) for item in cached["items"]]
    data = UserData(session, member.user_id)
    unlocked = await data.unlocked()
    facts = Facts(session, data, Event("check"), rt.cache)
    items = []
    for achievement in current.achievements:
        found = unlocked.get(achievement.id)
        progress = await facts.progress(achievement.rule)
        items.append(_read(achievement, found.unlocked_at if found else None, progress))
    payload = {"version": current.version, "items": [i.model_dump(mode="json") for i in items]}
    await rt.cache.set(key, orjson.dumps(payload), ACHIEVEMENTS_TTL_S)
    return items
