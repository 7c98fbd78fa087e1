"""`appfleet locales import|export|translate`: the bundles on disk and in the database."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from appfleet.core.clock import Clock
from appfleet.core.database import Database, unit_of_work
from appfleet.core.settings import Settings
from appfleet.platform.locales.codes import BASE, LANG_PATTERN, TRANSLATE_LIMIT

# The service modules are imported inside the commands: `appfleet serve --workers N` must set
# up shared metrics before anything imports prometheus_client, and they reach it.

AppOption = Annotated[str, typer.Option(help="The app whose strings these are.")]


def commands(
    settings: Callable[[], Settings], app_names: Callable[[], Sequence[str]]
) -> typer.Typer:
    """The commands, given how to load settings and the deployment's app names."""
    locales = typer.Typer(help="Locale bundles: import, export, translate.", no_args_is_help=True)

    def known(app: str) -> str:
        names = app_names()
        if app not in names:
            typer.echo(f"--app must be one of: {', '.join(names)}", err=True)
            raise typer.Exit(2)
        return app

    @locales.command("import")
    def import_bundles(
        directory: Annotated[Path, typer.Argument(help="Holds {lang}.json and common.json.")],
        app: AppOption,
        replace: Annotated[
            bool, typer.Option(help="Make each bundle exactly the file (drop other keys).")
        ] = False,
    ) -> None:
        """Load the files into the database (servers show them within a minute)."""
        from appfleet.platform.locales import service

        known(app)
        try:
            bundles = service.read_dir(directory)
        except (OSError, service.LocaleFileError) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from exc
        config = settings()

        async def run() -> list[Any]:
            db = Database(config.database_url, config.database)
            try:
                async with unit_of_work(db) as session:
                    return await service.save(session, Clock(), None, app, bundles, replace=replace)
            finally:
                await db.dispose()

        saved = asyncio.run(run())
        for item in saved:
            typer.echo(f"{item.lang}/{item.namespace}: version {item.version}, {item.keys} keys")
        typer.echo(f"{len(saved)} bundle(s) changed, {len(bundles) - len(saved)} unchanged")

    @locales.command("export")
    def export_bundles(
        directory: Annotated[Path, typer.Argument(help="Where to write the files.")],
        app: AppOption,
    ) -> None:
        """Write the database's bundles as {lang}.json and common.json."""
        from appfleet.platform.locales import service

        known(app)
        config = settings()

        async def run() -> dict[tuple[str, str], dict[str, str]]:
            db = Database(config.database_url, config.database)
            try:
                async with unit_of_work(db, write=False) as session:
                    rows = await service.load(session, app)
            finally:
                await db.dispose()
            return {key: dict(row.messages) for key, row in rows.items()}

        for path in service.write_dir(directory, asyncio.run(run())):
            typer.echo(str(path))

    @locales.command("translate")
    def translate(
        app: AppOption,
        to: Annotated[str, typer.Option(help="The language to fill, e.g. es.")],
        limit: Annotated[int, typer.Option(help="Keys to translate at most.")] = TRANSLATE_LIMIT,
    ) -> None:
        """Queue a background job that fills `--to`'s missing keys through the AI provider."""
        from appfleet.platform.locales import service
        from appfleet.platform.locales.jobs import TRANSLATE
        from appfleet.runtime.jobs.queue import enqueue

        known(app)
        if not re.match(LANG_PATTERN, to) or to == BASE:
            typer.echo(f"--to must be a language code other than {BASE}", err=True)
            raise typer.Exit(2)
        config = settings()

        async def run() -> int:
            db = Database(config.database_url, config.database)
            try:
                async with unit_of_work(db) as session:
                    gaps = service.missing(await service.load(session, app), to)
                    count = sum(len(m) for m in gaps.values())
                    if count:
                        args = {"app": app, "lang": to, "limit": limit}
                        await enqueue(session, Clock(), TRANSLATE, args)
                    return count
            finally:
                await db.dispose()

        count = asyncio.run(run())
        if count == 0:
            typer.echo(f"{app} has nothing missing in {to}")
        else:
            typer.echo(f"queued {TRANSLATE.name}: {count} key(s) missing in {to}")

    return locales
