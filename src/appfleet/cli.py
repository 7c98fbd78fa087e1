"""The `appfleet` command: serve, worker, migrate, backup, restore, config, admin, privacy,
jobs, outbox, locales, sdk, version."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import signal
import uuid
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.engine import make_url

from appfleet import __version__
from appfleet.core import backup as backups
from appfleet.core import migrate as migrations
from appfleet.core.database import Database
from appfleet.core.errors import AppError
from appfleet.core.logging import configure_logging, get_logger
from appfleet.core.secrets import ConfigurationError, with_secret_key
from appfleet.core.settings import Settings, setting_rows
from appfleet.core.startup import resume_collection
from appfleet.platform.locales.cli import commands as locale_commands

cli = typer.Typer(help="appfleet: one backend for a fleet of mobile apps.", no_args_is_help=True)
log = get_logger("appfleet.cli")
APP_FACTORY = "appfleet.main:app_from_environment"


def _settings() -> Settings:
    try:
        return with_secret_key(Settings())
    except ConfigurationError as exc:
        typer.echo(f"configuration error: {exc}", err=True)
        raise typer.Exit(2) from exc


@cli.callback()
def _starting(context: typer.Context) -> None:
    # A single-process server resumes garbage collection once it is ready (appfleet.main);
    # every other command, before it starts its work.
    if context.invoked_subcommand != "serve":
        resume_collection()


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address [settings: server.host].")] = None,
    port: Annotated[int | None, typer.Option(help="Port [settings: server.port].")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes.")] = None,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development).")] = False,
) -> None:
    """Run the API server. In embedded mode (SQLite) pending migrations are applied first."""
    settings = _settings()
    configure_logging(settings.log)
    host = host or settings.server.host
    port = port or settings.server.port
    workers = workers or settings.server.workers
    if workers > 1:
        _share_metrics(settings)  # before anything imports prometheus_client
    db = Database(settings.database_url, settings.database)
    if db.is_sqlite:
        applied = asyncio.run(_migrate_embedded(db))
        if applied:
            log.info("migrations_applied", revision=applied, database=settings.database_url)
    if workers > 1 or reload:  # the app runs in other processes
        resume_collection()
    if workers > 1:
        _serve_gunicorn(settings, host, port, workers)
        return
    import uvicorn

    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        reload=reload,
        log_config=None,
        server_header=False,
        proxy_headers=True,
        ws_per_message_deflate=settings.server.ws_per_message_deflate,
    )


async def _migrate_embedded(db: Database) -> str | None:
    try:
        before = await migrations.state(db)
        if not before.pending:
            return None
        after = await migrations.migrate(db)
        return after.head
    finally:
        await db.dispose()


def _share_metrics(settings: Settings) -> None:
    # Each worker writes its metric samples here; /metrics aggregates them. prometheus_client
    # picks its storage when first imported, so the variable must be set before that.
    metrics_dir = settings.data_dir.resolve() / "prometheus"
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)


def _serve_gunicorn(settings: Settings, host: str, port: int, workers: int) -> None:
    from gunicorn.app.base import BaseApplication  # type: ignore[import-untyped]
    from prometheus_client import multiprocess
    from uvicorn_worker import UvicornWorker  # type: ignore[import-untyped]

    class Worker(UvicornWorker):  # type: ignore[misc]
        CONFIG_KWARGS = {  # noqa: RUF012 - the base class's hook
            **UvicornWorker.CONFIG_KWARGS,
            "server_header": False,
            "ws_per_message_deflate": settings.server.ws_per_message_deflate,
        }

    def child_exit(server: Any, worker: Any) -> None:
        multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]

    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": Worker,
        "graceful_timeout": 30,
        "timeout": 60,
        "keepalive": 5,
        "child_exit": child_exit,
        "accesslog": None,
    }

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            from appfleet.main import app_from_environment

            return app_from_environment()

    Server().run()


@cli.command()
def migrate(
    revision: Annotated[
        str, typer.Option(help="Target: head, base, -1, or a revision id (older = downgrade).")
    ] = "head",
) -> None:
    """Apply (or roll back) database migrations."""
    settings = _settings()
    configure_logging(settings.log)

    async def run() -> tuple[migrations.MigrationState, migrations.MigrationState]:
        db = Database(settings.database_url, settings.database)
        try:
            before = await migrations.state(db)
            return before, await migrations.migrate(db, revision)
        finally:
            await db.dispose()

    before, after = asyncio.run(run())
    was = ", ".join(before.current) or "empty"
    now = ", ".join(after.current) or "empty"
    typer.echo(f"database: {_masked(settings.database_url)}\nschema: {was} -> {now}")


@cli.command()
def backup(
    target: Annotated[Path, typer.Argument(help="File to write (its manifest goes beside it).")],
) -> None:
    """Copy the database to a file: SQLite's online backup, or pg_dump for PostgreSQL."""
    settings = _settings()
    configure_logging(settings.log)

    async def run() -> backups.Manifest:
        db = Database(settings.database_url, settings.database)
        try:
            return await backups.back_up(db, target)
        finally:
            await db.dispose()

    try:
        manifest = asyncio.run(run())
    except backups.BackupError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from error
    rows = sum(t.rows for t in manifest.tables.values())
    typer.echo(
        f"backed up {_masked(settings.database_url)} to {target}: "
        f"{len(manifest.tables)} tables, {rows} rows (manifest {backups.manifest_path(target)})"
    )


