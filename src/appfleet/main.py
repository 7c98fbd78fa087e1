"""The composition root: `create_app(settings)` builds the ASGI app from the enabled apps."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx2
from fastapi import APIRouter, FastAPI
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from appfleet import __version__
from appfleet.apps import MANIFESTS
from appfleet.core import migrate
from appfleet.core.clock import Clock
from appfleet.core.compression import CompressionMiddleware
from appfleet.core.database import Database
from appfleet.core.dispatch import AppDispatch, FleetAPI
from appfleet.core.health import router as health_router
from appfleet.core.http import EXCEPTION_HANDLERS, RequestContextMiddleware
from appfleet.core.logging import configure_logging, get_logger, stop_batching
from appfleet.core.registry import AppManifest, AppRegistry
from appfleet.core.routing import operation_id
from appfleet.core.secrets import ConfigurationError, with_secret_key
from appfleet.core.settings import Settings, StorageSettings
from appfleet.core.startup import resume_collection
from appfleet.core.tasks import Schedule, Task
from appfleet.platform.admin.dashboard_router import router as admin_dashboard_router
from appfleet.platform.admin.limits_router import router as admin_limits_router
from appfleet.platform.admin.moderation_router import router as admin_moderation_router
from appfleet.platform.admin.outbox_router import router as admin_outbox_router
from appfleet.platform.admin.router import router as admin_router
from appfleet.platform.admin.users_router import router as admin_users_router
from appfleet.platform.ai.factory import ai_service
from appfleet.platform.ai.service import AiService
from appfleet.platform.auth.apple import AppleGrants
from appfleet.platform.auth.deps import token_identity
from appfleet.platform.auth.digest import TokenDigest
from appfleet.platform.auth.federated import IdentityVerifier, providers_from
from appfleet.platform.auth.passwords import Passwords
from appfleet.platform.auth.router import router as auth_router
from appfleet.platform.auth.runtime import AuthRuntime
from appfleet.platform.auth.tokens import TokenCodec
from appfleet.platform.auth.totp import SecretBox
from appfleet.platform.billing.events import PROCESS as BILLING_PROCESS
from appfleet.platform.billing.factory import billing_runtime
from appfleet.platform.billing.pages import router as billing_pages
from appfleet.platform.billing.router import router as billing_router
from appfleet.platform.billing.runtime import Billing
from appfleet.platform.billing.webhooks import router as stripe_webhooks
from appfleet.platform.console.routers import CONSOLE_ROUTERS
from appfleet.platform.flags.admin_router import router as flags_admin_router
from appfleet.platform.flags.gate import VersionGate
from appfleet.platform.flags.router import router as flags_router
from appfleet.platform.flags.service import FlagStore
from appfleet.platform.info.router import router as info_router
from appfleet.platform.internal.router import router as internal_router
from appfleet.platform.locales.jobs import TRANSLATE as LOCALES_TRANSLATE
from appfleet.platform.locales.router import router as locales_router
from appfleet.platform.notifications.jobs import PRUNE as NOTIFICATIONS_PRUNE
from appfleet.platform.notifications.jobs import PRUNE_DAILY as NOTIFICATIONS_PRUNE_DAILY
from appfleet.platform.notifications.router import router as notifications_router
from appfleet.platform.privacy.jobs import PURGE, PURGE_HOURLY
from appfleet.platform.privacy.router import router as privacy_router
from appfleet.platform.realtime.router import router as realtime_router
from appfleet.platform.uploads.jobs import PRUNE as UPLOADS_PRUNE
from appfleet.platform.uploads.jobs import PRUNE_DAILY as UPLOADS_PRUNE_DAILY
from appfleet.platform.uploads.router import router as uploads_router
from appfleet.platform.uploads.service import VARIANT as UPLOAD_VARIANT
from appfleet.platform.users.router import router as users_router
from appfleet.platform.users.service import ProfileCache
from appfleet.providers.email.senders import email_sender
from appfleet.providers.email.suppression import SuppressingSender
from appfleet.providers.email.tracking import EmailTracker, TrackingSender
from appfleet.providers.email.tracking import router as email_tracking
from appfleet.providers.email.webhooks import router as email_webhooks
from appfleet.providers.push.apns import http2_client
from appfleet.providers.push.sender import PushSender, push_clients, sends_through_apns
from appfleet.providers.storage.base import Storage
from appfleet.providers.storage.factory import storage_from
from appfleet.providers.storage.router import router as media_router
from appfleet.runtime import analytics as analytics_counters
from appfleet.runtime.analytics import Analytics, DatabaseCounters, RedisCounters
from appfleet.runtime.cache import Cache, MemoryCache, NearCache
from appfleet.runtime.edge import EdgeCache
from appfleet.runtime.jobs.housekeeping import PRUNE, PRUNE_DAILY
from appfleet.runtime.jobs.runner import JobRunner, catalog
from appfleet.runtime.limits import LimitBook
from appfleet.runtime.outbox import DELIVER, LocalSender, Senders
from appfleet.runtime.presence import MemoryPresence, RedisPresence, Relay
from appfleet.runtime.ratelimit import (
    DefaultLimitMiddleware,
    MemoryRateLimiter,
    RedisRateLimiter,
    SyncedRateLimiter,
)
from appfleet.runtime.realtime import Broker, MemoryBroker, RedisBroker
from appfleet.runtime.redis import create_redis
from appfleet.runtime.revocation import DatabaseSource, RedisSource, Revocations, RevocationSource

log = get_logger("appfleet")

# Routers every app gets under its own prefix, in addition to its own.
PLATFORM_ROUTERS = (
    info_router,
    auth_router,
    users_router,
    privacy_router,
    realtime_router,
    notifications_router,
    uploads_router,
    billing_router,
    locales_router,
    flags_router,
)
PLATFORM_TASKS: tuple[Task, ...] = (
    DELIVER,
    PRUNE,
    PURGE,
    analytics_counters.PRUNE,
    NOTIFICATIONS_PRUNE,
    UPLOAD_VARIANT,
    UPLOADS_PRUNE,
    BILLING_PROCESS,
    LOCALES_TRANSLATE,
)
PLATFORM_SCHEDULES: tuple[Schedule, ...] = (
    PRUNE_DAILY,
    PURGE_HOURLY,
    analytics_counters.PRUNE_DAILY,
    NOTIFICATIONS_PRUNE_DAILY,
    UPLOADS_PRUNE_DAILY,
)


@dataclass(frozen=True, slots=True)
class Services:
    """The process-wide clients of vendors that the API, workers and CLI commands share."""

    registry: AppRegistry
    http: httpx2.AsyncClient
    # APNs speaks only HTTP/2; everything else shares the HTTP/1.1 pool. Made only when some app
    # sends through APNs: each pool loads the CA bundle, a tenth of a second of a cold start.
    http2: httpx2.AsyncClient | None
    apple: AppleGrants
    storage: Storage


@asynccontextmanager
async def services(settings: Settings, registry: AppRegistry) -> AsyncIterator[Services]:
    """Open the vendor clients for one process, and close them after."""
    secret = settings.secret_key.get_secret_value() if settings.secret_key else ""
    # Connection reuse and explicit timeouts for every outbound call.
    async with contextlib.AsyncExitStack() as stack:
        http = await stack.enter_async_context(
            httpx2.AsyncClient(timeout=httpx2.Timeout(5.0, connect=3.0))
        )
        http2 = None
        if any(sends_through_apns(app.config) for app in registry):
            pool = http2_client(settings.push.timeout_s, settings.push.apns_ca_file)
            http2 = await stack.enter_async_context(pool)
        apple = AppleGrants(http, settings.auth.apple_api_url, SecretBox(secret), registry)
        storage = storage_from(settings, http)
        yield Services(registry=registry, http=http, http2=http2, apple=apple, storage=storage)


def job_runner(
    settings: Settings,
    db: Database,
    clock: Clock,
    clients: Services,
    process: Mapping[type, object],
) -> JobRunner:
    """The platform's and the mounted apps' tasks and schedules, with what tasks may use:
    the vendor clients, and the process's own services (`process`: its cache, AI)."""
    registry = clients.registry
    manifests = registry.manifests.values()
    tasks = catalog([*PLATFORM_TASKS, *(task for m in manifests for task in m.tasks)])
    schedules = [*PLATFORM_SCHEDULES, *(schedule for m in manifests for schedule in m.schedules)]
    email = email_sender(settings.email, clients.http)
    tracker = email_tracker(settings, registry)
    push = PushSender(db, clock, push_clients(registry, settings.push, clients.http, clients.http2))
    resources: dict[type, object] = {
        Settings: settings,
        AppRegistry: registry,
        AppleGrants: clients.apple,
        Storage: clients.storage,
        StorageSettings: settings.storage,
        **process,
        Senders: Senders(
            by_channel={
                # Every email, whoever delivers it, passes the suppression list first, and
                # opted-in templates get their open pixel and tracked links.
                "email": SuppressingSender(TrackingSender(email or LocalSender(), tracker), db),
                "push": push,
            }
        ),
    }
    return JobRunner(db, clock, settings.jobs, tasks, schedules, resources)


