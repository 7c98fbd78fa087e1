"""Backups: a copy of the whole database and a manifest that proves a restore complete.

SQLite uses its online backup API (a consistent copy while the server keeps writing);
PostgreSQL uses `pg_dump --format=custom` and `pg_restore`. Beside each backup we write
`<backup>.manifest.json`: every table's row count and a SHA-256 over its rows in primary-key
order. A restore recomputes both and names every table that differs, so "restored" means the
same rows, not just a command that exited 0.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, Table, select, text
from sqlalchemy.engine import Connection

from appfleet.core.database import Database

MANIFEST_SUFFIX = ".manifest.json"


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why."""


@dataclass(frozen=True, slots=True)
class TableDigest:
    rows: int
    sha256: str


@dataclass(frozen=True, slots=True)
class Manifest:
    dialect: str
    created_at: str
    tables: dict[str, TableDigest]

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2, sort_keys=True) + "\n")

    @classmethod
    def read(cls, path: Path) -> Manifest:
        try:
            raw = json.loads(path.read_text())
            tables = {name: TableDigest(**d) for name, d in raw["tables"].items()}
            return cls(dialect=raw["dialect"], created_at=raw["created_at"], tables=tables)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise BackupError(f"cannot read manifest {path}: {exc}") from exc

    def differences(self, other: Manifest) -> list[str]:
        """What `other` (a restored database) lacks or holds differently, one line per table."""
        lines = []
        for name in sorted(self.tables.keys() | other.tables.keys()):
            want, got = self.tables.get(name), other.tables.get(name)
            if want is None:
                continue  # a table the backup predates (created by a later migration)
            if got is None:
                lines.append(f"{name}: missing")
            elif want.rows != got.rows:
                lines.append(f"{name}: {want.rows} rows expected, {got.rows} restored")
            elif want.sha256 != got.sha256:
                lines.append(f"{name}: {got.rows} rows, but their contents differ")
        return lines


def manifest_path(backup: Path) -> Path:
    return backup.with_name(backup.name + MANIFEST_SUFFIX)


async def digest(db: Database) -> Manifest:
    """Row counts and checksums of every table in the database."""
    async with db.engine.connect() as connection:
        tables = await connection.run_sync(_digest_tables)
    return Manifest(
        dialect=db.dialect,
        created_at=_now(),
        tables=tables,
    )


def _digest_tables(connection: Connection) -> dict[str, TableDigest]:
    metadata = MetaData()
    metadata.reflect(connection)
    return {name: _digest_table(connection, t) for name, t in sorted(metadata.tables.items())}


def _digest_table(connection: Connection, table: Table) -> TableDigest:
    # Primary-key order makes the checksum independent of physical row order, which a restore
    # does not keep. Tables without a key are ordered by every column.
    order = list(table.primary_key.columns) or list(table.columns)
    hasher = hashlib.sha256()
    rows = 0
    for row in connection.execute(select(table).order_by(*order)):
        hasher.update(repr(tuple(_canonical(v) for v in row)).encode())
        rows += 1
    return TableDigest(rows=rows, sha256=hasher.hexdigest())


def _canonical(value: Any) -> Any:
    # Reflected SQLite columns hand back stored text for timestamps and JSON as-is; PostgreSQL
    # gives typed values. Either way one backend's values repr the same before and after.
    return value.hex() if isinstance(value, bytes | memoryview) else value


async def back_up(db: Database, target: Path) -> Manifest:
    """Copy the database to `target` and write its manifest beside it. The server may keep
    writing: the manifest describes exactly the rows the copy holds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if db.is_sqlite:
        await asyncio.to_thread(_sqlite_copy, _sqlite_path(db), target)
        copy = Database(f"sqlite:///{target}", db.settings)
        try:
            manifest = await digest(copy)
        finally:
            await copy.dispose()
    else:
        manifest = await _dump_postgres(db, target)
    await asyncio.to_thread(manifest.write, manifest_path(target))
    return manifest


async def _dump_postgres(db: Database, target: Path) -> Manifest:
    # pg_dump reads the snapshot this transaction exported, and the digest is computed inside
    # the same transaction, so both see one moment however busy the server is.
    async with db.engine.connect() as connection:
        connection = await connection.execution_options(isolation_level="REPEATABLE READ")
        async with connection.begin():
            snapshot = (await connection.execute(text("SELECT pg_export_snapshot()"))).scalar_one()
            dump = asyncio.create_task(
                _run(
                    db,
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    f"--snapshot={snapshot}",
                    f"--file={target}",
                )
            )
            tables = await connection.run_sync(_digest_tables)
            await dump
    return Manifest(dialect=db.dialect, created_at=_now(), tables=tables)


async def restore(db: Database, source: Path) -> list[str]:
    """Replace the database's contents with the backup's; returns the differences found
    against its manifest afterwards (empty when the restore is complete)."""
    expected = await asyncio.to_thread(_manifest_of, source)
    if expected.dialect != db.dialect:
        raise BackupError(f"the backup is of {expected.dialect}, the database is {db.dialect}")
    if db.is_sqlite:
        await db.dispose()  # no pooled connection may hold the file while it is replaced
        await asyncio.to_thread(_sqlite_copy, source, _sqlite_path(db))
    else:
        await _run(
            db,
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            str(source),
        )
    return expected.differences(await digest(db))


def _manifest_of(source: Path) -> Manifest:
    if not source.is_file():
        raise BackupError(f"no backup at {source}")
    return Manifest.read(manifest_path(source))


def _sqlite_path(db: Database) -> Path:
    if not db.url.database or db.url.database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up")
    return Path(db.url.database)


def _sqlite_copy(source: Path, target: Path) -> None:
    source_db = sqlite3.connect(source)
    target_db = sqlite3.connect(target)
    try:
        source_db.backup(target_db)
    finally:
        target_db.close()
        source_db.close()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


async def _run(db: Database, tool: str, *args: str) -> None:
    if shutil.which(tool) is None:
        raise BackupError(f"{tool} is not installed (Debian: apt-get install postgresql-client)")
    # The password goes in the environment: a command line is visible to every local user.
    url = db.url.set(drivername="postgresql", password=None)
    env = {**os.environ, "PGPASSWORD": str(db.url.password)} if db.url.password else None
    process = await asyncio.create_subprocess_exec(
        tool,
        *args,
        f"--dbname={url.render_as_string(hide_password=False)}",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    _, stderr = await process.communicate()
    if process.returncode != 0:
        raise BackupError(f"{tool} failed: {stderr.decode(errors='replace').strip()}")
