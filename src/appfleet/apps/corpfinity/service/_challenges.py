"""The catalog, completing challenges, the history and suggestions."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

import orjson
from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.corpfinity.models import Challenge, Completion
from appfleet.apps.corpfinity.repository import CatalogRepository, UserData
from appfleet.apps.corpfinity.schemas import (
    ChallengeRead,
    CompletionCreate,
    CompletionRead,
    CompletionResult,
    HistoryPage,
    SuggestionRead,
)
from appfleet.apps.corpfinity.service import _achievements as achievements
from appfleet.apps.corpfinity.service import _streaks as streaks
from appfleet.apps.corpfinity.service._achievements import Event
from appfleet.apps.corpfinity.service._common import (
    CATALOG_PREFIX,
    CATALOG_TTL_S,
    HISTORY_CACHED_LIMITS,
    HISTORY_TTL_S,
    Member,
    Runtime,
    forget,
    history_key,
    stats_key,
    streak_key,
)
from appfleet.core.clock import plausible, zone
from appfleet.core.database import Database, insert_for, unit_of_work
from appfleet.core.errors import NotFound, ValidationFailed
from appfleet.core.pagination import CursorParams, cursor_page, keyset_page
from appfleet.core.streaks import StreakState
from appfleet.providers.ai.base import ChatMessage, TextRequest

CATALOG_FIELDS = (
    "title",
    "description",
    "duration",
    "emoji",
    "fun_fact",
    "goal_category",
    "energy_level",
)


# The catalog


async def catalog(
    session: AsyncSession, rt: Runtime, category: str | None, energy: str | None
) -> bytes:
    """The catalog as JSON, from the hour-long cache when it has it."""
    key = f"{CATALOG_PREFIX}{category or '*'}:{energy or '*'}"
    if (hit := await rt.cache.get(key)) is None:
        rows = await CatalogRepository(session).active(category, energy)
        hit = orjson.dumps([ChallengeRead.model_validate(r).model_dump() for r in rows])
        await rt.cache.set(key, hit, CATALOG_TTL_S)
    return hit


# Completing


def _when(body: CompletionCreate, rt: Runtime, member: Member) -> datetime:
    """The client's time if it is plausible (not ahead of ours, not older than the window),
    else ours: a phone's clock decides neither the future nor a streak from last month."""
    now = rt.clock.now()
    window = timedelta(hours=rt.options(member.app).backdate_hours)
    return plausible(body.completed_at, now, window) or now


_index: tuple[bytes, dict[str, dict[str, Any]]] | None = None


async def catalog_entry(session: AsyncSession, rt: Runtime, challenge_id: str) -> dict[str, Any]:
    """One active catalog challenge, from the cached catalog (parsed once per cached copy)."""
    global _index
    raw = await catalog(session, rt, None, None)
    if _index is None or _index[0] is not raw:
        _index = (raw, {item["id"]: item for item in orjson.loads(raw)})
    found = _index[1].get(challenge_id)
    if found is None:
        raise ValidationFailed(
            "No such challenge in the catalog",
            details={"challenge_id": {"message": "unknown catalog id"}},
        )
    return found


COMPLETION_COLUMNS = (
    "id",
    "user_id",
    "client_id",
    "challenge_id",
    "completed_at",
    "local_date",
    "local_hour",
    "created_at",
    *CATALOG_FIELDS,
)


@cache
def _insert_statement(dialect: str) -> Any:
    """The completion INSERT, built once per dialect (see `_streaks._advance_statement`)."""
    return (
        insert_for(dialect, Completion.__table__)
        .values({name: bindparam(name) for name in COMPLETION_COLUMNS})
        .on_conflict_do_nothing(index_elements=["user_id", "client_id"])
        .returning(Completion.id)
    )


async def complete(
    session: AsyncSession, rt: Runtime, member: Member, body: CompletionCreate
) -> CompletionResult:
    fields: dict[str, Any] = {name: getattr(body, name) for name in CATALOG_FIELDS}
    if body.challenge_id is not None:
        challenge = await catalog_entry(session, rt, body.challenge_id)
        # The catalog's text, unless the app sent its own.
        fields = {name: fields[name] or challenge[name] for name in CATALOG_FIELDS}
    at = _when(body, rt, member)
    local = at.astimezone(zone(member.timezone))
    now = rt.clock.now()
    completion_id = uuid.uuid4()
    inserted = await session.execute(
        _insert_statement(session.get_bind().dialect.name),
        {
            "id": completion_id,
            "user_id": member.user_id,
            "client_id": body.id,
            "challenge_id": body.challenge_id,
            "completed_at": at,
            "local_date": local.date(),
            "local_hour": local.hour,
            "created_at": now,
            **fields,
        },
    )
    if inserted.scalar() is None:
        return await _replayed(session, rt, member, body.id)
    progress = await streaks.advance(
        session,
        member.user_id,
        local.date(),
        now,
        category=fields["goal_category"],
        energy=fields["energy_level"],
    )
    state = progress.state
    event = Event(
        "completion",
        category=fields["goal_category"],
        energy=fields["energy_level"],
        hour=local.hour,
        total=progress.total,
        longest=state.longest,
        day_count=progress.day_count,
        categories=progress.categories,
        energies=progress.energies,
    )
    unlocked = await achievements.evaluate(session, rt, member, event)
    forget(
        session,
        rt.cache,
        streak_key(member.user_id),
        stats_key(member.user_id),
        *(history_key(member.user_id, limit) for limit in HISTORY_CACHED_LIMITS),
    )
    if rt.analytics is not None:
        rt.analytics.count(member.app.name, "challenge_completed")
    item = CompletionRead(
        id=completion_id,
        client_id=body.id,
        challenge_id=body.challenge_id,
        completed_at=at,
        local_date=local.date(),
        **fields,
    )
    return CompletionResult(
        item=item,
        streak=streaks.read(state, member, rt),
        achievements_unlocked=unlocked,
        created=True,
    )


