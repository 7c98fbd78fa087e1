from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from appfleet.core import migrate
from appfleet.core.database import Database
from appfleet.models import (
    FULL_TEXT_COLUMNS,
    FULL_TEXT_INDEXES,
    FULL_TEXT_TABLE_PREFIX,
    metadata,
)
from tests.fixtures.probe import ProbeBase

pytestmark = pytest.mark.anyio


async def tables(db: Database) -> set[str]:
    async with db.engine.connect() as connection:
        return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))


async def test_history_goes_down_to_base_and_back_up(database: Database) -> None:
    state = await migrate.state(database)
    assert not state.pending

    down = await migrate.migrate(database, "base")
    assert down.current == ()
    assert "idempotency_key" not in await tables(database)

    up = await migrate.migrate(database)
    assert up.current == (up.head,)
    assert "idempotency_key" in await tables(database)


async def test_migrations_match_the_models(database: Database) -> None:
    """The schema the migrations build is the one the models describe (no missing migration)."""
    async with database.engine.connect() as connection:
        diff = await connection.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), metadata)
        )
    # The test-only probe app's tables (and their indexes) are not migrated.
    probe_tables = set(ProbeBase.metadata.tables)

    def is_probe(change: tuple[object, ...]) -> bool:
        item = change[1]
        table = getattr(item, "table", item)
        return change[0] in ("remove_table", "remove_index") and table.name in probe_tables

    def is_full_text(change: tuple[Any, ...]) -> bool:
        """Engine-specific search objects the migration builds outside the models."""
        if change[0] == "remove_column":
            return (change[2], change[3].name) in FULL_TEXT_COLUMNS
        item = change[1]
        if change[0] == "remove_index":
            return item.name in FULL_TEXT_INDEXES
        return change[0] == "remove_table" and item.name.startswith(FULL_TEXT_TABLE_PREFIX)

    assert [d for d in diff if not is_probe(d) and not is_full_text(d)] == []


async def test_upgrading_an_up_to_date_database_changes_nothing(database: Database) -> None:
    before = await migrate.state(database)
    after = await migrate.migrate(database, "head")
    assert before == after


def test_the_quick_head_is_alembics_head() -> None:
    # Start-up reads the head from the scripts' text; Alembic is the authority.
    script = ScriptDirectory.from_config(migrate.alembic_config())
    assert migrate.head_revision() == script.get_current_head() is not None