@cli.command()
def restore(
    source: Annotated[Path, typer.Argument(help="A file `appfleet backup` wrote.")],
    yes: Annotated[bool, typer.Option("--yes", help="Replace the database's contents.")] = False,
) -> None:
    """Replace the database's contents with a backup, then check every table against the
    backup's manifest. Stop the servers and workers first."""
    if not yes:
        typer.echo("restore replaces every row in the database; pass --yes to go on", err=True)
        raise typer.Exit(2)
    settings = _settings()
    configure_logging(settings.log)

    async def run() -> list[str]:
        db = Database(settings.database_url, settings.database)
        try:
            return await backups.restore(db, source)
        finally:
            await db.dispose()

    try:
        differences = asyncio.run(run())
    except backups.BackupError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from error
    if differences:
        typer.echo("restored, but these tables differ from the backup:", err=True)
        for line in differences:
            typer.echo(f"  {line}", err=True)
        raise typer.Exit(1)
    typer.echo(f"restored {source} into {_masked(settings.database_url)}: every table matches")


@cli.command()
def config(
    table: Annotated[bool, typer.Option(help="Print every setting as a Markdown table.")] = False,
) -> None:
    """Show the effective settings (secrets masked)."""
    if table:
        typer.echo("| setting | default | what it does |\n|---|---|---|")
        for variable, default, description in setting_rows():
            typer.echo(f"| `{variable}` | `{default}` | {description} |")
        return
    settings = _settings()
    effective = json.loads(settings.model_dump_json())
    effective["secret_key"] = "**********"  # noqa: S105 - the mask shown instead
    effective["database"]["url"] = _masked(settings.database_url)
    if settings.redis.url:
        effective["redis"]["url"] = _masked(settings.redis.url)
    typer.echo(json.dumps(effective, indent=2))


admin = typer.Typer(help="Deployment administrators.", no_args_is_help=True)
cli.add_typer(admin, name="admin")
ROLES = ("super_admin", "admin", "support")


@admin.command("create-user")
def create_admin_user(
    email: Annotated[str, typer.Option(help="The administrator's email.")],
    role: Annotated[str, typer.Option(help="super_admin, admin or support.")] = "admin",
    app: Annotated[str, typer.Option(help="The app whose accounts it joins.")] = "corpfinity",
    only_app: Annotated[
        str | None, typer.Option(help="Grant the role in this app only (default: every app).")
    ] = None,
    password: Annotated[
        str | None, typer.Option(help="Omit to generate a one-time password (printed once).")
    ] = None,
) -> None:
    """Create (or promote) a user holding an admin role, deployment-wide or in one app."""
    if role not in ROLES:
        typer.echo(f"--role must be one of: {', '.join(ROLES)}", err=True)
        raise typer.Exit(2)
    settings = _settings()
    configure_logging(settings.log)
    generated = password is None
    secret = password or secrets.token_urlsafe(18)

    async def run() -> str:
        from appfleet.apps import MANIFESTS
        from appfleet.core.clock import Clock
        from appfleet.core.registry import AppRegistry
        from appfleet.platform.users import admin as user_admin

        registry = AppRegistry(MANIFESTS, settings)
        context = registry.get(app)
        if only_app is not None:
            registry.get(only_app)  # an unknown app is refused before anything is written
        db = Database(settings.database_url, settings.database)
        try:
            return await user_admin.grant_role(
                db, Clock(), settings.auth, context, email, role, secret, only_app
            )
        finally:
            await db.dispose()

    try:
        outcome = asyncio.run(run())
    except AppError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(1) from error
    where = f"in {only_app} only" if only_app else "deployment-wide"
    typer.echo(f"{outcome} {email} with role {role} ({where}) in {app}'s accounts")
    if generated and outcome == "created":
        typer.echo(f"one-time password (shown once, change it after signing in): {secret}")


