"""Administering flags, experiments and releases. Every change is audited and forgets the
snapshots it affects once it commits."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.core.clock import Clock
from appfleet.core.errors import Conflict, NotFound, ValidationFailed
from appfleet.platform.audit import service as audit
from appfleet.platform.audit.service import Origin
from appfleet.platform.flags import stats
from appfleet.platform.flags.models import (
    AppRelease,
    Experiment,
    ExperimentConversion,
    ExperimentExposure,
    FeatureFlag,
)
from appfleet.platform.flags.rules import BUCKETS, version
from appfleet.platform.flags.schemas import (
    ArmResult,
    AudienceRules,
    ExperimentRead,
    ExperimentResults,
    ExperimentWrite,
    FlagRead,
    FlagWrite,
    ReleaseRead,
    ReleaseWrite,
    VariantWeight,
)
from appfleet.platform.flags.service._store import FlagStore


@dataclass(frozen=True, slots=True)
class AdminEdit:
    """An admin's change: the unit of work it is written in, who makes it from where, and the
    snapshots it must forget."""

    session: AsyncSession
    store: FlagStore
    clock: Clock
    origin: Origin
    by: uuid.UUID

    async def audit(self, action: str, **details: Any) -> None:
        await audit.record(self.session, self.clock, self.origin, action, self.by, **details)

    def forget(self, app: str | None) -> None:
        self.store.forget(self.session, app)


def _in(app: str | None) -> ColumnElement[bool]:
    """The flags of `app`, or the deployment-wide ones."""
    return FeatureFlag.app.is_(None) if app is None else FeatureFlag.app == app


def flag_read(flag: FeatureFlag) -> FlagRead:
    return FlagRead(
        key=flag.key,
        app=flag.app,
        description=flag.description,
        enabled=flag.enabled,
        killed=flag.killed,
        rollout_percent=flag.rollout_bp / 100,
        audience=AudienceRules.model_validate(flag.audience),
        updated_at=flag.updated_at,
    )


async def list_flags(session: AsyncSession, app: str | None) -> list[FlagRead]:
    rows = await session.scalars(select(FeatureFlag).where(_in(app)).order_by(FeatureFlag.key))
    return [flag_read(f) for f in rows]


async def _flag(session: AsyncSession, app: str | None, key: str) -> FeatureFlag | None:
    return await session.scalar(select(FeatureFlag).where(_in(app), FeatureFlag.key == key))


async def _existing(session: AsyncSession, app: str | None, key: str) -> FeatureFlag:
    flag = await _flag(session, app, key)
    if flag is None:
        raise NotFound(f"No flag {key!r}")
    return flag


async def put_flag(
    edit: AdminEdit, app: str | None, key: str, change: FlagWrite
) -> tuple[FlagRead, bool]:
    """Create or replace the flag: (it, whether it was created)."""
    now = edit.clock.now()
    flag = await _flag(edit.session, app, key)
    created = flag is None
    if flag is None:
        flag = FeatureFlag(app=app, key=key, salt=secrets.token_hex(8), created_at=now)
        edit.session.add(flag)
    flag.description = change.description
    flag.enabled = change.enabled
    flag.killed = change.killed
    flag.rollout_bp = round(change.rollout_percent * BUCKETS / 100)
    flag.audience = change.audience.model_dump(mode="json", exclude_defaults=True)
    flag.updated_at, flag.updated_by = now, edit.by
    await edit.session.flush()
    edit.forget(app)
    await edit.audit(
        "flag_changed",
        flag=key,
        scope=app,
        created=created,
        enabled=flag.enabled,
        killed=flag.killed,
        rollout_bp=flag.rollout_bp,
        audience=flag.audience,
    )
    return flag_read(flag), created


async def kill_flag(edit: AdminEdit, app: str | None, key: str) -> FlagRead:
    """The kill switch: off for everyone now, whatever its rollout says."""
    flag = await _existing(edit.session, app, key)
    flag.killed, flag.updated_at, flag.updated_by = True, edit.clock.now(), edit.by
    edit.forget(app)
    await edit.audit("flag_killed", flag=key, scope=app)
    return flag_read(flag)


async def delete_flag(edit: AdminEdit, app: str | None, key: str) -> None:
    flag = await _existing(edit.session, app, key)
    await edit.session.delete(flag)
    edit.forget(app)
    await edit.audit("flag_deleted", flag=key, scope=app)


def experiment_read(row: Experiment) -> ExperimentRead:
    return ExperimentRead(
        key=row.key,
        app=row.app,
        description=row.description,
        status=row.status,
        variants=[VariantWeight.model_validate(v) for v in row.variants],
        conversion_event=row.conversion_event,
        audience=AudienceRules.model_validate(row.audience),
        winner=row.winner,
        started_at=row.started_at,
        stopped_at=row.stopped_at,
    )


async def list_experiments(session: AsyncSession, app: str) -> list[ExperimentRead]:
    rows = await session.scalars(
        select(Experiment).where(Experiment.app == app).order_by(Experiment.key)
    )
    return [experiment_read(e) for e in rows]


async def experiment(session: AsyncSession, app: str, key: str) -> Experiment:
    row = await session.scalar(
        select(Experiment).where(Experiment.app == app, Experiment.key == key)
    )
    if row is None:
        raise NotFound(f"No experiment {key!r}")
    return row


async def put_experiment(
    edit: AdminEdit, app: str, key: str, change: ExperimentWrite
) -> tuple[ExperimentRead, bool]:
    """Create or edit a draft experiment. Once it has run, its arms and audience stay as they
    were (changing them would mix two experiments in one result); only the description may."""
    now = edit.clock.now()
    row = await edit.session.scalar(
        select(Experiment).where(Experiment.app == app, Experiment.key == key)
    )
    created = row is None
    variants = [v.model_dump() for v in change.variants]
    audience = change.audience.model_dump(mode="json", exclude_defaults=True)
    if row is None:
        row = Experiment(
            app=app,
            key=key,
            status="draft",
            salt=secrets.token_hex(8),
            created_at=now,
            variants=variants,
            audience=audience,
            conversion_event=change.conversion_event,
        )
        edit.session.add(row)
    elif row.status != "draft" and (
        variants != row.variants
        or audience != row.audience
        or change.conversion_event != row.conversion_event
    ):
        raise Conflict(
            f"Experiment {key!r} has {row.status}; its arms, audience and event are fixed",
            details={"reason": "experiment_started", "status": row.status},
        )
    row.description = change.description
    row.variants, row.audience, row.conversion_event = variants, audience, change.conversion_event
    row.updated_at = now
    await edit.session.flush()
    await edit.audit("experiment_changed", experiment=key, created=created)
    return experiment_read(row), created


async def start(edit: AdminEdit, app: str, key: str) -> ExperimentRead:
    row = await experiment(edit.session, app, key)
    if row.status != "draft":
        raise Conflict(
            f"Experiment {key!r} has already {row.status}",
            details={"reason": "experiment_started", "status": row.status},
        )
    row.status, row.started_at, row.updated_at = "running", edit.clock.now(), edit.clock.now()
    edit.forget(app)
    await edit.audit("experiment_started", experiment=key)
    return experiment_read(row)


async def stop(edit: AdminEdit, app: str, key: str, winner: str | None) -> ExperimentRead:
    """End the experiment; with a winner, everyone gets that arm from now on."""
    row = await experiment(edit.session, app, key)
    names = [v["name"] for v in row.variants]
    if winner is not None and winner not in names:
        raise ValidationFailed(
            f"{winner!r} is not an arm of {key!r}", details={"field": "winner", "arms": names}
        )
    if row.status == "draft":
        raise Conflict(f"Experiment {key!r} has not started", details={"reason": "not_started"})
    if row.status == "running":
        row.status, row.stopped_at = "stopped", edit.clock.now()
    row.winner, row.updated_at = winner, edit.clock.now()
    edit.forget(app)
    await edit.audit("experiment_stopped", experiment=key, winner=winner)
    return experiment_read(row)


async def results(session: AsyncSession, app: str, key: str) -> ExperimentResults:
    row = await experiment(session, app, key)
    exposed = dict(
        (
            await session.execute(
                select(ExperimentExposure.variant, func.count())
                .where(ExperimentExposure.experiment_id == row.id)
                .group_by(ExperimentExposure.variant)
            )
        ).all()
    )
    converted = dict(
        (
            await session.execute(
                select(ExperimentConversion.variant, func.count())
                .where(
                    ExperimentConversion.experiment_id == row.id,
                    ExperimentConversion.event == row.conversion_event,
                )
                .group_by(ExperimentConversion.variant)
            )
        ).all()
    )
    names = [v["name"] for v in row.variants]
    control = names[0]
    base = (int(converted.get(control, 0)), int(exposed.get(control, 0)))
    arms = []
    for name in names:
        users, conversions = int(exposed.get(name, 0)), int(converted.get(name, 0))
        low, high = stats.wilson(conversions, users)
        arm = ArmResult(
            variant=name,
            users=users,
            conversions=conversions,
            conversion_rate=stats.rate(conversions, users),
            rate_low=low,
            rate_high=high,
        )
        if name != control and (found := stats.compare(base, (conversions, users))) is not None:
            arm.difference, arm.difference_low, arm.difference_high = (
                found.difference,
                found.low,
                found.high,
            )
            arm.z, arm.p_value, arm.significant = found.z, found.p_value, found.p_value < 0.05
        arms.append(arm)
    return ExperimentResults(
        key=row.key,
        status=row.status,
        conversion_event=row.conversion_event,
        control=control,
        arms=arms,
    )


def release_read(row: AppRelease) -> ReleaseRead:
    return ReleaseRead(
        app=row.app,
        platform=row.platform,
        min_version=row.min_version,
        recommended_version=row.recommended_version,
        store_url=row.store_url,
        updated_at=row.updated_at,
    )


async def list_releases(session: AsyncSession, app: str) -> list[ReleaseRead]:
    rows = await session.scalars(
        select(AppRelease).where(AppRelease.app == app).order_by(AppRelease.platform)
    )
    return [release_read(r) for r in rows]


async def put_release(
    edit: AdminEdit, app: str, platform: str, change: ReleaseWrite
) -> ReleaseRead:
    parsed: dict[str, tuple[int, ...]] = {}
    for field in ("min_version", "recommended_version"):
        text = getattr(change, field)
        if text is None:
            continue
        found = version(text)
        if found is None:
            raise ValidationFailed(
                f"{field}: {text!r} is not a version such as 2.3.1", details={"field": field}
            )
        parsed[field] = found
    minimum, recommended = parsed.get("min_version"), parsed.get("recommended_version")
    if minimum is not None and recommended is not None and recommended < minimum:
        raise ValidationFailed(
            "recommended_version must not be below min_version",
            details={"field": "recommended_version"},
        )
    row = await edit.session.get(AppRelease, (app, platform))
    if row is None:
        row = AppRelease(app=app, platform=platform)
        edit.session.add(row)
    row.min_version, row.recommended_version = change.min_version, change.recommended_version
    row.store_url, row.updated_at = change.store_url, edit.clock.now()
    await edit.session.flush()
    edit.forget(app)
    await edit.audit(
        "release_changed",
        platform=platform,
        min_version=change.min_version,
        recommended_version=change.recommended_version,
    )
    return release_read(row)


async def delete_release(edit: AdminEdit, app: str, platform: str) -> None:
    row = await edit.session.get(AppRelease, (app, platform))
    if row is None:
        raise NotFound(f"No release config for {platform}")
    await edit.session.delete(row)
    edit.forget(app)
    await edit.audit("release_deleted", platform=platform)
