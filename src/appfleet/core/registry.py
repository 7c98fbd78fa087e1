"""The app registry: which apps this deployment serves, and each one's effective configuration.

Apps declare themselves with an `AppManifest`; the composition root (`appfleet.main`) hands the
manifests in, so core never imports an app.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, TypeVar

from fastapi import APIRouter, Request
from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.core.errors import NotFound
from appfleet.core.secrets import ConfigurationError
from appfleet.core.settings import AppSettings, PlanSettings, Settings
from appfleet.core.tasks import Schedule, Task

API_PREFIX = "/api/v1"
M = TypeVar("M", bound=BaseModel)

# Privacy hooks an app registers: what it stores about a user (JSON-ready, for the export) and
# how to erase it (called by the purge, inside the purge's unit of work).
DataExporter = Callable[[AsyncSession, uuid.UUID], Awaitable[dict[str, Any]]]
DataEraser = Callable[[AsyncSession, uuid.UUID], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class PublicPage:
    """A GET route whose answer is the same for everyone: served from the cache before routing
    (runtime/edge.py) when its query holds only `params`. Entries live under `cache_prefix`, so
    deleting that prefix drops them; the route marks what may be stored `Cache-Control: public`."""

    path: str
    params: tuple[str, ...]
    cache_prefix: str
    ttl_s: int


@dataclass(frozen=True, slots=True)
class OrderQuote:
    """What an app's order costs, as the app priced it (a snapshot taken at checkout)."""

    order_id: str
    amount_cents: int
    currency: str
    description: str


@dataclass(frozen=True, slots=True)
class OrderHooks:
    """How billing settles an app's one-off orders: `quote` prices a pending order of the user
    (raising NotFound/Conflict when it cannot be paid), `paid` marks it paid (called once per
    order, in the unit of work that records the payment), `canceled` releases it."""

    quote: Callable[[AsyncSession, uuid.UUID, str], Awaitable[OrderQuote]]
    paid: Callable[[AsyncSession, str, int, str, datetime], Awaitable[None]]
    canceled: Callable[[AsyncSession, str, datetime], Awaitable[None]] | None = None


@dataclass(frozen=True, slots=True)
class Flagged:
    """One piece of members' content reported for moderation, as the admin queue shows it."""

    id: str
    author_id: uuid.UUID
    author_name: str
    text: str
    flag_count: int
    reasons: tuple[str, ...]
    created_at: datetime
    status: str  # the app's own: visible, removed...
    moderation: str | None  # the last decision: approved | warned | removed


ModerationAction = str  # approve | remove | warn


@dataclass(frozen=True, slots=True)
class ModerationHooks:
    """An app's moderation queue: `flagged` lists reported, undecided items (newest reports
    first, with the total), `decide` applies an action to one (NotFound for an unknown id) in
    the caller's unit of work; `resources` is the process's `app.state`, for the app's own
    services (caches, realtime, notifications)."""

    flagged: Callable[[AsyncSession, int, int], Awaitable[tuple[list[Flagged], int]]]
    decide: Callable[
        [AsyncSession, Any, AppContext, str, ModerationAction, str | None], Awaitable[Flagged]
    ]


@dataclass(frozen=True, slots=True)
class CatalogField:
    """One editable column of a catalog, as the console's form shows it."""

    name: str
    label: str
    kind: Literal["text", "long_text", "int", "bool", "choice"] = "text"
    choices: tuple[str, ...] = ()
    on_create_only: bool = False  # an identity (a slug): set once


@dataclass(frozen=True, slots=True)
class EditableCatalog:
    """Content of an app that admins edit from the console (a product list, a challenge
    catalog). `rows` lists every row as a dict with an "id" and the fields; `write` creates
    (`item_id` None) or changes one from the form's values, validating with the app's own
    schema before it writes anything (ValidationFailed, NotFound), auditing as `by` from
    `origin`, dropping caches; `resources` is the process's `app.state`."""

    key: str
    title: str
    permission: str
    fields: tuple[CatalogField, ...]
    rows: Callable[[AsyncSession], Awaitable[list[dict[str, Any]]]]
    write: Callable[
        [AsyncSession, Any, Any, uuid.UUID, str | None, dict[str, Any]],
        Awaitable[dict[str, Any]],
    ]


@dataclass(frozen=True, slots=True)
class AppManifest:
    """What an app package declares about itself."""

    name: str
    display_name: str
    summary: str
    router: Callable[[], APIRouter] | None = None
    features: tuple[str, ...] = ()
    # Apps in one identity group share accounts; None means the app is a group of its own.
    identity_group: str | None = None
    export_data: DataExporter | None = None
    erase_data: DataEraser | None = None
    # Background work: task names are global, so apps prefix them with their own name.
    tasks: tuple[Task, ...] = ()
    schedules: tuple[Schedule, ...] = ()
    # The app's own settings: `[app.<name>.settings]` is validated against this at start-up.
    settings_model: type[BaseModel] | None = None
    # Local AI composers for the app's purposes (the generator used without a model).
    ai_composers: Mapping[str, Callable[..., str]] = field(default_factory=dict)
    # Plans the app sells unless `[app.<name>.plans]` says otherwise (prices, limits).
    default_plans: Mapping[str, PlanSettings] = field(default_factory=dict)
    orders: OrderHooks | None = None
    moderation: ModerationHooks | None = None
    # What the admin dashboard charts per day for the app: a name and the timestamp column of
    # the rows to count (a check-in's created_at...).
    daily_series: Mapping[str, Any] = field(default_factory=dict)
    catalogs: tuple[EditableCatalog, ...] = ()
    public_pages: tuple[PublicPage, ...] = ()
    # Realtime topics every signed-in member may follow (`/realtime/events?topic=`).
    topics: tuple[str, ...] = ()
    # Topics whose WebSocket followers are shown to each other as online, with their screen.
    presence: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if unknown := set(self.presence) - set(self.topics):
            raise ValueError(f"{self.name}: presence on undeclared topics {sorted(unknown)}")


