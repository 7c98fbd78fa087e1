"""Data some scenarios need in bulk, written straight into the bench server's database (a
hundred thousand scores through the API would take minutes of a bench run)."""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert, select

from appfleet.apps.fitnudge.models import Like, Post
from appfleet.apps.lowkeymode.models import BoardEntry, Profile, QuietScore
from appfleet.apps.lowkeymode.service._common import ALL_TIME, day_period, week_period
from appfleet.core.database import Database, unit_of_work
from appfleet.core.settings import DatabaseSettings
from appfleet.platform.users.models import User

BOARD_USERS = 5_000
SCORES_EACH = 20  # 100,000 scores
_BATCH = 2_000


def _people(now: datetime) -> tuple[list[dict[str, object]], ...]:
    rng = random.Random(2026)
    users, profiles, scores = [], [], []
    board: dict[tuple[str, uuid.UUID], list[int]] = {}
    for n in range(BOARD_USERS):
        user_id = uuid.UUID(int=rng.getrandbits(128))
        users.append(
            {
                "id": user_id,
                "identity_group": "shared",
                "name": f"Bench {n}",
                "created_at": now,
                "updated_at": now,
            }
        )
        name = f"Bench Sitter {n}"
        profiles.append(
            {
                "user_id": user_id,
                "pseudonym": name,
                "pseudonym_key": name.lower(),
                "listed": True,
                "ambassador": False,
                "created_at": now,
                "updated_at": now,
            }
        )
        for _ in range(SCORES_EACH):
            at = now - timedelta(seconds=rng.randrange(7 * 86_400))
            level = rng.randrange(15, 90)
            scores.append(
                {
                    "id": uuid.UUID(int=rng.getrandbits(128)),
                    "user_id": user_id,
                    "db_level": level,
                    "recorded_at": at,
                    "created_at": now,
                }
            )
            for period in (ALL_TIME, day_period(at), week_period(at)):
                board.setdefault((period, user_id), []).append(level)
    entries = [
        {
            "period": period,
            "user_id": user_id,
            "sessions": len(levels),
            "total_db": sum(levels),
            "mean_db": sum(levels) / len(levels),
            "best_db": min(levels),
            "updated_at": now,
        }
        for (period, user_id), levels in board.items()
    ]
    return users, profiles, scores, entries


async def _seed_board(url: str) -> None:
    db = Database(url, DatabaseSettings(statement_timeout_ms=0))  # a bulk load, not a request
    try:
        async with unit_of_work(db) as session:
            # A previous run's sitters go first: their day and week would be over by now.
            earlier = select(Profile.user_id).where(Profile.pseudonym.like("Bench Sitter %"))
            await session.execute(delete(User).where(User.id.in_(earlier)))
            now = datetime.now(UTC)
            for model, rows in zip(
                (User, Profile, QuietScore, BoardEntry), _people(now), strict=True
            ):
                for start in range(0, len(rows), _BATCH):
                    await session.execute(insert(model.__table__), rows[start : start + _BATCH])
    finally:
        await db.dispose()


def seed_board(database_url: str) -> None:
    """5,000 listed sitters with 20 scores each over the last seven days."""
    asyncio.run(_seed_board(database_url))


WALL_POSTS = 10_000
WALL_AUTHORS = 200


async def _seed_wall(url: str) -> None:
    db = Database(url, DatabaseSettings(statement_timeout_ms=0))
    try:
        async with unit_of_work(db) as session:
            earlier = select(User.id).where(User.name.like("Bench Poster %"))
            await session.execute(delete(User).where(User.id.in_(earlier)))
            rng, now = random.Random(2027), datetime.now(UTC)
            authors = [uuid.UUID(int=rng.getrandbits(128)) for _ in range(WALL_AUTHORS)]
            users = [
                {
                    "id": a,
                    "identity_group": "fitnudge",
                    "name": f"Bench Poster {n}",
                    "created_at": now,
                    "updated_at": now,
                }
                for n, a in enumerate(authors)
            ]
            posts, likes = [], []
            for n in range(WALL_POSTS):
                post_id = uuid.UUID(int=rng.getrandbits(128))
                fans = rng.sample(authors, rng.randrange(0, 8))
                posts.append(
                    {
                        "id": post_id,
                        "user_id": rng.choice(authors),
                        "text": f"Workout {n}: {rng.choice(['legs', 'push', 'pull', 'run'])} done",
                        "like_count": len(fans),
                        "flag_count": 0,
                        "status": "visible",
                        "created_at": now - timedelta(seconds=WALL_POSTS - n),
                    }
                )
                likes += [{"post_id": post_id, "user_id": f, "created_at": now} for f in fans]
            for model, rows in ((User, users), (Post, posts), (Like, likes)):
                for start in range(0, len(rows), _BATCH):
                    await session.execute(insert(model.__table__), rows[start : start + _BATCH])
    finally:
        await db.dispose()


def seed_wall(database_url: str) -> None:
    """10,000 posts by 200 people, with up to 7 likes each."""
    asyncio.run(_seed_wall(database_url))


SEARCH_POSTS = 90_000  # with the wall's 10,000: a hundred thousand
_VOCABULARY = (
    "leg day push pull run sprint squat deadlift bench press row curl plank yoga stretch "
    "mobility cardio hiit cycle swim walk hike climb box kettlebell rope jump lunge burpee "
    "morning evening tired strong sore happy proud slow fast heavy light new record rest "
    "recovery protein coffee friends gym park track trail pool home outside rain sun cold "
    "warm minutes miles reps sets week goal streak coach music podcast shoes knee back core"
).split()


async def _seed_search(url: str) -> None:
    db = Database(url, DatabaseSettings(statement_timeout_ms=0))
    try:
        async with unit_of_work(db) as session:
            earlier = select(User.id).where(User.name.like("Bench Searcher %"))
            await session.execute(delete(User).where(User.id.in_(earlier)))
            rng, now = random.Random(2028), datetime.now(UTC)
            authors = [uuid.UUID(int=rng.getrandbits(128)) for _ in range(500)]
            users = [
                {
                    "id": a,
                    "identity_group": "fitnudge",
                    "name": f"Bench Searcher {n}",
                    "created_at": now,
                    "updated_at": now,
                }
                for n, a in enumerate(authors)
            ]
            posts = [
                {
                    "id": uuid.UUID(int=rng.getrandbits(128)),
                    "user_id": rng.choice(authors),
                    "text": " ".join(rng.choices(_VOCABULARY, k=rng.randrange(6, 16))),
                    "like_count": rng.randrange(0, 40),
                    "flag_count": 0,
                    "status": "visible",
                    "created_at": now - timedelta(minutes=rng.randrange(0, 90 * 24 * 60)),
                }
                for _ in range(SEARCH_POSTS)
            ]
            for model, rows in ((User, users), (Post, posts)):
                for start in range(0, len(rows), _BATCH):
                    await session.execute(insert(model.__table__), rows[start : start + _BATCH])
        if url.startswith("postgresql"):
            async with db.engine.connect() as connection:
                await connection.exec_driver_sql("ANALYZE fitnudge_post")
    finally:
        await db.dispose()


def seed_search(database_url: str) -> None:
    """90,000 more posts (a hundred thousand with the wall's) of workout words, over 90 days."""
    asyncio.run(_seed_search(database_url))
