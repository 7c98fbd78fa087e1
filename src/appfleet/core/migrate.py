"""Schema migrations: one Alembic history, applied on SQLite (batch mode) and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection

from appfleet.core.database import Database

SCRIPT_LOCATION = "appfleet:migrations"
# Any constant: every process that migrates takes the same PostgreSQL advisory lock.
_MIGRATION_LOCK_ID = 0x61707066


@dataclass(frozen=True, slots=True)
class MigrationState:
    current: tuple[str, ...]
    head: str | None

    @property
    def pending(self) -> bool:
        return self.head is not None and self.current != (self.head,)


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.set_main_option("file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(slug)s")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


async def state(db: Database) -> MigrationState:
    script = ScriptDirectory.from_config(alembic_config())
    async with db.engine.connect() as connection:
        current = await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_heads()
        )
    return MigrationState(tuple(current), script.get_current_head())


async def migrate(db: Database, revision: str = "head") -> MigrationState:
    """Bring the schema to `revision`: upgrade, or downgrade when it is behind the current one."""
    before = await state(db)
    downgrade = _is_downgrade(revision, before)
    async with db.engine.begin() as connection:
        await connection.run_sync(_run, revision, downgrade)
    return await state(db)


def _run(connection: Connection, revision: str, downgrade: bool) -> None:
    if connection.dialect.name == "postgresql":
        # Several hosts may deploy at once; the first migrates, the rest find nothing to do.
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _MIGRATION_LOCK_ID})
    config = alembic_config(connection)
    if downgrade:
        command.downgrade(config, revision)
    else:
        command.upgrade(config, revision)


def _is_downgrade(revision: str, current: MigrationState) -> bool:
    if revision == "base" or revision.startswith("-"):
        return True
    if revision in ("head", "heads") or revision.startswith("+") or not current.current:
        return False
    script = ScriptDirectory.from_config(alembic_config())
    target = script.get_revision(revision)
    if target is None:
        return False
    ancestors: set[Any] = {
        rev.revision for rev in script.iterate_revisions(current.current, "base")
    }
    return target.revision in ancestors and (target.revision,) != current.current
