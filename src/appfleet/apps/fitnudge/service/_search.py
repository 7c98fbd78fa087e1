"""Search (seed 001): posts by full text — PostgreSQL's tsvector with a GIN index and ts_rank,
SQLite's FTS5 with bm25 in embedded mode — ranked by `ranking.score`; the caller's own goals
and FitNudge's people by name; suggestions from popular searches, people and workout kinds.
Each search and click is counted per term (the popular terms suggestions come from).

A term matching a large share of the wall is ranked among its newest CANDIDATES matches: past
30 days recency adds nothing, so older matches only win on relevance and likes, and scoring
every match of a common word would make one search cost as much as a table scan."""

from __future__ import annotations

import asyncio
import time
import uuid
import weakref
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.fitnudge.models import Goal, SearchTerm
from appfleet.apps.fitnudge.ranking import Candidate, score, words
from appfleet.apps.fitnudge.service._common import SEARCH_PREFIX, Coach
from appfleet.core.database import Database, insert, unit_of_work
from appfleet.core.errors import ValidationFailed
from appfleet.core.logging import get_logger
from appfleet.platform.users.models import Membership, User
from appfleet.runtime.cache import read_through

log = get_logger("appfleet.fitnudge.search")
CANDIDATES = 1000
CACHED_PAGES = 5
SEARCH_TTL_S = 60
PAGE_SIZE = 20
MAX_PAGE = 50
KINDS = (
    "strength",
    "cardio",
    "running",
    "cycling",
    "swimming",
    "yoga",
    "hiit",
    "mobility",
    "walking",
    "stretching",
    "climbing",
    "boxing",
)

_PG_POSTS = text(
    """
    SELECT p.id, p.user_id, p.text, p.like_count, p.created_at,
           ts_rank(p.search, to_tsquery('simple', :query)) AS text_rank
    FROM fitnudge_post p
    WHERE p.status = 'visible' AND p.search @@ to_tsquery('simple', :query)
    ORDER BY p.created_at DESC
    LIMIT :candidates
    """
)
# bm25 is negative, lower being better; -b / (1 - b) puts it in [0, 1) like ts_rank.
_SQLITE_POSTS = text(
    """
    SELECT p.id, p.user_id, p.text, p.like_count, p.created_at,
           -bm25(fitnudge_post_fts) / (1 - bm25(fitnudge_post_fts)) AS text_rank
    FROM fitnudge_post_fts JOIN fitnudge_post p ON p.id = fitnudge_post_fts.post_id
    WHERE fitnudge_post_fts MATCH :query AND p.status = 'visible'
    ORDER BY p.created_at DESC
    LIMIT :candidates
    """
)


def _engine_query(dialect: str, terms: list[str]) -> str:
    """All words must match; the last one as a prefix (people search as they type)."""
    if dialect == "postgresql":
        return " & ".join([*terms[:-1], f"{terms[-1]}:*"])
    return " ".join([*(f'"{t}"' for t in terms[:-1]), f'"{terms[-1]}"*'])


def _checked(q: str) -> list[str]:
    terms = words(q)
    if not terms or len(" ".join(terms)) < 2:
        raise ValidationFailed("Search for at least two letters", details={"field": "q"})
    return terms


def _paged(ranked: list[Any], page: int) -> list[Any]:
    start = (page - 1) * PAGE_SIZE
    return ranked[start : start + PAGE_SIZE]


async def _ranked_page(
    db: Database, coach: Coach, terms: list[str], page: int, size: int
) -> dict[str, Any]:
    """The ranked matches from `page` on (`size` of them) and how many matched."""
    now, q = coach.clock.now(), " ".join(terms)
    async with unit_of_work(db, write=False) as session:
        dialect = session.get_bind().dialect.name
        statement = _PG_POSTS if dialect == "postgresql" else _SQLITE_POSTS
        rows = list(
            await session.execute(
                statement, {"query": _engine_query(dialect, terms), "candidates": CANDIDATES}
            )
        )
        ranked = _ranked(rows, q, now)
        start = (page - 1) * PAGE_SIZE
        shown = ranked[start : start + size]
        names = await _names(session, {r.user_id for _, r in shown})
    results = [
        {
            "id": str(_uuid(r.id)),
            "text": r.text,
            "author": {"id": str(_uuid(r.user_id)), "name": names.get(_uuid(r.user_id), "")},
            "like_count": r.like_count,
            "created_at": _aware(r.created_at).isoformat().replace("+00:00", "Z"),
            "score": round(s, 4),
        }
        for s, r in shown
    ]
    return {"total": len(ranked), "results": results}


