"""SQLite for asyncio without a thread per connection.

aiosqlite runs every call on a connection's own thread and hands the result back through the
event loop: a unit of work makes a dozen such hops, and under load each waits on the GIL. On this
machine that capped embedded mode near 400 units of work per second. SQLite answers an indexed
read in microseconds, so this dialect calls the standard `sqlite3` module directly on the event
loop instead (SQLAlchemy's asyncio layer runs a synchronous driver inside its greenlet as is).

What makes that safe: WAL readers never wait, and the only waits — for the write lock — are
taken off the loop by `Database.writing()`, which queues a process's writers on an asyncio lock
before they BEGIN IMMEDIATE. Writers in *other* processes on the same file can still make a
BEGIN wait up to the busy timeout; run several processes on PostgreSQL instead.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import pool
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import URL
from sqlalchemy.util import await_only

DRIVER = "sqlite+appfleet"


async def _done() -> None:
    return None


class _Cursor:
    """A sqlite3 cursor with the one coroutine SQLAlchemy's asyncio results call."""

    __slots__ = ("_cursor",)

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)

    @property
    def description(self) -> Any:
        return self._cursor.description

    def execute(self, *args: Any) -> Any:
        # SQLAlchemy's AsyncConnection checks that a statement awaited something; this awaits a
        # coroutine that finishes at once (two greenlet switches, no trip round the loop).
        await_only(_done())
        return self._cursor.execute(*args)

    def executemany(self, *args: Any) -> Any:
        await_only(_done())
        return self._cursor.executemany(*args)

    def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def _async_soft_close(self) -> None:
        return None


class _Connection:
    __slots__ = ("_connection",)

    def __init__(self, connection: Any) -> None:
        self._connection: sqlite3.Connection = connection

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    @property
    def isolation_level(self) -> str | None:
        return self._connection.isolation_level

    @isolation_level.setter
    def isolation_level(self, value: str | None) -> None:
        self._connection.isolation_level = value  # type: ignore[assignment]

    def cursor(self) -> _Cursor:
        return _Cursor(self._connection.cursor())


class InLoopSQLiteDialect(SQLiteDialect_pysqlite):
    driver = "appfleet"
    is_async = True
    supports_statement_cache = True

    @classmethod
    def get_pool_class(cls, url: URL) -> type[pool.Pool]:
        if cls._is_url_file_db(url):
            return pool.AsyncAdaptedQueuePool
        return pool.StaticPool

    def connect(self, *cargs: Any, **cparams: Any) -> Any:
        return _Connection(super().connect(*cargs, **cparams))

    def create_connect_args(self, url: URL) -> Any:
        args, kwargs = super().create_connect_args(url)
        # Connections live on the loop's thread, but the pool may close them from another at exit.
        kwargs["check_same_thread"] = False
        return args, kwargs


registry.register("sqlite.appfleet", __name__, "InLoopSQLiteDialect")
