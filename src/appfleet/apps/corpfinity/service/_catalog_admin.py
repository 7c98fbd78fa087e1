"""Editing the challenge catalog (the `content` permission in CorpFinity): every challenge,
offered or not, and writing one. A change drops the cached catalog once it commits."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.corpfinity.models import Challenge
from appfleet.apps.corpfinity.schemas import ChallengeAdminRead, ChallengeWrite
from appfleet.apps.corpfinity.service._common import CATALOG_PREFIX, Runtime
from appfleet.platform.audit import service as audit
from appfleet.platform.audit.service import Origin
from appfleet.runtime.cache import forget_after_commit


async def every(session: AsyncSession) -> list[ChallengeAdminRead]:
    rows = await session.scalars(select(Challenge).order_by(Challenge.id))
    return [ChallengeAdminRead.model_validate(r) for r in rows]


async def put(
    session: AsyncSession,
    rt: Runtime,
    origin: Origin,
    by: uuid.UUID,
    challenge_id: str,
    change: ChallengeWrite,
) -> tuple[ChallengeAdminRead, bool]:
    """Create or replace the challenge: (it, whether it was created). Completions keep their
    own copy of what was done, so editing the catalog never rewrites anyone's history."""
    row = await session.get(Challenge, challenge_id)
    created = row is None
    if row is None:
        row = Challenge(id=challenge_id)
        session.add(row)
    for name, value in change.model_dump().items():
        setattr(row, name, value)
    await session.flush()
    forget_after_commit(session, rt.cache, prefix=CATALOG_PREFIX)
    audit.record(
        session,
        rt.clock,
        origin,
        "catalog_changed",
        by,
        challenge=challenge_id,
        created=created,
        active=change.active,
    )
    return ChallengeAdminRead.model_validate(row), created
