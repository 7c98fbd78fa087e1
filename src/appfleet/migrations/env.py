"""Alembic environment. `appfleet migrate` passes a live connection; the `alembic` command line
builds its own engine from the same settings."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from appfleet.models import metadata


def run_with(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,  # SQLite can only ALTER by copying the table
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_standalone() -> None:
    from appfleet.core.database import Database
    from appfleet.core.settings import Settings

    settings = Settings()
    db = Database(settings.database_url, settings.database)
    try:
        async with db.engine.begin() as connection:
            await connection.run_sync(run_with)
    finally:
        await db.dispose()


connection = context.config.attributes.get("connection")
if connection is not None:
    run_with(connection)
elif context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run `appfleet migrate`")
else:
    asyncio.run(run_standalone())
