"""The database: engine, sessions, the declarative base and the unit of work.

SQLite (the standard sqlite3 module on the event loop; see core/sqlite.py) is the embedded
default, PostgreSQL (asyncpg) the scaled one; features never branch on which. A unit of work
commits once at its boundary (request, job, CLI command) and then runs the after-commit effects
registered on its session.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    CursorResult,
    DateTime,
    MetaData,
    Select,
    TypeDecorator,
    event,
    func,
    literal_column,
    select,
    text,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import URL, Dialect, Row, make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.sql import Executable
from sqlalchemy.sql.dml import Insert
from sqlalchemy.util import await_only

from appfleet.core import sqlite
from appfleet.core.errors import AppError
from appfleet.core.logging import get_logger
from appfleet.core.secrets import ConfigurationError
from appfleet.core.settings import DatabaseSettings

log = get_logger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

AfterCommit = Callable[[], Awaitable[None]]
_AFTER_COMMIT = "appfleet.after_commit"
_BEGIN_OPTION = "appfleet_sqlite_begin"
_HOLDS_WRITE_LOCK = "appfleet_holds_write_lock"


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite stores no offset, so we restore it)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime}


def async_url(url: str) -> URL:
    """The async-driver form of a database URL (postgres:// and sqlite:/// are accepted)."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend in ("postgres", "postgresql"):
        return parsed.set(drivername="postgresql+asyncpg")
    if backend == "sqlite":
        return parsed.set(drivername=sqlite.DRIVER)
    raise ConfigurationError(
        f"DATABASE_URL: unsupported database {backend!r}; use postgresql:// or sqlite:///"
    )


@dataclass(frozen=True)
class InsertsTogether:
    """INSERT ... SELECT statements that commit together and share one set of parameters, built
    once for a hot path; each carries its own condition, so a write can stand down as a whole
    when what it was decided on has changed. `Database.insert_together` runs them."""

    statements: Sequence[Insert]
    # PostgreSQL: the first statement counted, the others as data-modifying CTEs of that count.
    fused: Select[int] = field(init=False)

    def __post_init__(self) -> None:
        first, *rest = self.statements
        counted = first.returning(literal_column("1")).cte("inserted")
        also = [statement.cte(f"also_{n}") for n, statement in enumerate(rest)]
        fused = select(func.count()).select_from(counted).add_cte(*also)
        object.__setattr__(self, "fused", fused)


class Database:
    """One engine per process, and the two session factories built on it."""

    def __init__(self, url: str, settings: DatabaseSettings) -> None:
        self.url = async_url(url)
        self.settings = settings
        self.dialect = self.url.get_backend_name()
        # This process's SQLite writers queue here, off the event loop (see core/sqlite.py).
        self._write_lock = asyncio.Lock()
        self.engine = self._sqlite_engine() if self.dialect == "sqlite" else self._postgres_engine()
        # PostgreSQL reads need no transaction: at READ COMMITTED every statement sees what is
        # committed anyway, and skipping BEGIN and COMMIT saves two round trips per request.
        reader = (
            self.engine
            if self.dialect == "sqlite"
            else self.engine.execution_options(isolation_level="AUTOCOMMIT")
        )
        self._reader = reader
        self._reads = async_sessionmaker(reader, expire_on_commit=False)
        # SQLite allows one writer. A writing unit of work takes the write lock at BEGIN, so it
        # waits (busy timeout) instead of failing halfway when another writer got in first.
        writer = (
            self.engine.execution_options(**{_BEGIN_OPTION: "BEGIN IMMEDIATE"})
            if self.dialect == "sqlite"
            else self.engine
        )
        self._writes = async_sessionmaker(writer, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    def session(self, *, write: bool = True) -> AsyncSession:
        return (self._writes if write else self._reads)()

    async def first_row(
        self, statement: Executable, parameters: dict[str, Any] | None = None
    ) -> Row[Any] | None:
        """The first row of a read, outside any session: for hot paths that want columns, not
        ORM objects, and no session to build and close."""
        async with self._reader.connect() as connection:
            return (await connection.execute(statement, parameters)).first()

    async def insert_together(self, writes: InsertsTogether, parameters: dict[str, Any]) -> int:
        """Run `writes` as one atomic write; the number of rows the first statement inserted.

        On PostgreSQL they are one statement (one round trip, no BEGIN and COMMIT: a statement
        outside a transaction commits or fails whole); SQLite, in process, runs them in turn in
        one write transaction."""
        if not self.is_sqlite:
            async with self._reader.connect() as connection:
                counted: int = (await connection.execute(writes.fused, parameters)).scalar_one()
                return counted
        first, *rest = writes.statements
        async with self._writes() as session, session.begin():
            result: CursorResult[Any] = await session.execute(  # type: ignore[assignment]
                first, parameters
            )
            for statement in rest:
                await session.execute(statement, parameters)
        return result.rowcount

    async def ping(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()

    def _postgres_engine(self) -> AsyncEngine:
        s = self.settings
        engine = create_async_engine(
            self.url,
            echo=s.echo,
            pool_size=s.pool_size,
            max_overflow=s.max_overflow,
            pool_timeout=s.pool_timeout_s,
            pool_recycle=s.pool_recycle_s,
            # Units of work always end their transaction, so the pool's own ROLLBACK on
            # check-in would be a wasted round trip on every request.
            pool_reset_on_return=None,
            connect_args={
                "timeout": s.connect_timeout_s,
                "server_settings": {
                    "application_name": "appfleet",
                    "statement_timeout": str(s.statement_timeout_ms),
                    "timezone": "UTC",
                },
            },
        )
        _ping_when_idle(engine)
        return engine

    def _sqlite_engine(self) -> AsyncEngine:
        database = self.url.database or ""
        in_memory = database in ("", ":memory:")
        if not in_memory:
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(self.url, echo=self.settings.echo)
        busy_ms = self.settings.sqlite_busy_timeout_ms

        @event.listens_for(engine.sync_engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            # Take transaction control from the driver so BEGIN is ours (see _on_begin).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            for pragma in (
                "PRAGMA journal_mode=WAL",
                "PRAGMA synchronous=NORMAL",
                "PRAGMA foreign_keys=ON",
                f"PRAGMA busy_timeout={int(busy_ms)}",
            ):
                cursor.execute(pragma)
            cursor.close()

        lock, wait_s = self._write_lock, busy_ms / 1000

        @event.listens_for(engine.sync_engine, "begin")
        def _on_begin(connection: Any) -> None:
            statement = connection.get_execution_options().get(_BEGIN_OPTION, "BEGIN")
            if statement == "BEGIN IMMEDIATE":
                # Wait for this process's writer slot without blocking the loop (we run inside
                # SQLAlchemy's greenlet, so awaiting is allowed), and only from the first
                # statement on: work done before it (a password hash) holds nothing.
                try:
                    await_only(asyncio.wait_for(lock.acquire(), wait_s))
                except TimeoutError:
                    raise sqlite3.OperationalError("database is locked (writer queue)") from None
                connection.info[_HOLDS_WRITE_LOCK] = True
            try:
                connection.exec_driver_sql(statement)
            except BaseException:
                _release(connection.info)
                raise

        def _release(info: dict[str, Any]) -> None:
            if info.pop(_HOLDS_WRITE_LOCK, False):
                lock.release()

        # SQLAlchemy fires these just before the driver's COMMIT/ROLLBACK. Releasing first is
        # safe: the driver call follows in the same synchronous stretch, and a waiting writer
        # only runs once this task yields to the loop, after the transaction has ended.
        @event.listens_for(engine.sync_engine, "commit")
        def _on_commit(connection: Any) -> None:
            _release(connection.info)

        @event.listens_for(engine.sync_engine, "rollback")
        def _on_rollback(connection: Any) -> None:
            _release(connection.info)

        @event.listens_for(engine.sync_engine.pool, "checkin")
        def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
            _release(record.info)  # a connection returned mid-transaction (an error path)

        return engine


IDLE_PING_S = 10.0


def _ping_when_idle(engine: AsyncEngine) -> None:
    """Pessimistic disconnect handling for connections that sat idle: a restarted or failed-
    over server leaves dead sockets in the pool, so a connection unused for a while is pinged
    before it is handed out (and replaced if dead). A busy pool's connections were used
    moments ago, and a ping on every checkout would add a round trip to every request."""

    @event.listens_for(engine.sync_engine.pool, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine.sync_engine.pool, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle = time.monotonic() - record.info.get("checked_in_at", time.monotonic())
        if idle < IDLE_PING_S:
            return
        try:
            dbapi_connection.ping()
        except Exception as exc:
            # The pool discards this connection and checks out (or makes) another.
            raise DisconnectionError(f"idle connection is gone: {exc}") from exc


# SQLSTATE classes of a server that is gone or not taking connections: 08 connection exception,
# 57P01-57P03 admin/crash shutdown and "cannot connect now" (a server starting up).
_UNAVAILABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03")
# SQLite's transient refusals (another writer holds the lock past the busy timeout).
_SQLITE_UNAVAILABLE = ("database is locked", "unable to open database file")


def is_unavailable(exc: BaseException) -> bool:
    """Whether `exc` says the database cannot be reached right now (a restart, a failover, a
    full pool), rather than that the request or the code is wrong. Those are answered 503 with
    Retry-After, so clients retry instead of reporting a bug."""
    if isinstance(exc, PoolTimeout | DisconnectionError | ConnectionError | TimeoutError):
        return True
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        for cause, state in _causes(exc):
            if state.startswith(_UNAVAILABLE_SQLSTATES):
                return True
            if isinstance(cause, ConnectionError | TimeoutError):
                return True
        if isinstance(exc.orig, sqlite3.OperationalError):
            return str(exc.orig).startswith(_SQLITE_UNAVAILABLE)
    return False


def unstorable_value(exc: BaseException) -> str | None:
    """Why the database refused a value the request carried (SQLSTATE class 22, data exception:
    a NUL character in text, a number or date out of range), or None. Validation should catch
    these first; this keeps one it missed a 400 instead of a 500."""
    if isinstance(exc, OverflowError):  # SQLite: an integer beyond 64 bits
        return "a number is too large"
    if isinstance(exc, DBAPIError):
        for cause, state in _causes(exc):
            if state.startswith("22"):
                return str(getattr(cause, "message", None) or cause).splitlines()[0][:200]
    return None


def _causes(exc: DBAPIError) -> list[tuple[BaseException, str]]:
    """The driver's exception and what it wraps, each with its SQLSTATE ("" when it has none):
    SQLAlchemy's asyncpg adapter puts asyncpg's own exception, which carries it, underneath."""
    found = []
    for cause in (exc.orig, exc.orig.__cause__ if exc.orig else None):
        if cause is not None:
            state = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
            found.append((cause, state if isinstance(state, str) else ""))
    return found


def insert(session: AsyncSession, table: Any) -> postgresql.Insert | sqlite_dialect.Insert:
    """An INSERT for the session's database, with its ON CONFLICT clauses (the two dialects
    spell the same statement with different classes)."""
    return insert_for(session.get_bind().dialect.name, table)


def insert_for(dialect: str, table: Any) -> postgresql.Insert | sqlite_dialect.Insert:
    """`insert` for a dialect by name: for statements built once and reused (hot paths)."""
    if dialect == "postgresql":
        return postgresql.insert(table)
    return sqlite_dialect.insert(table)


def after_commit(session: AsyncSession, effect: AfterCommit) -> None:
    """Run `effect` once this unit of work has committed; it is dropped on rollback."""
    session.info.setdefault(_AFTER_COMMIT, []).append(effect)


@asynccontextmanager
async def unit_of_work(db: Database, *, write: bool = True) -> AsyncIterator[AsyncSession]:
    """A session committed on success and rolled back on error, then its effects run.

    An `AppError` raised with `keep_changes=True` commits what was done before it is re-raised.
    Effects run after the transaction (and SQLite's writer slot) is released.
    """
    effects: list[AfterCommit] = []
    session = db.session(write=write)
    try:
        try:
            yield session
        except AppError as error:
            if not error.keep_changes:
                raise
            effects = await _commit(session)
            raise
        effects = await _commit(session)
    except BaseException:
        if not effects:
            await session.rollback()
        raise
    finally:
        await session.close()
        if effects:
            await _run_effects(effects)


async def _commit(session: AsyncSession) -> list[AfterCommit]:
    # A session that never touched the database (a cache hit) has nothing to commit, and
    # skipping the call saves a trip through SQLAlchemy's greenlet bridge.
    if session.in_transaction():
        await session.commit()
    effects: list[AfterCommit] = session.info.pop(_AFTER_COMMIT, [])
    return effects


async def _run_effects(effects: list[AfterCommit]) -> None:
    for effect in effects:
        try:
            await effect()
        except Exception:
            # The data is committed; a failed effect (a publish, a wake-up) must not undo that.
            log.exception("after_commit_effect_failed", effect=getattr(effect, "__name__", "?"))