def email_tracker(settings: Settings, registry: AppRegistry) -> EmailTracker:
    secret = settings.secret_key.get_secret_value() if settings.secret_key else ""
    return EmailTracker(secret, settings.public_url, registry)


@asynccontextmanager
async def platform_clients(settings: Settings) -> AsyncIterator[Services]:
    """The vendor clients for commands run outside the API (worker, purge)."""
    settings = with_secret_key(settings)
    async with services(settings, AppRegistry(MANIFESTS, settings)) as clients:
        yield clients


def runs_jobs_in_process(settings: Settings, db: Database) -> bool:
    embedded = settings.jobs.embedded_worker
    return db.is_sqlite if embedded is None else embedded


def create_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    manifests: Iterable[AppManifest] = MANIFESTS,
) -> FastAPI:
    settings = with_secret_key(settings)
    configure_logging(settings.log, cache=settings.env != "test", batch=settings.env != "test")
    registry = AppRegistry(manifests, settings)
    clock = clock or Clock()
    if settings.secret_key is None:  # with_secret_key sets it; this keeps the type honest
        raise ConfigurationError("APPFLEET_SECRET_KEY is not set")
    secret = settings.secret_key.get_secret_value()
    tokens = TokenCodec(secret)
    passwords = Passwords(settings.auth)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with services(settings, registry) as clients:
            async with _running(app, clients):
                yield

    @asynccontextmanager
    async def _running(app: FastAPI, clients: Services) -> AsyncIterator[None]:
        db = Database(settings.database_url, settings.database)
        redis = create_redis(settings.redis)
        app.state.db = db
        app.state.redis = redis
        app.state.storage = clients.storage
        source: RevocationSource = RedisSource(redis) if redis is not None else DatabaseSource(db)
        revocations = Revocations(source, clock)
        identities = IdentityVerifier(
            clients.http,
            providers_from(settings.auth.apple_jwks_url, settings.auth.google_jwks_url),
            settings.auth.jwks_cache_s,
        )
        box = SecretBox(secret)
        app.state.limiter = (
            RedisRateLimiter(redis, clock) if redis is not None else MemoryRateLimiter(clock)
        )
        # Checked on every request: decided in process, shared through Redis every 100 ms.
        synced = SyncedRateLimiter(redis, clock) if redis is not None else None
        app.state.default_limiter = synced or app.state.limiter
        cache = NearCache(redis) if redis is not None else MemoryCache()
        broker = RedisBroker(redis) if redis is not None else MemoryBroker()
        app.state.broker = broker
        relay = Relay(broker)
        presence = RedisPresence(redis, relay) if redis is not None else MemoryPresence(relay)
        app.state.presence = presence
        # Per-process subscriptions: cache invalidations and realtime events from other processes.
        listeners = [asyncio.create_task(cache.listen())] if isinstance(cache, NearCache) else []
        if isinstance(broker, RedisBroker):
            listeners.append(asyncio.create_task(broker.listen()))
        listeners.append(asyncio.create_task(relay.run()))
        if isinstance(presence, RedisPresence):
            listeners += [
                asyncio.create_task(presence.listen()),
                asyncio.create_task(presence.run()),
            ]
        syncing = asyncio.create_task(synced.run()) if synced is not None else None
        counters = RedisCounters(redis) if redis is not None else DatabaseCounters(db)
        app.state.analytics = analytics = Analytics(counters, clock)
        flushing = asyncio.create_task(analytics.run())
        app.state.cache = cache
        app.state.limits = limits = LimitBook(db, settings.ratelimit, settings.ai)
        app.state.ai = ai = ai_service(
            settings.ai, db, cache, clock, clients.http, registry, limits
        )
        app.state.profiles = ProfileCache(app.state.cache, registry)
        app.state.flags = FlagStore(db, cache)
        app.state.auth = AuthRuntime(
            settings=settings.auth,
            database=db,
            tokens=tokens,
            passwords=passwords,
            revocations=revocations,
            limiter=app.state.limiter,
            identities=identities,
            secret_box=box,
            profiles=app.state.profiles,
            digest=TokenDigest(secret),
            apple=clients.apple,
        )
        app.state.billing = billing = billing_runtime(
            settings, registry, cache, clock, clients.http
        )
        process = {
            Cache: cache,
            AiService: ai,
            Billing: billing,
            Broker: broker,
            FlagStore: app.state.flags,
        }
        jobs = job_runner(settings, db, clock, clients, process)
        app.state.jobs = jobs
        app.state.health_checks = {"database": db.ping}
        if redis is not None:
            app.state.health_checks["redis"] = redis.ping
        app.state.degradable_checks = frozenset({"redis"})
        await _warn_if_schema_is_behind(db)
        if runs_jobs_in_process(settings, db):
            jobs.start(schedule=settings.jobs.scheduler)
        resume_collection()
        log.info(
            "started",
            pid=os.getpid(),
            version=__version__,
            env=settings.env,
            database=db.dialect,
            redis=redis is not None,
            apps=registry.names,
        )
        try:
            yield
        finally:
            stop_batching()
            await jobs.stop()
            if synced is not None and syncing is not None:
                synced.stop()
                await syncing
            analytics.stop()
            await flushing
            for listener in listeners:
                listener.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await listener
            if redis is not None:
                await redis.aclose()
            await db.dispose()

    middleware = [
        Middleware(
            RequestContextMiddleware,
            hsts=settings.http.hsts,
            access_log=settings.log.access,
            max_body_bytes=settings.http.max_body_bytes,
        ),
        Middleware(DefaultLimitMiddleware, identify=token_identity(tokens, clock)),
        Middleware(VersionGate),
        Middleware(CompressionMiddleware, minimum_size=settings.http.gzip_min_bytes),
    ]
    if settings.http.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=settings.http.cors_origins,
                allow_methods=["*"],
                allow_headers=["*"],
                expose_headers=[
                    "X-Request-ID",
                    "Retry-After",
                    "X-RateLimit-Limit",
                    "X-RateLimit-Remaining",
                ],
            )
        )

    app = FleetAPI(
        title="appfleet",
        version=__version__,
        summary="One backend for a fleet of mobile apps.",
        lifespan=lifespan,
        middleware=middleware,
        redoc_url=None,
        generate_unique_id_function=operation_id,
        # Metrics and logs are our own (core/metrics.py, core/logging.py); FastAPI's native
        # OpenTelemetry hooks would otherwise be consulted on every request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    app.state.registry = registry
    app.state.clock = clock
    app.state.openapi_by_app = {}
    app.state.email_tracker = email_tracker(settings, registry)
    for error_type, handler in EXCEPTION_HANDLERS.items():
        app.add_exception_handler(error_type, handler)

    app.include_router(health_router)
    app.include_router(internal_router)
    app.include_router(email_webhooks)
    app.include_router(media_router)
    app.include_router(email_tracking)
    app.include_router(stripe_webhooks)
    app.include_router(billing_pages)
    app.include_router(admin_router)
    app.include_router(admin_users_router)
    app.include_router(admin_outbox_router)
    app.include_router(admin_moderation_router)
    app.include_router(admin_dashboard_router)
    app.include_router(admin_limits_router)
    app.include_router(flags_admin_router)
    for console_router in CONSOLE_ROUTERS:
        app.include_router(console_router)
    dispatch = AppDispatch(app.router)
    edge = EdgeCache(dispatch)
    for context in registry:
        manifest = registry.manifests[context.name]
        routers: list[APIRouter] = list(PLATFORM_ROUTERS)
        for router in PLATFORM_ROUTERS:
            app.include_router(router, prefix=context.prefix)
        if manifest.router is not None:
            own = manifest.router()
            app.include_router(own, prefix=context.prefix, tags=[context.name])
            routers.append(own)
        dispatch.add(context, routers)
        edge.add(context.prefix, manifest.public_pages)
    app.dispatch = edge
    return app


async def _warn_if_schema_is_behind(db: Database) -> None:
    # The process starts even when the database is away: readiness reports it, and requests
    # succeed again once it is back, without a restart.
    try:
        schema = await migrate.state(db)
    except Exception as exc:  # any driver error means "cannot tell now"
        log.warning("database_unreachable_at_start", error=f"{type(exc).__name__}: {exc}")
        return
    if schema.pending:
        log.warning(
            "migrations_pending",
            current=schema.current,
            head=schema.head,
            hint="run `appfleet migrate`",
        )


def app_from_environment() -> FastAPI:
    """Entry point for uvicorn/gunicorn workers: settings from the environment."""
    return create_app(Settings())