async def posts(
    db: Database, coach: Coach, user_id: uuid.UUID, q: str, page: int
) -> dict[str, Any]:
    """The first CACHED_PAGES pages of a query come from its ranking cached for a minute (a
    deleted post leaves it at once; a new one joins within the minute, as search indexes
    refresh); later pages are ranked on each request."""
    terms = _checked(q)
    _count(db, coach, terms, searched=1)
    if page > CACHED_PAGES:
        found = await _ranked_page(db, coach, terms, page, PAGE_SIZE)
    else:

        async def load() -> bytes:
            top = await _ranked_page(db, coach, terms, 1, CACHED_PAGES * PAGE_SIZE)
            return orjson.dumps(top)

        key = f"{SEARCH_PREFIX}{' '.join(terms)}"
        top = orjson.loads(await read_through(coach.cache, key, SEARCH_TTL_S, load) or await load())
        start = (page - 1) * PAGE_SIZE
        found = {"total": top["total"], "results": top["results"][start : start + PAGE_SIZE]}
    return {"query": " ".join(terms), "page": page, **found}


def _ranked(rows: list[Any], q: str, now: datetime) -> list[tuple[float, Any]]:
    scored = [
        (
            score(
                Candidate(float(r.text_rank or 0), r.text, _aware(r.created_at), r.like_count),
                q,
                now,
            ),
            r,
        )
        for r in rows
    ]
    return sorted(scored, key=lambda pair: (-pair[0], -_aware(pair[1].created_at).timestamp()))


def _uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _aware(value: Any) -> datetime:
    """Raw SQL bypasses the ORM's UTC type: SQLite hands back text, PostgreSQL aware times."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


async def _names(session: AsyncSession, ids: set[Any]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    found = await session.execute(
        select(User.id, User.name).where(User.id.in_([_uuid(i) for i in ids]))
    )
    return {user_id: name for user_id, name in found}


async def goals(
    db: Database, coach: Coach, user_id: uuid.UUID, q: str, page: int
) -> dict[str, Any]:
    """The caller's own goals whose title holds every word (nobody searches others' goals)."""
    terms = _checked(q)
    now = coach.clock.now()
    async with unit_of_work(db, write=False) as session:
        query = select(Goal).where(Goal.user_id == user_id)
        for term in terms:
            query = query.where(func.lower(Goal.title).contains(term, autoescape=True))
        found = list(await session.scalars(query.limit(CANDIDATES)))
    ranked = sorted(
        ((score(Candidate(1.0, g.title, g.created_at), q, now), g) for g in found),
        key=lambda pair: (-pair[0], pair[1].title),
    )
    _count(db, coach, terms, searched=1)
    return {
        "query": " ".join(terms),
        "page": page,
        "total": len(ranked),
        "results": [
            {
                "id": str(g.id),
                "title": g.title,
                "frequency": g.frequency,
                "active": g.active,
                "score": round(s, 4),
            }
            for s, g in _paged(ranked, page)
        ],
    }


async def people(db: Database, coach: Coach, app: str, q: str, page: int) -> dict[str, Any]:
    """FitNudge's people whose name holds every word (names only: never an email)."""
    terms = _checked(q)
    async with unit_of_work(db, write=False) as session:
        query = (
            select(User.id, User.name)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.app == app, User.is_active.is_(True), User.deleted_at.is_(None))
        )
        for term in terms:
            query = query.where(func.lower(User.name).contains(term, autoescape=True))
        found = list(await session.execute(query.order_by(User.name, User.id).limit(CANDIDATES)))
    _count(db, coach, terms, searched=1)
    phrase = " ".join(terms)
    ranked = sorted(found, key=lambda r: (not r.name.lower().startswith(phrase), r.name.lower()))
    return {
        "query": phrase,
        "page": page,
        "total": len(ranked),
        "results": [{"id": str(r.id), "name": r.name} for r in _paged(ranked, page)],
    }