privacy = typer.Typer(help="Privacy duties: purging deleted accounts.", no_args_is_help=True)
cli.add_typer(privacy, name="privacy")


@privacy.command("purge")
def purge_deleted_accounts(
    limit: Annotated[int, typer.Option(help="Accounts to purge in this run, at most.")] = 500,
) -> None:
    """Erase the accounts whose retention period after deletion has ended."""
    settings = _settings()
    configure_logging(settings.log)

    async def run() -> int:
        from appfleet.core.clock import Clock
        from appfleet.main import platform_clients
        from appfleet.platform.privacy.service import purge_due

        secret = settings.secret_key.get_secret_value() if settings.secret_key else ""
        db = Database(settings.database_url, settings.database)
        async with platform_clients(settings) as clients:
            try:
                return await purge_due(
                    db,
                    Clock(),
                    clients.registry,
                    clients.apple,
                    clients.storage,
                    secret,
                    limit=limit,
                )
            finally:
                await db.dispose()

    typer.echo(f"purged {asyncio.run(run())} account(s)")


outbox = typer.Typer(help="The outbox: email and push waiting for, or done with, delivery.")
cli.add_typer(outbox, name="outbox")


@outbox.command("list")
def list_outbox(
    app: Annotated[str | None, typer.Option(help="Only this app's messages.")] = None,
    to: Annotated[str | None, typer.Option(help="Only messages to this recipient.")] = None,
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 20,
    body: Annotated[bool, typer.Option(help="Print each message's text too.")] = False,
) -> None:
    """Show the newest messages: in embedded mode this is where email "arrives"."""
    settings = _settings()

    async def run() -> list[Any]:
        from appfleet.core.database import unit_of_work
        from appfleet.runtime.outbox import recent

        db = Database(settings.database_url, settings.database)
        try:
            async with unit_of_work(db, write=False) as session:
                return await recent(session, app=app, recipient=to, limit=limit)
        finally:
            await db.dispose()

    messages = asyncio.run(run())
    if not messages:
        typer.echo("the outbox is empty")
    for message in messages:
        subject = message.payload.get("subject", "")
        when = message.created_at.isoformat(timespec="seconds")
        typer.echo(f"{when}  {message.status:<8} {message.app:<12} {message.recipient}  {subject}")
        if body:
            typer.echo(str(message.payload.get("text", "")).rstrip() + "\n")


@outbox.command("show")
def show_outbox_message(
    message_id: Annotated[uuid.UUID, typer.Argument(help="Message id.")],
) -> None:
    """Show one message with its delivery state and payload."""
    settings = _settings()

    async def run() -> Any:
        from appfleet.core.database import unit_of_work
        from appfleet.runtime.outbox import OutboxMessage

        db = Database(settings.database_url, settings.database)
        try:
            async with unit_of_work(db, write=False) as session:
                return await session.get(OutboxMessage, message_id)
        finally:
            await db.dispose()

    message = asyncio.run(run())
    if message is None:
        typer.echo(f"no message {message_id}", err=True)
        raise typer.Exit(1)
    fields = ("id", "channel", "app", "recipient", "kind", "status", "attempts", "created_at")
    for name in (*fields, "sent_at", "last_error"):
        typer.echo(f"{name:<11} {getattr(message, name)}")
    typer.echo(json.dumps(message.payload, indent=2, ensure_ascii=False))


@cli.command()
def worker(
    concurrency: Annotated[
        int | None, typer.Option(help="Jobs run at a time [settings: jobs.concurrency].")
    ] = None,
    queues: Annotated[
        str | None, typer.Option(help="Comma-separated queues [settings: jobs.queues].")
    ] = None,
    scheduler: Annotated[
        bool, typer.Option(help="Take part in electing the one scheduler.")
    ] = True,
) -> None:
    """Run background jobs until SIGTERM (running jobs finish or go back to the queue)."""
    settings = _settings()
    configure_logging(settings.log)
    update: dict[str, Any] = {}
    if concurrency is not None:
        update["concurrency"] = concurrency
    if queues is not None:
        update["queues"] = [q.strip() for q in queues.split(",") if q.strip()]
    settings = settings.model_copy(update={"jobs": settings.jobs.model_copy(update=update)})
    asyncio.run(_work(settings, schedule=scheduler and settings.jobs.scheduler))


