"""Editing the challenge catalog (the `content` permission in CorpFinity): every challenge,
offered or not, and writing one — from the app's admin API or the console (`CATALOG`). A
change drops the cached catalog once it commits."""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.corpfinity.models import Challenge
from appfleet.apps.corpfinity.schemas import ChallengeAdminRead, ChallengeWrite
from appfleet.apps.corpfinity.service._common import CATALOG_PREFIX, Runtime, runtime_from
from appfleet.core.errors import ValidationFailed, validated
from appfleet.core.registry import CatalogField, EditableCatalog
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
    await audit.record(
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


CHALLENGE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
FIELDS = (
    CatalogField("id", "Id (lower-case, dashes)", on_create_only=True),
    CatalogField("title", "Title"),
    CatalogField("description", "Description", "long_text"),
    CatalogField("duration", "Duration as shown"),
    CatalogField("duration_minutes", "Minutes", "int"),
    CatalogField("emoji", "Emoji"),
    CatalogField("fun_fact", "Fun fact", "long_text"),
    CatalogField("goal_category", "Category"),
    CatalogField("energy_level", "Energy level", "choice", ("low", "medium", "high")),
    CatalogField("active", "Offered", "bool"),
)


async def rows(session: AsyncSession) -> list[dict[str, Any]]:
    return [c.model_dump() for c in await every(session)]


async def write(
    session: AsyncSession,
    resources: Any,
    origin: Origin,
    by: uuid.UUID,
    item_id: str | None,
    values: dict[str, Any],
) -> dict[str, Any]:
    challenge_id = item_id or str(values.get("id", ""))
    if not CHALLENGE_ID.fullmatch(challenge_id):
        raise ValidationFailed(
            "Invalid: id: lower-case letters, digits and dashes",
            details={"id": {"message": "lower-case letters, digits and dashes"}},
        )
    change = validated(ChallengeWrite, {k: v for k, v in values.items() if k != "id"})
    row, _ = await put(session, runtime_from(resources), origin, by, challenge_id, change)
    return row.model_dump()


CATALOG = EditableCatalog("challenges", "Challenge catalog", "content", FIELDS, rows, write)