@dataclass(frozen=True, slots=True)
class AppContext:
    """One mounted app as a request sees it."""

    name: str
    display_name: str
    summary: str
    identity_group: str
    features: tuple[str, ...]
    config: AppSettings = field(repr=False)
    export_data: DataExporter | None = field(default=None, repr=False)
    erase_data: DataEraser | None = field(default=None, repr=False)
    options: BaseModel | None = field(default=None, repr=False)
    plans: Mapping[str, PlanSettings] = field(default_factory=dict, repr=False)
    orders: OrderHooks | None = field(default=None, repr=False)
    moderation: ModerationHooks | None = field(default=None, repr=False)
    daily_series: Mapping[str, Any] = field(default_factory=dict, repr=False)
    catalogs: tuple[EditableCatalog, ...] = field(default=(), repr=False)
    topics: tuple[str, ...] = ()
    presence: tuple[str, ...] = ()

    @property
    def prefix(self) -> str:
        return f"{API_PREFIX}/{self.name}"

    def settings_as(self, model: type[M]) -> M:
        """The app's own validated settings (its manifest's `settings_model`)."""
        if not isinstance(self.options, model):
            raise LookupError(f"app {self.name} has no {model.__name__} settings")
        return self.options


class AppRegistry:
    def __init__(self, manifests: Iterable[AppManifest], settings: Settings) -> None:
        known = {manifest.name: manifest for manifest in manifests}
        wanted = settings.apps or list(known)
        unknown = sorted(set(wanted) - set(known)) + sorted(set(settings.app) - set(known))
        if unknown:
            raise ConfigurationError(
                f"APPFLEET_APPS / [app.*]: unknown app(s) {', '.join(unknown)}; "
                f"known: {', '.join(sorted(known))}"
            )
        self.manifests: Mapping[str, AppManifest] = {name: known[name] for name in wanted}
        self._contexts = {
            name: _context(manifest, settings.app.get(name, AppSettings()))
            for name, manifest in self.manifests.items()
        }

    def __iter__(self) -> Iterator[AppContext]:
        return iter(self._contexts.values())

    def __contains__(self, name: object) -> bool:
        return name in self._contexts

    @property
    def names(self) -> list[str]:
        return list(self._contexts)

    def in_group(self, identity_group: str) -> list[str]:
        """The mounted apps whose accounts are shared with `identity_group`."""
        return [c.name for c in self._contexts.values() if c.identity_group == identity_group]

    def get(self, name: str) -> AppContext:
        try:
            return self._contexts[name]
        except KeyError:
            raise NotFound(f"Unknown app {name!r}") from None

    def for_path(self, path: str) -> AppContext | None:
        """The app whose prefix `path` is under, if any."""
        if not path.startswith(API_PREFIX + "/"):
            return None
        name = path[len(API_PREFIX) + 1 :].split("/", 1)[0]
        return self._contexts.get(name)


def _context(manifest: AppManifest, config: AppSettings) -> AppContext:
    disabled = set(config.disabled_features)
    options = None
    if manifest.settings_model is not None:
        try:
            options = manifest.settings_model.model_validate(config.settings)
        except ValidationError as exc:
            raise ConfigurationError(f"[app.{manifest.name}.settings]: {exc}") from exc
    elif config.settings:
        raise ConfigurationError(f"[app.{manifest.name}.settings]: this app takes no settings")
    return AppContext(
        name=manifest.name,
        display_name=config.display_name or manifest.display_name,
        summary=manifest.summary,
        identity_group=config.identity_group or manifest.identity_group or manifest.name,
        features=tuple(f for f in manifest.features if f not in disabled),
        config=config,
        export_data=manifest.export_data,
        erase_data=manifest.erase_data,
        options=options,
        plans={**manifest.default_plans, **config.plans},
        orders=manifest.orders,
        moderation=manifest.moderation,
        daily_series=manifest.daily_series,
        catalogs=manifest.catalogs,
        topics=manifest.topics,
        presence=manifest.presence,
    )


async def current_app(request: Request) -> AppContext:
    """Dependency: the app named by the request's path prefix. Async: FastAPI runs sync
    dependencies in a thread pool, which would cost more than the lookup itself."""
    registry: AppRegistry = request.app.state.registry
    context = registry.for_path(request.scope["path"])
    if context is None:
        raise NotFound("This endpoint belongs to no app")
    return context