async def _work(settings: Settings, *, schedule: bool) -> None:
    from appfleet.core.clock import Clock
    from appfleet.main import job_runner, platform_clients
    from appfleet.platform.ai.factory import ai_service
    from appfleet.platform.ai.service import AiService
    from appfleet.platform.billing.factory import billing_runtime
    from appfleet.platform.billing.runtime import Billing
    from appfleet.platform.flags.service import FlagStore
    from appfleet.runtime.cache import Cache, MemoryCache, RedisCache
    from appfleet.runtime.limits import LimitBook
    from appfleet.runtime.realtime import Broker, MemoryBroker, RedisBroker
    from appfleet.runtime.redis import create_redis

    db = Database(settings.database_url, settings.database)
    if db.is_sqlite:
        await _migrate_embedded(db)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(number, stopping.set)
    redis = create_redis(settings.redis)
    # No near copies here: a worker holds no subscription that would invalidate them.
    cache = RedisCache(redis) if redis is not None else MemoryCache()
    clock = Clock()
    async with platform_clients(settings) as clients:
        limits = LimitBook(db, settings.ratelimit, settings.ai)
        ai = ai_service(settings.ai, db, cache, clock, clients.http, clients.registry, limits)
        billing = billing_runtime(settings, clients.registry, cache, clock, clients.http)
        # Jobs publish (a wall post's events); they subscribe to nothing.
        broker = RedisBroker(redis) if redis is not None else MemoryBroker()
        flags = FlagStore(db, cache)
        process = {Cache: cache, AiService: ai, Billing: billing, Broker: broker, FlagStore: flags}
        runner = job_runner(settings, db, clock, clients, process)
        runner.start(schedule=schedule)
        try:
            await stopping.wait()
        finally:
            await runner.stop()
            await db.dispose()
            if redis is not None:
                await redis.aclose()


def _app_names() -> list[str]:
    from appfleet.apps import MANIFESTS

    return [manifest.name for manifest in MANIFESTS]


cli.add_typer(locale_commands(_settings, _app_names), name="locales")


jobs = typer.Typer(help="Background jobs: the dead letters, and requeueing them.")
cli.add_typer(jobs, name="jobs")


@jobs.command("dead")
def list_dead_jobs(
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 50,
) -> None:
    """Jobs that used up their attempts, with their last error."""
    settings = _settings()

    async def run() -> list[Any]:
        from appfleet.runtime.jobs.queue import dead_jobs

        db = Database(settings.database_url, settings.database)
        try:
            return await dead_jobs(db, limit=limit)
        finally:
            await db.dispose()

    dead = asyncio.run(run())
    if not dead:
        typer.echo("no dead jobs")
    for job in dead:
        when = job.finished_at.isoformat(timespec="seconds") if job.finished_at else "-"
        typer.echo(f"{job.id}  {when}  {job.task:<24} attempts={job.attempts}  {job.last_error}")


@jobs.command("retry")
def retry_dead_job(job_id: Annotated[uuid.UUID, typer.Argument(help="A dead job's id.")]) -> None:
    """Queue a dead job again, with a fresh set of attempts."""
    settings = _settings()

    async def run() -> None:
        from appfleet.core.clock import Clock
        from appfleet.runtime.jobs.queue import retry

        db = Database(settings.database_url, settings.database)
        try:
            await retry(db, Clock(), job_id)
        finally:
            await db.dispose()

    try:
        asyncio.run(run())
    except AppError as exc:
        typer.echo(exc.message, err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"requeued {job_id}")


@cli.command()
def version() -> None:
    """Print the appfleet version."""
    typer.echo(__version__)


def _masked(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


sdk = typer.Typer(help="Typed client SDKs generated from each app's OpenAPI document.")
cli.add_typer(sdk, name="sdk")


@sdk.command("typescript")
def sdk_typescript(
    app: Annotated[str, typer.Option(help="The app, e.g. pennywise.")],
    out: Annotated[str, typer.Option(help="The package's folder (created if missing).")],
    build: Annotated[
        bool, typer.Option(help="Install the pinned tools, generate the types, compile.")
    ] = True,
) -> None:
    """Write a TypeScript package for one app (React Native/Expo and web)."""
    from pathlib import Path

    from appfleet.main import create_app
    from appfleet.platform.info.router import app_document
    from appfleet.sdk import typescript

    settings = _settings()
    fleet = create_app(settings)
    registry = fleet.state.registry
    if app not in registry:
        typer.echo(f"no app named {app!r}; this deployment serves {', '.join(registry.names)}")
        raise typer.Exit(2)
    context = registry.get(app)
    folder = Path(out)
    typescript.write(app_document(fleet, context), app, context.display_name, folder)
    if build:
        try:
            typescript.build(folder)
        except typescript.SdkError as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(1) from error
    typer.echo(f"{'built' if build else 'wrote'} @appfleet/{app} in {folder}")


def main() -> None:
    cli()
