from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text

from appfleet.core.database import Database, after_commit, async_url, unit_of_work
from appfleet.core.idempotency.models import IdempotencyRecord
from appfleet.core.secrets import ConfigurationError
from appfleet.core.settings import DatabaseSettings

pytestmark = pytest.mark.anyio


def record(key: str, at: datetime) -> IdempotencyRecord:
    return IdempotencyRecord(
        app="t", principal="p", key=key, request_hash="h", created_at=at, expires_at=at
    )


def test_urls_are_mapped_to_async_drivers() -> None:
    assert async_url("postgres://u@h/db").drivername == "postgresql+asyncpg"
    assert async_url("postgresql://u@h/db").drivername == "postgresql+asyncpg"
    assert async_url("sqlite:///x.db").drivername == "sqlite+appfleet"
    with pytest.raises(ConfigurationError, match="DATABASE_URL: unsupported database 'mysql'"):
        async_url("mysql://u@h/db")


async def test_datetimes_come_back_aware_utc(database: Database) -> None:
    tokyo = datetime(2026, 5, 1, 9, 0, tzinfo=timezone(timedelta(hours=9)))
    async with unit_of_work(database) as session:
        session.add(record("tz", tokyo))
    async with unit_of_work(database, write=False) as session:
        stored = await session.scalar(select(IdempotencyRecord))
    assert stored is not None
    assert stored.created_at == tokyo
    assert stored.created_at.tzinfo is not None
    assert stored.created_at.utcoffset() == timedelta(0)


async def test_naive_datetimes_are_refused(database: Database) -> None:
    with pytest.raises(Exception, match="naive datetimes"):
        async with unit_of_work(database) as session:
            session.add(record("naive", datetime(2026, 5, 1)))  # noqa: DTZ001
            await session.flush()


async def test_effects_run_after_commit_and_vanish_on_rollback(database: Database) -> None:
    ran: list[str] = []

    async def effect() -> None:
        async with unit_of_work(database, write=False) as check:
            ran.append(f"visible={await check.scalar(select(IdempotencyRecord.key))}")

    async with unit_of_work(database) as session:
        session.add(record("a", datetime.now(UTC)))
        after_commit(session, effect)
        assert ran == []
    assert ran == ["visible=a"]

    with pytest.raises(RuntimeError):
        async with unit_of_work(database) as session:
            session.add(record("b", datetime.now(UTC)))
            after_commit(session, effect)
            raise RuntimeError("abort")
    assert ran == ["visible=a"]
    async with unit_of_work(database, write=False) as session:
        assert (await session.scalars(select(IdempotencyRecord.key))).all() == ["a"]


async def test_a_failing_effect_does_not_undo_the_commit(database: Database) -> None:
    async def broken() -> None:
        raise ConnectionError("pub-sub is down")

    async with unit_of_work(database) as session:
        session.add(record("kept", datetime.now(UTC)))
        after_commit(session, broken)
    async with unit_of_work(database, write=False) as session:
        assert await session.scalar(select(IdempotencyRecord.key)) == "kept"


async def test_concurrent_read_modify_write_units_never_fail(database: Database) -> None:
    """Twenty writers each read the row count and insert: none errors, none is lost.

    On SQLite a writer that read first and wrote later would fail with SQLITE_BUSY if it had
    not taken the write lock at BEGIN.
    """

    async def writer(n: int) -> None:
        async with unit_of_work(database) as session:
            await session.scalar(select(IdempotencyRecord.id).limit(1))
            await asyncio.sleep(0)
            session.add(record(f"w{n}", datetime.now(UTC)))

    await asyncio.gather(*(writer(n) for n in range(20)))
    async with unit_of_work(database, write=False) as session:
        keys = (await session.scalars(select(IdempotencyRecord.key))).all()
    assert sorted(keys) == sorted(f"w{n}" for n in range(20))


async def test_connection_settings_are_applied(database: Database) -> None:
    async with database.engine.connect() as connection:
        if database.is_sqlite:
            assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1
            assert (await connection.execute(text("PRAGMA busy_timeout"))).scalar() == 5000
        else:
            assert (await connection.execute(text("SHOW statement_timeout"))).scalar() == "10s"
            assert (await connection.execute(text("SHOW TimeZone"))).scalar() == "UTC"


async def test_postgres_statement_timeout_stops_runaway_queries(postgres_url: str) -> None:
    from sqlalchemy.exc import DBAPIError

    database = Database(postgres_url, DatabaseSettings(statement_timeout_ms=100))
    async with database.engine.connect() as connection:
        with pytest.raises(DBAPIError, match="statement timeout"):
            await connection.execute(text("SELECT pg_sleep(2)"))
    await database.dispose()


async def test_a_waiting_writer_does_not_stall_readers_or_the_loop(database: Database) -> None:
    """While one unit of work writes, readers finish and the event loop keeps running."""
    holding = asyncio.Event()
    release = asyncio.Event()

    async def long_writer() -> None:
        async with unit_of_work(database) as session:
            session.add(record("slow", datetime.now(UTC)))
            await session.flush()
            holding.set()
            await release.wait()

    async def second_writer() -> None:
        async with unit_of_work(database) as session:
            session.add(record("queued", datetime.now(UTC)))

    writer = asyncio.create_task(long_writer())
    await holding.wait()
    queued = asyncio.create_task(second_writer())
    ticks = 0
    for _ in range(5):  # the loop keeps turning while the second writer waits its turn
        await asyncio.sleep(0.01)
        ticks += 1
    async with unit_of_work(database, write=False) as session:
        seen = (await session.scalars(select(IdempotencyRecord.key))).all()
    assert ticks == 5
    assert "slow" not in seen  # the reader saw the last committed state, without waiting
    # SQLite has one writer at a time: the second waits its turn (off the loop). PostgreSQL
    # lets both write at once.
    assert queued.done() is (not database.is_sqlite)
    release.set()
    await asyncio.gather(writer, queued)
    async with unit_of_work(database, write=False) as session:
        keys = sorted((await session.scalars(select(IdempotencyRecord.key))).all())
    assert keys == ["queued", "slow"]


async def test_the_writer_slot_is_taken_at_the_first_statement(database: Database) -> None:
    """Work done before a unit of work's first query (a password hash) blocks no other writer."""
    started, release = asyncio.Event(), asyncio.Event()

    async def slow_before_sql() -> None:
        async with unit_of_work(database) as session:
            started.set()
            await release.wait()
            session.add(record("late", datetime.now(UTC)))

    async def quick() -> None:
        async with unit_of_work(database) as session:
            session.add(record("early", datetime.now(UTC)))

    slow = asyncio.create_task(slow_before_sql())
    await started.wait()
    await asyncio.wait_for(quick(), timeout=2)
    release.set()
    await slow
    async with unit_of_work(database, write=False) as session:
        assert sorted((await session.scalars(select(IdempotencyRecord.key))).all()) == [
            "early",
            "late",
        ]


async def test_a_failed_write_releases_the_writer_slot(database: Database) -> None:
    for _ in range(2):
        with pytest.raises(RuntimeError):
            async with unit_of_work(database) as session:
                session.add(record("doomed", datetime.now(UTC)))
                await session.flush()
                raise RuntimeError("handler failed after writing")
    async with unit_of_work(database) as session:  # would wait forever on a leaked slot
        session.add(record("after", datetime.now(UTC)))
    async with unit_of_work(database, write=False) as session:
        assert (await session.scalars(select(IdempotencyRecord.key))).all() == ["after"]
