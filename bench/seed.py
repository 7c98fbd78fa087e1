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
Rows = list[dict[str, object]]


def _users(ids: list[uuid.UUID], group: str, name: str, now: datetime) -> Rows:
    """Accounts for seeded rows, named `name` + a number (how the next run finds them)."""
    return [
        {
            "id": i,
            "identity_group": group,
            "name": f"{name} {n}",
            "created_at": now,
            "updated_at": now,
        }
        for n, i in enumerate(ids)
    ]


def _load(url: str, name: str, tables: list[tuple[type, Rows]], analyze: str = "") -> None:
    """Replace a previous run's seeded accounts (their rows go by cascade) with `tables`,
    in batches, outside any request's statement timeout."""

    async def run() -> None:
        db = Database(url, DatabaseSettings(statement_timeout_ms=0))
        try:
            async with unit_of_work(db) as session:
                earlier = select(User.id).where(User.name.like(f"{name} %"))
                await session.execute(delete(User).where(User.id.in_(earlier)))
                for model, rows in tables:
                    for start in range(0, len(rows), _BATCH):
                        chunk = rows[start : start + _BATCH]
                        await session.execute(insert(model.__table__), chunk)  # type: ignore[attr-defined]
            if analyze and url.startswith("postgresql"):
                async with db.engine.connect() as connection:
                    await connection.exec_driver_sql(f"ANALYZE {analyze}")
        finally:
            await db.dispose()

    asyncio.run(run())


def _sitters(now: datetime) -> list[tuple[type, Rows]]:
    rng = random.Random(2026)
    ids: list[uuid.UUID] = []
    profiles: Rows = []
    scores: Rows = []
    board: dict[tuple[str, uuid.UUID], list[int]] = {}
    for n in range(BOARD_USERS):
        user_id = uuid.UUID(int=rng.getrandbits(128))
        ids.append(user_id)
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
    users = _users(ids, "shared", "Bench Sitter", now)
    return [(User, users), (Profile, profiles), (QuietScore, scores), (BoardEntry, entries)]


def seed_board(database_url: str) -> None:
    """5,000 listed sitters with 20 scores each over the last seven days (a previous run's go
    first: their day and week would be over by now)."""
    _load(database_url, "Bench Sitter", _sitters(datetime.now(UTC)))


WALL_POSTS = 10_000
WALL_AUTHORS = 200


def seed_wall(database_url: str) -> None:
    """10,000 posts by 200 people, with up to 7 likes each."""
    rng, now = random.Random(2027), datetime.now(UTC)
    authors = [uuid.UUID(int=rng.getrandbits(128)) for _ in range(WALL_AUTHORS)]
    posts: Rows = []
    likes: Rows = []
    for n in range(WALL_POSTS):
        post_id = uuid.UUID(int=rng.getrandbits(128))
        fans = rng.sample(authors, rng.randrange(0, 8))
        text = f"Workout {n}: {rng.choice(['legs', 'push', 'pull', 'run'])} done"
        posts.append(
            _post(
                post_id,
                rng.choice(authors),
                text,
                len(fans),
                now - timedelta(seconds=WALL_POSTS - n),
            )
        )
        likes += [{"post_id": post_id, "user_id": f, "created_at": now} for f in fans]
    users = _users(authors, "fitnudge", "Bench Poster", now)
    _load(database_url, "Bench Poster", [(User, users), (Post, posts), (Like, likes)])


def _post(
    post_id: uuid.UUID, author: uuid.UUID, text: str, likes: int, at: datetime
) -> dict[str, object]:
    return {
        "id": post_id,
        "user_id": author,
        "text": text,
        "like_count": likes,
        "flag_count": 0,
        "status": "visible",
        "created_at": at,
    }


SEARCH_POSTS = 90_000  # with the wall's 10,000: a hundred thousand
_VOCABULARY = (
    "leg day push pull run sprint squat deadlift bench press row curl plank yoga stretch "
    "mobility cardio hiit cycle swim walk hike climb box kettlebell rope jump lunge burpee "
    "morning evening tired strong sore happy proud slow fast heavy light new record rest "
    "recovery protein coffee friends gym park track trail pool home outside rain sun cold "
    "warm minutes miles reps sets week goal streak coach music podcast shoes knee back core"
).split()


def seed_search(database_url: str) -> None:
    """90,000 more posts (a hundred thousand with the wall's) of workout words, over 90 days."""
    rng, now = random.Random(2028), datetime.now(UTC)
    authors = [uuid.UUID(int=rng.getrandbits(128)) for _ in range(500)]
    posts = [
        _post(
            uuid.UUID(int=rng.getrandbits(128)),
            rng.choice(authors),
            " ".join(rng.choices(_VOCABULARY, k=rng.randrange(6, 16))),
            rng.randrange(0, 40),
            now - timedelta(minutes=rng.randrange(0, 90 * 24 * 60)),
        )
        for _ in range(SEARCH_POSTS)
    ]
    users = _users(authors, "fitnudge", "Bench Searcher", now)
    _load(database_url, "Bench Searcher", [(User, users), (Post, posts)], analyze="fitnudge_post")


LEDGER_SIZE = 10_000


def seed_ledger(database_url: str, user_id: uuid.UUID) -> None:
    """10,000 transactions over two years for one PennyWise member (theirs replaced)."""
    from appfleet.apps.pennywise.models import Transaction
    from appfleet.apps.pennywise.service._common import default_categories

    categories = [c["id"] for c in default_categories()]
    rng, now = random.Random(2029), datetime.now(UTC)
    today = now.date()
    rows: Rows = [
        {
            "id": uuid.UUID(int=rng.getrandbits(128)),
            "user_id": user_id,
            "category_id": rng.choice(categories),
            "amount_minor": rng.choice((-1, -1, -1, 1)) * rng.randrange(100, 50_000),
            "currency": "USD",
            "description": rng.choice(("Coffee", "Groceries", "Rent", "Taxi", "Salary", "Books")),
            "occurred_on": today - timedelta(days=rng.randrange(0, 730)),
            "client_id": None,
            "created_at": now,
            "updated_at": now,
        }
        for _ in range(LEDGER_SIZE)
    ]

    async def run() -> None:
        db = Database(database_url, DatabaseSettings(statement_timeout_ms=0))
        try:
            async with unit_of_work(db) as session:
                await session.execute(delete(Transaction).where(Transaction.user_id == user_id))
                for start in range(0, len(rows), _BATCH):
                    await session.execute(
                        insert(Transaction.__table__), rows[start : start + _BATCH]
                    )
            if database_url.startswith("postgresql"):
                async with db.engine.connect() as connection:
                    await connection.exec_driver_sql("ANALYZE pennywise_transaction")
        finally:
            await db.dispose()

    asyncio.run(run())
