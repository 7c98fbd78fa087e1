"""What a client (or an app's own code) asks: its evaluated flags, its arm of an experiment
(recording the exposure), a conversion, and the release config of its build."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.core.clock import Clock
from appfleet.core.database import insert, unit_of_work
from appfleet.platform.flags.models import ExperimentConversion, ExperimentExposure
from appfleet.platform.flags.rules import Release, Subject, version
from appfleet.platform.flags.schemas import ClientConfig, ClientFlags, ConversionRead
from appfleet.platform.flags.service._store import FlagStore, user_uuid


async def flags_for(store: FlagStore, clock: Clock, subject: Subject) -> ClientFlags:
    """Every flag's value and every experiment arm for the subject; first sights of an arm are
    stored as exposures (the users an experiment's results count)."""
    snapshot = await store.snapshot(subject.app)
    arms: dict[str, str] = {}
    fresh: list[tuple[int, str]] = []
    for experiment in snapshot.experiments.values():
        variant = experiment.variant_for(subject)
        if variant is None:
            continue
        arms[experiment.key] = variant
        if experiment.winner is None and store.unseen(experiment.id, subject.user_id):
            fresh.append((experiment.id, variant))
    if fresh:
        await _expose(store, clock, subject, fresh)
    return ClientFlags(flags=snapshot.evaluate(subject), experiments=arms)


async def variant(store: FlagStore, clock: Clock, key: str, subject: Subject) -> str | None:
    """The subject's arm of experiment `key` (None when it is not running or they are outside
    its audience: use the default), its exposure stored on first sight."""
    experiment = (await store.snapshot(subject.app)).experiments.get(key)
    if experiment is None:
        return None
    arm = experiment.variant_for(subject)
    if (
        arm is not None
        and experiment.winner is None
        and store.unseen(experiment.id, subject.user_id)
    ):
        await _expose(store, clock, subject, [(experiment.id, arm)])
    return arm


async def _expose(
    store: FlagStore, clock: Clock, subject: Subject, arms: list[tuple[int, str]]
) -> None:
    user_id = user_uuid(subject)
    # Its own short transaction: reading flags is a GET, and the first arm shown stands even
    # when the request that showed it fails later.
    async with unit_of_work(store.db) as session:
        await session.execute(
            insert(session, ExperimentExposure)
            .values(
                [
                    {
                        "experiment_id": experiment_id,
                        "user_id": user_id,
                        "variant": arm,
                        "exposed_at": clock.now(),
                    }
                    for experiment_id, arm in arms
                ]
            )
            .on_conflict_do_nothing()
        )
    store.seen((experiment_id, subject.user_id) for experiment_id, _ in arms)


async def convert(
    session: AsyncSession,
    store: FlagStore,
    clock: Clock,
    key: str,
    subject: Subject,
    event: str | None = None,
) -> ConversionRead:
    """Count the subject's conversion in their arm: once per event, only after exposure, only
    while the experiment runs."""
    experiment = (await store.snapshot(subject.app)).experiments.get(key)
    if experiment is None or not experiment.running or experiment.winner is not None:
        return ConversionRead(recorded=False, variant=None)
    user_id = user_uuid(subject)
    arm = await session.scalar(
        select(ExperimentExposure.variant).where(
            ExperimentExposure.experiment_id == experiment.id,
            ExperimentExposure.user_id == user_id,
        )
    )
    if arm is None:
        return ConversionRead(recorded=False, variant=None)
    result = await session.execute(
        insert(session, ExperimentConversion)
        .values(
            experiment_id=experiment.id,
            user_id=user_id,
            event=event or experiment.conversion_event,
            variant=arm,
            converted_at=clock.now(),
        )
        .on_conflict_do_nothing()
    )
    return ConversionRead(recorded=bool(getattr(result, "rowcount", 0)), variant=arm)


def update_needed(
    release: Release | None, client_version: tuple[int, ...] | None
) -> Literal["none", "recommended", "required"]:
    if release is None or client_version is None:
        return "none"
    if release.min_version is not None and client_version < release.min_version:
        return "required"
    if release.recommended_version is not None and client_version < release.recommended_version:
        return "recommended"
    return "none"


async def client_config(
    store: FlagStore, app: str, platform: str | None, client_version: str | None
) -> ClientConfig:
    release = (await store.snapshot(app)).release_for(platform)
    parsed = version(client_version) if client_version else None
    return ClientConfig(
        platform=platform or "any",
        version=client_version,
        min_version=release.min_text if release else None,
        recommended_version=release.recommended_text if release else None,
        store_url=release.store_url if release else None,
        update=update_needed(release, parsed),
    )
