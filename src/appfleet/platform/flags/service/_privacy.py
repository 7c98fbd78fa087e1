"""What the experiments know about a user, for their privacy export: each experiment of the
app they were shown, the arm, and the conversions counted for them."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.platform.flags.models import Experiment, ExperimentConversion, ExperimentExposure


async def export(session: AsyncSession, app: str, user_id: uuid.UUID) -> list[dict[str, Any]]:
    seen, done = ExperimentExposure, ExperimentConversion
    exposures = await session.execute(
        select(Experiment.id, Experiment.key, seen.variant, seen.exposed_at)
        .join(seen, seen.experiment_id == Experiment.id)
        .where(Experiment.app == app, seen.user_id == user_id)
        .order_by(seen.exposed_at)
    )
    conversions = await session.execute(
        select(done.experiment_id, done.event, done.converted_at).where(done.user_id == user_id)
    )
    converted: dict[int, list[dict[str, str]]] = {}
    for experiment_id, event, at in conversions.all():
        converted.setdefault(experiment_id, []).append({"event": event, "at": at.isoformat()})
    return [
        {
            "experiment": key,
            "variant": variant,
            "exposed_at": exposed_at.isoformat(),
            "conversions": converted.get(experiment_id, []),
        }
        for experiment_id, key, variant, exposed_at in exposures.all()
    ]
