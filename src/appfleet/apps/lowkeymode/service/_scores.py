"""Quiet scores and the anonymous leaderboard.

A score updates the user's standing for all time, its UTC day and its ISO week in the same
statement that stores it, so reading a board is an index scan over standings, never an
aggregate over every score. A board is cached for a few seconds as a snapshot: its top, and
every participant's average, sorted. The caller's own standing (their average, read through the
cache and forgotten by their own scores and profile changes, the only things that change it)
is ranked against the snapshot by binary search, so a board read costs the same with
a hundred participants or a hundred thousand; counting the rows ahead of the caller would cost
one index entry per participant ahead, on every read. Equal averages share a rank. Until the
snapshot is refreshed, a caller whose own average just changed may be ranked one place off.
"""

from __future__ import annotations

import struct
import uuid
from array import array
from bisect import bisect_left
from datetime import timedelta
from typing import Any

import orjson
from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.lowkeymode.models import BoardEntry, Profile, QuietScore
from appfleet.apps.lowkeymode.schemas import (
    Period,
    QuietScoreCreate,
    QuietScoreRead,
)
from appfleet.apps.lowkeymode.service import _profiles
from appfleet.apps.lowkeymode.service._common import (
    ALL_TIME,
    BOARD_PREFIX,
    BOARD_TTL_S,
    STANDING_TTL_S,
    Lowkey,
    day_period,
    period_key,
    standing_key,
    standing_keys,
    week_period,
)
from appfleet.core.clock import plausible
from appfleet.core.database import Database, insert, unit_of_work
from appfleet.core.errors import ValidationFailed
from appfleet.runtime.cache import ParsedOnce, forget_after_commit, read_through

BACKDATE = timedelta(days=7)  # a phone offline for a week still gets its scores counted
B = BoardEntry.__table__.c
MAX_BOARD = 100  # the most a request may show
_HEAD = struct.Struct("<I")  # the length of the snapshot's JSON part


async def submit(
    session: AsyncSession, lk: Lowkey, user_id: uuid.UUID, body: QuietScoreCreate
) -> QuietScoreRead:
    now = lk.clock.now()
    at = plausible(body.recorded_at, now, BACKDATE)
    if at is None:
        raise ValidationFailed(
            "recorded_at must not be in the future nor more than 7 days ago",
            details={"field": "recorded_at"},
        )
    await _profiles.ensure(session, lk, user_id)  # the board shows their pseudonym
    score = QuietScore(user_id=user_id, db_level=body.db_level, recorded_at=at, created_at=now)
    session.add(score)
    level = body.db_level
    rows = [
        {
            "period": period,
            "user_id": user_id,
            "sessions": 1,
            "total_db": level,
            "mean_db": float(level),
            "best_db": level,
            "updated_at": now,
        }
        for period in (ALL_TIME, day_period(at), week_period(at))
    ]
    upsert = insert(session, BoardEntry.__table__).values(rows)
    new = upsert.excluded
    await session.execute(
        upsert.on_conflict_do_update(
            index_elements=["period", "user_id"],
            set_={
                "sessions": B.sessions + 1,
                "total_db": B.total_db + new.total_db,
                "mean_db": (B.total_db + new.total_db) * 1.0 / (B.sessions + 1),
                "best_db": case((new.best_db < B.best_db, new.best_db), else_=B.best_db),
                "updated_at": new.updated_at,
            },
        )
    )
    await session.flush()
    forget_after_commit(session, lk.cache, *standing_keys(user_id, at))
    return QuietScoreRead(id=score.id, db_level=score.db_level, recorded_at=at)


def _listed(period: str) -> Any:
    """Standings of listed users in a period, as plain rows (no ORM objects: a board is read
    far more often than written)."""
    return (
        select(B.mean_db, B.best_db, B.sessions, Profile.pseudonym)
        .join(Profile, Profile.user_id == B.user_id)
        .where(B.period == period, Profile.listed.is_(True))
    )


def _row(rank: int, mean_db: float, best_db: int, sessions: int, pseudonym: str) -> dict[str, Any]:
    return {
        "rank": rank,
        "pseudonym": pseudonym,
        "mean_db": round(mean_db, 1),
        "best_db": best_db,
        "sessions": sessions,
    }


async def _snapshot(session: AsyncSession, period: str) -> bytes:
    """The board as cached: its top (as many as any request may ask for) and the average of
    every listed participant, sorted, from which anyone's rank is a binary search."""
    ranked = _listed(period).add_columns(func.rank().over(order_by=B.mean_db))
    order = (B.mean_db, B.sessions.desc(), B.user_id)  # more sessions first among equals
    rows = await session.execute(ranked.order_by(*order).limit(MAX_BOARD))
    entries = [_row(int(rank), *standing) for *standing, rank in rows]
    means = await session.scalars(
        select(BoardEntry.mean_db)
        .join(Profile, Profile.user_id == BoardEntry.user_id)
        .where(BoardEntry.period == period, Profile.listed.is_(True))
        .order_by(BoardEntry.mean_db)
    )
    head = orjson.dumps(entries)
    return _HEAD.pack(len(head)) + head + array("d", means).tobytes()


def _unpack(blob: bytes) -> tuple[list[dict[str, Any]], array[float]]:
    (size,) = _HEAD.unpack_from(blob)
    start = _HEAD.size
    means = array("d")
    means.frombytes(blob[start + size :])
    return orjson.loads(blob[start : start + size]), means


_unpacked = ParsedOnce(_unpack)  # every request between refreshes gets the same bytes


async def _standing(session: AsyncSession, period: str, user_id: uuid.UUID) -> bytes:
    """The user's own standing for a period as JSON (`null`: not on that board)."""
    found = (await session.execute(_listed(period).where(B.user_id == user_id))).first()
    if found is None:
        return b"null"
    mean_db, best_db, sessions, pseudonym = found
    return orjson.dumps(
        {"mean_db": mean_db, "best_db": best_db, "sessions": sessions, "pseudonym": pseudonym}
    )


async def leaderboard(
    db: Database, lk: Lowkey, user_id: uuid.UUID, period: Period, limit: int
) -> bytes:
    """A board as JSON: its top, from a snapshot refreshed every few seconds, and the caller's
    own standing, read live and ranked against the snapshot (competition ranking: one more
    than the participants with a lower average)."""
    key, starts = period_key(period, lk.clock.now())

    async def load() -> bytes:
        async with unit_of_work(db, write=False) as session:
            return await _snapshot(session, key)

    async def own() -> bytes:
        async with unit_of_work(db, write=False) as session:
            return await _standing(session, key, user_id)

    cached = await read_through(lk.cache, standing_key(user_id, key), STANDING_TTL_S, own)
    mine = orjson.loads(cached or await own())
    snapshot = await read_through(lk.cache, f"{BOARD_PREFIX}{key}", BOARD_TTL_S, load)
    entries, means = _unpacked(snapshot or await load())
    me = None
    if mine is not None:
        rank = bisect_left(means, mine["mean_db"]) + 1
        me = {**mine, "rank": rank, "mean_db": round(mine["mean_db"], 1)}
    return orjson.dumps(
        {
            "period": period,
            "starts": starts,
            "entries": entries[:limit],
            "participants": len(means),
            "me": me,
        }
    )