async def _replayed(
    session: AsyncSession, rt: Runtime, member: Member, client_id: uuid.UUID | None
) -> CompletionResult:
    """A retry of a completion already stored: the same item, nothing counted twice."""
    data = UserData(session, member.user_id)
    stored = await data.by_client_id(client_id) if client_id is not None else None
    if stored is None:
        raise NotFound("The completion was removed meanwhile")
    progress = await data.progress()
    state = (
        StreakState(progress.current_streak, progress.longest_streak, progress.last_completed_date)
        if progress
        else StreakState()
    )
    return CompletionResult(
        item=CompletionRead.model_validate(stored),
        streak=streaks.read(state, member, rt),
        achievements_unlocked=[],
        created=False,
    )


# History


async def history(db: Database, rt: Runtime, member: Member, params: CursorParams) -> bytes:
    """A page of the history as JSON. The first page is cached for a minute (every completion
    drops it): it is what the app shows each time it opens, and a hit opens no session."""
    cacheable = params.cursor is None and params.limit in HISTORY_CACHED_LIMITS
    key = history_key(member.user_id, params.limit)
    if cacheable and (hit := await rt.cache.get(key)) is not None:
        return hit
    columns: list[Any] = [Completion.completed_at, Completion.id]
    async with unit_of_work(db, write=False) as session:
        statement = UserData(session, member.user_id).completions()
        rows = list(
            await session.scalars(keyset_page(statement, columns, params, [datetime, uuid.UUID]))
        )
    page, cursor = cursor_page(rows, params, lambda c: (c.completed_at, str(c.id)))
    body = (
        HistoryPage(items=[CompletionRead.model_validate(c) for c in page], next_cursor=cursor)
        .model_dump_json()
        .encode()
    )
    if cacheable:
        await rt.cache.set(key, body, HISTORY_TTL_S)
    return body


async def history_on(session: AsyncSession, member: Member, day: date) -> list[CompletionRead]:
    """The completions of one local day (each keeps the local date it was made on, so a trip
    across timezones shows them on the days they happened)."""
    rows = await session.scalars(
        UserData(session, member.user_id)
        .completions()
        .where(Completion.local_date == day)
        .order_by(Completion.completed_at)
    )
    return [CompletionRead.model_validate(c) for c in rows]


# Suggestions


async def suggest(
    session: AsyncSession,
    rt: Runtime,
    member: Member,
    energy: str | None,
    category: str | None,
) -> SuggestionRead:
    """Seed 000's "AI challenge generation": a catalog challenge fitted to the requested energy
    level and category (else the user's favourite categories), not done in the last 7 days,
    with a message phrased by the AI provider when one is configured."""
    data = UserData(session, member.user_id)
    week_ago = member.today(rt.clock) - timedelta(days=7)
    recent = set(
        await session.scalars(
            select(Completion.challenge_id).where(
                Completion.user_id == member.user_id,
                Completion.local_date > week_ago,
                Completion.challenge_id.is_not(None),
            )
        )
    )
    favourites = await data.count_by(Completion.goal_category)
    pool = await CatalogRepository(session).active(category, energy)
    if not pool:
        raise NotFound("No challenge matches that energy level and category")
    fresh = [c for c in pool if c.id not in recent] or pool  # all done lately: any of them

    def rank(challenge: Challenge) -> tuple[int, str]:
        # Favourite categories first when the caller named none; a daily rotation inside them.
        liked = 0 if category else -favourites.get(challenge.goal_category, 0)
        spin = hashlib.sha256(f"{member.user_id}:{rt.clock.now().date()}:{challenge.id}".encode())
        return liked, spin.hexdigest()

    chosen = min(fresh, key=rank)
    facts = {
        "name": member.name,
        "title": chosen.title,
        "description": chosen.description,
        "duration": chosen.duration,
        "energy": energy or chosen.energy_level,
        "category": chosen.goal_category,
        "favourite": max(favourites, key=favourites.__getitem__) if favourites else None,
    }
    request = TextRequest(
        "corpfinity.suggestion",
        (
            ChatMessage(
                "system",
                "You are a warm workplace-wellness coach. In two short sentences, invite the "
                "user to try the given challenge, saying why it suits their energy right now. "
                f"Answer in the language with code {member.language}.",
            ),
            ChatMessage(
                "user",
                f"Challenge: {chosen.title} ({chosen.duration}): {chosen.description}. "
                f"Energy level: {facts['energy']}. Category: {chosen.goal_category}.",
            ),
        ),
        facts=facts,
        language=member.language,
        max_tokens=120,
        seed=int(hashlib.sha256(f"{member.user_id}:{chosen.id}".encode()).hexdigest()[:8], 16),
    )
    generation = await rt.ai.generate(member.app.name, request, subject=chosen.id)
    return SuggestionRead(
        challenge=ChallengeRead.model_validate(chosen),
        message=generation.text,
        source=generation.source,
    )
