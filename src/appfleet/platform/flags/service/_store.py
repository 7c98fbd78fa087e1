"""Each app's snapshot: its flags, running experiments and releases compiled once, cached
(near-cached in every process with Redis), and forgotten after any change commits — every
process drops its copy on the invalidation, so a change shows everywhere at once."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.core.database import Database, unit_of_work
from appfleet.core.registry import AppContext
from appfleet.platform.billing import service as billing_service
from appfleet.platform.billing.runtime import Billing
from appfleet.platform.flags.models import AppRelease, Experiment, FeatureFlag
from appfleet.platform.flags.rules import (
    EMPTY,
    Audience,
    Flag,
    Release,
    Snapshot,
    Subject,
    arms_of,
    version,
)
from appfleet.platform.flags.rules import Experiment as Compiled
from appfleet.platform.users.models import User
from appfleet.runtime.cache import Cache, ParsedOnce, forget_after_commit, read_through

SNAPSHOT_PREFIX = "flags:snapshot:"
SNAPSHOT_TTL_S = 3600  # changes forget it at once; the TTL only bounds a lost invalidation
EXPOSURES_REMEMBERED = 100_000


class FlagStore:
    def __init__(self, db: Database, cache: Cache) -> None:
        self.db = db
        self.cache = cache
        self._parsers: dict[str, ParsedOnce[Snapshot]] = {}
        # (experiment, user) pairs whose exposure this process has stored: a client reading its
        # flags on every launch costs one write per experiment, not one per launch.
        self._exposed: set[tuple[int, str]] = set()

    async def snapshot(self, app: str) -> Snapshot:
        async def load() -> bytes:
            async with unit_of_work(self.db, write=False) as session:
                return await dump(session, app)

        raw = await read_through(self.cache, SNAPSHOT_PREFIX + app, SNAPSHOT_TTL_S, load)
        if raw is None:
            return EMPTY
        parse = self._parsers.get(app)
        if parse is None:
            parse = self._parsers[app] = ParsedOnce(parse_snapshot)
        return parse(raw)

    def forget(self, session: AsyncSession, app: str | None) -> None:
        """Drop `app`'s snapshot (None: every app's) once the change commits."""
        if app is None:
            forget_after_commit(session, self.cache, prefix=SNAPSHOT_PREFIX)
        else:
            forget_after_commit(session, self.cache, SNAPSHOT_PREFIX + app)

    def unseen(self, experiment_id: int, user_id: str) -> bool:
        return (experiment_id, user_id) not in self._exposed

    def seen(self, pairs: Iterable[tuple[int, str]]) -> None:
        if len(self._exposed) >= EXPOSURES_REMEMBERED:
            self._exposed.clear()
        self._exposed.update(pairs)


async def subject_of(
    session: AsyncSession, billing: Billing, app: AppContext, user: User
) -> Subject:
    """Who flags are evaluated for: the user's plan here (cached), country and signup day."""
    return subject(app, user, await billing_service.current_plan(session, billing, app, user.id))


def subject(app: AppContext, user: User, plan: str) -> Subject:
    return Subject(
        user_id=str(user.id),
        app=app.name,
        plan=plan,
        country=user.country,
        signed_up=user.created_at.date(),
    )


async def dump(session: AsyncSession, app: str) -> bytes:
    flags = await session.scalars(
        select(FeatureFlag)
        .where((FeatureFlag.app == app) | FeatureFlag.app.is_(None))
        .order_by(FeatureFlag.app.is_not(None))  # deployment-wide first: the app's own win
    )
    experiments = await session.scalars(
        select(Experiment).where(
            Experiment.app == app,
            (Experiment.status == "running") | Experiment.winner.is_not(None),
        )
    )
    releases = await session.scalars(select(AppRelease).where(AppRelease.app == app))
    return orjson.dumps(
        {
            "flags": [
                [f.key, f.enabled and not f.killed, f.rollout_bp, f.audience, f.salt] for f in flags
            ],
            "experiments": [
                [
                    e.id,
                    e.key,
                    e.status == "running",
                    e.variants,
                    e.audience,
                    e.salt,
                    e.winner,
                    e.conversion_event,
                ]
                for e in experiments
            ],
            "releases": [
                [r.platform, r.min_version, r.recommended_version, r.store_url] for r in releases
            ],
        }
    )


def parse_snapshot(raw: bytes) -> Snapshot:
    data: dict[str, Any] = orjson.loads(raw)
    flags = {
        key: Flag(key, live, rollout, Audience.of(audience), salt)
        for key, live, rollout, audience, salt in data["flags"]
    }
    experiments = {
        key: Compiled(id_, key, running, arms_of(variants), Audience.of(aud), salt, winner, event)
        for id_, key, running, variants, aud, salt, winner, event in data["experiments"]
    }
    releases = {
        platform: Release(
            platform,
            version(minimum) if minimum else None,
            version(recommended) if recommended else None,
            minimum,
            recommended,
            store_url,
        )
        for platform, minimum, recommended, store_url in data["releases"]
    }
    return Snapshot(flags, experiments, releases)


def user_uuid(subject: Subject) -> uuid.UUID:
    return uuid.UUID(subject.user_id)