async def suggestions(db: Database, app: str, q: str) -> list[dict[str, str]]:
    """Autocomplete: popular searches starting with the text, people, and workout kinds."""
    terms = _checked(q)
    prefix = " ".join(terms)
    async with unit_of_work(db, write=False) as session:
        popular = await session.scalars(
            select(SearchTerm.term)
            .where(SearchTerm.term.startswith(prefix, autoescape=True))
            .order_by(SearchTerm.searches.desc(), SearchTerm.term)
            .limit(3)
        )
        named = await session.scalars(
            select(User.name)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.app == app,
                User.is_active.is_(True),
                func.lower(User.name).startswith(prefix, autoescape=True),
            )
            .order_by(User.name)
            .limit(2)
        )
        found = [{"kind": "search", "text": t} for t in popular]
        found += [{"kind": "user", "text": n} for n in named]
    found += [{"kind": "category", "text": k} for k in KINDS if k.startswith(prefix)][:2]
    return found[:5]


async def click(db: Database, coach: Coach, q: str) -> None:
    _count(db, coach, _checked(q), clicked=1)


class _Counts:
    """Search and click counts per term, buffered in this process and written together at
    most every FLUSH_S: every search of a popular term updating its one row would queue all
    of them behind that row's lock. A crash loses at most FLUSH_S of counts."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.pending: dict[str, list[int]] = {}
        self.flushed_at = float("-inf")
        self.task: asyncio.Task[None] | None = None

    def add(self, coach: Coach, term: str, searched: int, clicked: int) -> None:
        counts = self.pending.setdefault(term, [0, 0])
        counts[0] += searched
        counts[1] += clicked
        due = time.monotonic() - self.flushed_at >= FLUSH_S
        if due and (self.task is None or self.task.done()):
            self.flushed_at = time.monotonic()
            self.task = asyncio.create_task(self.flush(coach.clock.now()))

    async def flush(self, now: datetime) -> None:
        pending, self.pending = self.pending, {}
        if not pending:
            return
        try:
            async with unit_of_work(self.db) as session:
                for term, (searched, clicked) in sorted(pending.items()):
                    statement = insert(session, SearchTerm.__table__).values(
                        term=term, searches=searched, clicks=clicked, last_at=now
                    )
                    await session.execute(
                        statement.on_conflict_do_update(
                            index_elements=["term"],
                            set_={
                                "searches": SearchTerm.searches + searched,
                                "clicks": SearchTerm.clicks + clicked,
                                "last_at": now,
                            },
                        )
                    )
        except Exception as exc:  # analytics must never fail a search
            log.warning("search_counts_lost", terms=len(pending), error=str(exc)[:200])


# One buffer per database (a process serves one; tests make many).
_counts: weakref.WeakKeyDictionary[Database, _Counts] = weakref.WeakKeyDictionary()
FLUSH_S = 5.0


def _buffer(db: Database) -> _Counts:
    found = _counts.get(db)
    if found is None:
        found = _counts[db] = _Counts(db)
    return found


def _count(
    db: Database, coach: Coach, terms: list[str], *, searched: int = 0, clicked: int = 0
) -> None:
    """Count a search or a click of its results for the term (seed 001's search analytics)."""
    _buffer(db).add(coach, " ".join(terms)[:100], searched, clicked)


async def flush_counts(db: Database, now: datetime) -> None:
    """Write the buffered counts now (tests, and a process shutting down)."""
    counts = _buffer(db)
    if counts.task is not None:
        await counts.task
    await counts.flush(now)
