"""Schema migrations: one Alembic history, applied on SQLite (batch mode) and PostgreSQL.

Alembic is imported only to migrate: every start checks for pending migrations, and importing
Alembic (with its DDL and autogenerate modules) would be a tenth of a cold start.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

from sqlalchemy import column, inspect, select, table, text
from sqlalchemy.engine import Connection

from appfleet.core.database import Database

if TYPE_CHECKING:
    from alembic.config import Config

SCRIPT_LOCATION = "appfleet:migrations"
# Alembic's version table (its default name, which env.py keeps).
_VERSIONS = table("alembic_version", column("version_num"))
_REVISION = re.compile(r"^revision(?::[^=]+)? = ['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision(?::[^=]+)? = (.+)$", re.MULTILINE)
_QUOTED = re.compile(r"['\"]([^'\"]+)['\"]")
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
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.set_main_option("file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(slug)s")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


async def state(db: Database) -> MigrationState:
    async with db.engine.connect() as connection:
        current = await connection.run_sync(_current_heads)
    return MigrationState(current, head_revision())


def _current_heads(connection: Connection) -> tuple[str, ...]:
    """The revisions the database is at, from Alembic's version table (none before the first
    migration)."""
    if not inspect(connection).has_table(_VERSIONS.name):
        return ()
    return tuple(sorted(connection.scalars(select(_VERSIONS.c.version_num))))


def head_revision() -> str | None:
    """The newest revision, read from the scripts' `revision`/`down_revision` lines.

    Every start checks for pending migrations; Alembic's ScriptDirectory imports every
    script (and what they import) to answer, about a second of a cold start. The text says
    the same in milliseconds; a test holds it equal to Alembic's answer.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in resources.files("appfleet.migrations").joinpath("versions").iterdir():
        if not script.name.endswith(".py"):
            continue
        source = script.read_text()
        if found := _REVISION.search(source):
            revisions.add(found.group(1))
        if found := _DOWN_REVISION.search(source):
            parents.update(_QUOTED.findall(found.group(1)))
    heads = revisions - parents
    if len(heads) > 1:  # branches: let Alembic name the problem
        from alembic.script import ScriptDirectory

        return ScriptDirectory.from_config(alembic_config()).get_current_head()
    return next(iter(heads), None)


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
    from alembic import command

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
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    target = script.get_revision(revision)
    if target is None:
        return False
    ancestors: set[Any] = {
        rev.revision for rev in script.iterate_revisions(current.current, "base")
    }
    return target.revision in ancestors and (target.revision,) != current.current
